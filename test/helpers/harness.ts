import type { ChatOpsApp } from '../../src/app.js';
import type { AppConfig } from '../../src/config/load.js';
import type { AppDeps } from '../../src/deps.js';
import type { ClientTuning } from '../../src/github/octokit.js';
import { FakeGitHub } from '@chatops/fake-github';
import { seedPywats, type PywatsSeed, type PywatsSeedOptions } from '@chatops/fake-github/scenario.js';
import { FakeSlack, sendBlockAction, sendSlashCommand, type RecordedCall, type SignedResponse, type StoredMessage } from '@chatops/fake-slack';
import type { Store } from '../../src/store/index.js';
import { POLL_KIND, pollDedupeKey } from '../../src/services/events/poller.js';
import { PollState } from '../../src/core/events/poll.js';
import { freeLoopbackPort } from '@chatops/sandbox/freePort.js';
import {
  GHE_HOST,
  GHES_PRIMARY_HOST,
  SANDBOX_BOT_TOKEN,
  SANDBOX_CHANNEL,
  SANDBOX_SIGNING_SECRET,
  SANDBOX_USERS,
  startBotOnFakes,
  type BotConfigYaml,
} from '@chatops/sandbox/bot.js';

export { GITHUB_HOST, GHE_HOST, GHES_PRIMARY_HOST } from '@chatops/sandbox/bot.js';
export const USERS = SANDBOX_USERS;
export const CHANNEL = SANDBOX_CHANNEL;
export const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface HarnessOptions {
  seed?: PywatsSeedOptions;
  /** Edit the YAML configuration (as an object) before the bot reads it. */
  config?: (cfg: BotConfigYaml, seed: PywatsSeed) => void;
  env?: Record<string, string | undefined>;
  store?: 'sqlite' | 'postgres';
  tuning?: ClientTuning;
  /** The "github.com" side as a GHES host (github.example.com, `/api/v3`): for hosts without newer features. */
  githubFlavor?: 'dotcom' | 'ghes';
  /** SQLite file to use (e.g. another bot's, to test a restart); default: a new one. */
  dbFile?: string;
  /** Default debug, so tests see everything the bot would log. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** PostgreSQL schema to use (e.g. another bot's, for two replicas on one database); default: a new one. */
  pgSchema?: string;
  /**
   * Daily rotation reminders. Off unless a test asks: the default seed's GHE_TOKEN is
   * overdue, and its start-up reminder would be one more channel message in every test.
   */
  reminders?: boolean;
}

export interface Harness {
  bot: BotUnderTest;
  slack: FakeSlack;
  github: FakeGitHub;
  ghe: FakeGitHub;
  seed: PywatsSeed;
  store: Store;
  config: AppConfig;
  deps: AppDeps;
  appUrl: string;
  signingSecret: string;
  /** Every log line the bot wrote (JSON). */
  logs: string[];
  dbFile: string | null;
  command(command: string, text: string, o?: { user?: string; channel?: string }): Promise<{ http: SignedResponse; responseUrl: string }>;
  /** The next post to a response_url. */
  responseTo(responseUrl: string, timeoutMs?: number): Promise<RecordedCall>;
  /**
   * A click. `on`: the message (as the fake stores it) the button is on, so the payload
   * carries its ts, thread and ephemeral flag as Slack's does; without it, no message.
   */
  click(o: { actionId: string; value: string; user?: string; channel?: string; on?: StoredMessage }): Promise<{ http: SignedResponse; responseUrl: string }>;
  close(): Promise<void>;
}

export const SIGNING_SECRET = SANDBOX_SIGNING_SECRET;
export const BOT_TOKEN = SANDBOX_BOT_TOKEN;

export interface BotUnderTest {
  /** Moves the bot's clock (confirmations, job schedules) forward; GitHub's fakes keep theirs. */
  advance(ms: number): void;
  chatops: ChatOpsApp;
  config: AppConfig;
  deps: AppDeps;
  store: Store;
  appUrl: string;
  logs: string[];
  dbFile: string | null;
  pgSchema: string | null;
  /** `keepFiles`: leave the SQLite file (or PostgreSQL schema) for a bot started after this one. */
  stop(o?: { keepFiles?: boolean }): Promise<void>;
}

/**
 * The bot alone, configured for fakes that run elsewhere (this process or, for the
 * bench, another one): production URLs routed to the fakes by the injected fetch.
 */
export async function startBot(o: HarnessOptions & { slackApiUrl: string; githubUrl: string; gheUrl: string; seed: PywatsSeed }): Promise<BotUnderTest> {
  const pgSchema = o.pgSchema ?? `chatops_it_${Math.random().toString(36).slice(2, 10)}`;
  const onPostgres = o.store === 'postgres';
  const bot = await startBotOnFakes({
    slackApiUrl: o.slackApiUrl,
    githubUrl: o.githubUrl,
    gheUrl: o.gheUrl,
    seed: o.seed,
    ...(o.config ? { config: o.config } : {}),
    ...(o.env ? { env: o.env } : {}),
    ...(o.githubFlavor ? { githubFlavor: o.githubFlavor } : {}),
    ...(onPostgres ? { postgres: { url: PG_URL, schema: pgSchema } } : o.dbFile ? { dbFile: o.dbFile } : {}),
    logLevel: o.logLevel ?? 'debug',
    ...(o.tuning ? { tuning: o.tuning } : {}),
    reminders: o.reminders ?? false,
  });
  await firstLooks(bot.store, bot.config);
  return {
    ...bot,
    pgSchema: onPostgres ? pgSchema : null,
    async stop(so = {}) {
      await bot.stop(so);
      if (so.keepFiles || !onPostgres) return;
      const pg = await import('pg');
      const client = new pg.default.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`);
      await client.end();
    },
  };
}

/**
 * Waits (at most 5 s) for each repository's events poller to have made the look it makes
 * at start-up (or to have failed it), so a test counting GitHub requests or messages
 * counts its own, not that look's.
 */
async function firstLooks(store: Store, config: AppConfig): Promise<void> {
  const until = Date.now() + 5000;
  for (const repo of config.repos) {
    if (!repo.release && !repo.sync) continue;
    const id = await store.jobs.enqueue({ kind: POLL_KIND, payload: { repo: repo.github }, dedupeKey: pollDedupeKey(repo.github) });
    while (Date.now() < until) {
      const job = await store.jobs.get(id);
      const looked = job && job.leaseOwner === null && (job.attempts > 0 || Object.keys(PollState.parse(job.payload).etags).length > 0);
      if (!job || looked) break;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/**
 * Drops the start-up look of the events poller (runs lists of 20, tags pages of 100,
 * releases pages of 10: services/events/poller.ts) from the fake's request log, so tests that count what a
 * command asks GitHub count only that; test/app/eventsPoller.test.ts counts the poller's.
 */
function forgetFirstLooks(github: FakeGitHub): void {
  const firstLook = (r: FakeGitHub['requests'][number]) =>
    r.method === 'GET' &&
    ((r.path.endsWith('/runs') && r.query.per_page === '20') ||
      (r.path.endsWith('/tags') && r.query.per_page === '100') ||
      (r.path.endsWith('/releases') && r.query.per_page === '10'));
  const kept = github.requests.filter((r) => !firstLook(r));
  github.requests.splice(0, github.requests.length, ...kept);
}

/** The real app over real HTTP, with a fake Slack and fake GitHub/GHE on loopback. */
/**
 * Another bot on the harness's store, fakes and seed. On PostgreSQL, a second replica beside the
 * harness's bot (same schema); on SQLite (one process at a time), the next process on its file,
 * once the harness's bot stopped with `keepFiles`. `o` adds what differs, e.g. its environment.
 */
export function startReplica(h: Harness, o: HarnessOptions = {}): Promise<BotUnderTest> {
  const fakes = { slackApiUrl: h.slack.apiUrl, githubUrl: h.github.url, gheUrl: h.ghe.url, seed: h.seed };
  if (h.bot.pgSchema) return startBot({ ...o, ...fakes, store: 'postgres', pgSchema: h.bot.pgSchema });
  if (h.dbFile) return startBot({ ...o, ...fakes, store: 'sqlite', dbFile: h.dbFile });
  throw new Error('startReplica: the harness has neither a PostgreSQL schema nor a SQLite file');
}

export async function startHarness(o: HarnessOptions = {}): Promise<Harness> {
  const slack = new FakeSlack({ botToken: BOT_TOKEN });
  const github = o.githubFlavor === 'ghes' ? new FakeGitHub({ flavor: 'ghes', webHost: GHES_PRIMARY_HOST }) : new FakeGitHub({ flavor: 'dotcom' });
  const ghe = new FakeGitHub({ flavor: 'ghes', webHost: GHE_HOST });
  await Promise.all([slack.start(), github.start(), ghe.start()]);
  const seed = seedPywats(github, ghe, o.seed);
  const bot = await startBot({ ...o, slackApiUrl: slack.apiUrl, githubUrl: github.url, gheUrl: ghe.url, seed });
  const { config, deps, store, appUrl, logs, dbFile } = bot;
  forgetFirstLooks(github);

  const harness: Harness = {
    bot,
    slack,
    github,
    ghe,
    seed,
    store,
    config,
    deps,
    appUrl,
    signingSecret: SIGNING_SECRET,
    logs,
    dbFile,
    async command(command, text, c = {}) {
      const user = c.user ?? USERS.alice;
      const channel = c.channel ?? CHANNEL;
      const responseUrl = slack.responseUrl({ channel, user });
      const http = await sendSlashCommand(appUrl, SIGNING_SECRET, { command, text, user_id: user, channel_id: channel, response_url: responseUrl });
      return { http, responseUrl };
    },
    responseTo(responseUrl, timeoutMs = 15_000) {
      const id = new URL(responseUrl).pathname.replace(/^\/response\//, '');
      return slack.waitFor((c) => c.method === 'response_url' && c.responseUrlId === id, timeoutMs);
    },
    async click(c) {
      const user = c.user ?? USERS.alice;
      const channel = c.channel ?? CHANNEL;
      const m = c.on;
      const responseUrl = slack.responseUrl({ channel, user, ...(m ? { messageTs: m.ts } : {}) });
      const onMessage = m
        ? {
            message_ts: m.ts,
            is_ephemeral: Boolean(m.ephemeralTo),
            ...(m.thread_ts && m.thread_ts !== m.ts ? { thread_ts: m.thread_ts } : {}),
            ...(m.ephemeralTo
              ? {}
              : {
                  message: {
                    ...(m.text !== undefined ? { text: m.text } : {}),
                    ...(m.blocks ? { blocks: m.blocks } : {}),
                    user: m.user,
                    ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
                  },
                }),
          }
        : {};
      const http = await sendBlockAction(appUrl, SIGNING_SECRET, {
        user_id: user,
        channel_id: channel,
        action_id: c.actionId,
        value: c.value,
        response_url: responseUrl,
        ...onMessage,
      });
      return { http, responseUrl };
    },
    async close() {
      await bot.stop();
      await Promise.all([slack.stop(), github.stop(), ghe.stop()]);
    },
  };
  return harness;
}

/** All text of a recorded Slack message (text, blocks), for assertions. */
export function messageText(call: RecordedCall): string {
  return JSON.stringify(call.args);
}

/** Polls `check` until it returns true (work that follows a reply, like the audit entry). */
export async function eventually(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A TCP port free right now on 127.0.0.1 (for servers that cannot bind port 0 themselves). */
export const freePort = freeLoopbackPort;

/** A harness for one test, closed whatever the test does. */
export async function withHarness(o: HarnessOptions, fn: (h: Harness) => Promise<void>): Promise<void> {
  const h = await startHarness(o);
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}
