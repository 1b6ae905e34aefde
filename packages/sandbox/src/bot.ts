import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stringify as toYaml } from 'yaml';
import { createChatOpsApp, type ChatOpsApp } from '../../../src/app.js';
import { loadConfig, type AppConfig } from '../../../src/config/load.js';
import type { AppDeps } from '../../../src/deps.js';
import { GitHubClients } from '../../../src/github/clients.js';
import { GitHubGateways } from '../../../src/github/gateways.js';
import type { ClientTuning } from '../../../src/github/octokit.js';
import { createLogger } from '../../../src/log/logger.js';
import { Sanitizer } from '../../../src/log/sanitizer.js';
import { AccessResolver } from '../../../src/services/access.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { activityLog, reportingJobs, type ActivityLine } from './activity.js';
import { routingFetch } from './routingFetch.js';
import type { PywatsSeed } from '@chatops/fake-github/scenario.js';

/**
 * The real bot, configured for fakes that run elsewhere (this process or another):
 * it believes it talks to api.github.com and wats.ghe.com, and an injected fetch
 * routes those hosts to the fakes on loopback. Used by the test harness, the bench
 * and `npm run sandbox`, so all three run the same bot the same way.
 */

export const SANDBOX_USERS = { alice: 'U0ALICE001', bob: 'U0BOB00002', carol: 'U0CAROL003' } as const;
export const SANDBOX_CHANNEL = 'C0RELEASES1';
export const GITHUB_HOST = 'api.github.com';
export const GHE_HOST = 'wats.ghe.com';
/** The primary host when the bot runs against GHES instead of github.com. */
export const GHES_PRIMARY_HOST = 'github.example.com';
export const SANDBOX_SIGNING_SECRET = 'test-signing-secret-5d41402abc4b2a76';
export const SANDBOX_BOT_TOKEN = 'xoxb-0000000001-test-bot-token';

export type BotConfigYaml = { repos: Array<Record<string, unknown>>; access: Record<string, string[]>; reminders?: Record<string, unknown> };

export interface BotOnFakesOptions {
  slackApiUrl: string;
  githubUrl: string;
  gheUrl: string;
  seed: PywatsSeed;
  /** Edit the YAML configuration (as an object) before the bot reads it. */
  config?: (cfg: BotConfigYaml, seed: PywatsSeed) => void;
  env?: Record<string, string | undefined>;
  /** The primary side as a GHES host (github.example.com, `/api/v3`). */
  githubFlavor?: 'dotcom' | 'ghes';
  /** SQLite file (default: a new one in a temporary folder), or a PostgreSQL URL with `pgSchema`. */
  dbFile?: string;
  postgres?: { url: string; schema: string };
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Where log lines go (default: kept in `logs`). */
  logSink?: (line: string) => void;
  /** Where the short activity log goes (one sanitized line per job run, and per driver action via `report`); default: nowhere. */
  activity?: (text: string) => void;
  tuning?: ClientTuning;
  workerIdleMs?: number;
  /** HTTP port for the bot (default: any free one). */
  port?: number;
  /** Daily rotation reminders (`reminders.enabled`); default on, as in production. */
  reminders?: boolean;
  /**
   * A time the bot's clock never runs behind (ms since the epoch). The sandbox passes
   * the fakes' clock: a run the user advances takes minutes there in a few clicks,
   * and what the bot stamps must not come before what GitHub reports.
   */
  timeFloor?: () => number;
  /**
   * A clock shared with the fakes (the sandbox's one clock): the bot reads it, and
   * `advance` moves it for everyone. Takes the place of `timeFloor`.
   */
  clock?: { now(): number; advance(ms: number): void };
}

export interface BotOnFakes {
  /** Moves the bot's clock (confirmations, job schedules, reminders) forward; the fakes keep theirs. */
  advance(ms: number): void;
  chatops: ChatOpsApp;
  config: AppConfig;
  deps: AppDeps;
  store: Store;
  appUrl: string;
  /** Every log line the bot wrote (JSON), unless `logSink` took them. */
  logs: string[];
  /** One line for the activity log, sanitized with the bot's own sanitizer (a no-op without `activity`). */
  report: ActivityLine;
  dbFile: string | null;
  /** The temporary folder with the configuration (and the SQLite file by default). */
  dir: string;
  stop(o?: { keepFiles?: boolean }): Promise<void>;
}

export async function startBotOnFakes(o: BotOnFakesOptions): Promise<BotOnFakes> {
  const { seed } = o;
  const dir = await mkdtemp(join(tmpdir(), 'chatops-'));
  const repo = { ...seed.repoConfig, channel: SANDBOX_CHANNEL } as Record<string, unknown> & typeof seed.repoConfig;
  if (repo.sync) repo.sync = { ...repo.sync, mirror: { ...repo.sync.mirror, apiUrl: `https://${GHE_HOST}/api/v3` } };
  repo.secrets = repo.secrets.map((s) => ({ ...s, host: s.host.includes('ghe') ? `https://${GHE_HOST}` : s.host }));
  const yaml: BotConfigYaml = {
    repos: [repo as Record<string, unknown>],
    access: { release: [SANDBOX_USERS.alice], approve: [SANDBOX_USERS.bob] },
    reminders: { enabled: o.reminders ?? true },
  };
  o.config?.(yaml, seed);
  const configPath = join(dir, 'chatops.yml');
  await writeFile(configPath, toYaml(yaml));

  const dbFile = o.postgres ? null : (o.dbFile ?? join(dir, 'chatops.sqlite'));
  const vars: NodeJS.ProcessEnv = {
    SLACK_BOT_TOKEN: SANDBOX_BOT_TOKEN,
    SLACK_SIGNING_SECRET: SANDBOX_SIGNING_SECRET,
    SLACK_API_URL: o.slackApiUrl,
    GITHUB_TOKEN: seed.github.token,
    GITHUB_API_URL: o.githubFlavor === 'ghes' ? `https://${GHES_PRIMARY_HOST}/api/v3` : `https://${GITHUB_HOST}`,
    GHE_API_TOKEN: seed.ghe.token,
    CHATOPS_CONFIG: configPath,
    DATABASE_URL: dbFile ?? o.postgres?.url ?? '',
    PORT: String(o.port ?? 0),
    LOG_LEVEL: o.logLevel ?? 'debug',
  };
  for (const [k, v] of Object.entries(o.env ?? {})) {
    if (v === undefined) delete vars[k];
    else vars[k] = v;
  }
  const config = await loadConfig(vars);

  const sanitizer = new Sanitizer();
  for (const c of config.credentials) sanitizer.register(c);
  const logs: string[] = [];
  const sink = o.logSink ?? ((line: string) => logs.push(line));
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      sink(chunk.toString());
      cb();
    },
  });
  const logger = createLogger({
    level: o.logLevel ?? 'debug',
    sanitizer,
    destination: destination as unknown as NodeJS.WritableStream & { write(s: string): boolean },
  });
  const store = await openStore({ databaseUrl: config.env.DATABASE_URL, ...(o.postgres ? { schema: o.postgres.schema } : {}), logger });
  const tuning: ClientTuning = {
    fetch: routingFetch({ [GITHUB_HOST]: o.githubUrl, [GHES_PRIMARY_HOST]: o.githubUrl, [GHE_HOST]: o.gheUrl }),
    retryBaseMs: 5,
    timeoutMs: 10_000,
    ...o.tuning,
  };
  let offsetMs = 0;
  const shared = o.clock;
  const now = () => {
    if (shared) return new Date(shared.now());
    // Catch up with the floor by moving the offset, so the clock then runs on with the wall clock.
    const behind = (o.timeFloor?.() ?? 0) - (Date.now() + offsetMs);
    if (behind > 0) offsetMs += behind;
    return new Date(Date.now() + offsetMs);
  };
  const report: ActivityLine = o.activity
    ? activityLog(
        o.activity,
        (t) => sanitizer.scrub(t),
        () => now().getTime(),
      )
    : () => {};
  // The worker reads store.jobs on every call, so the jobs it runs are reported as they end.
  if (o.activity) store.jobs = reportingJobs(store.jobs, report);
  const github = new GitHubClients({ config, logger, tuning });
  const deps: AppDeps = { config, store, github, gateways: new GitHubGateways(github), logger, sanitizer, now, access: new AccessResolver() };
  const chatops = createChatOpsApp(deps, { workerIdleMs: o.workerIdleMs ?? 50 });
  const { port } = await chatops.start(o.port ?? 0);
  return {
    advance: (ms: number) => {
      if (shared) shared.advance(ms);
      else offsetMs += ms;
    },
    chatops,
    config,
    deps,
    store,
    appUrl: `http://127.0.0.1:${port}`,
    logs,
    report,
    dbFile,
    dir,
    async stop(so = {}) {
      await chatops.stop();
      await store.close();
      if (so.keepFiles) return;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
