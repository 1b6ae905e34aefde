import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { stringify as toYaml } from 'yaml';
import { ACTION_IDS } from '../../src/actions/ids.js';
import { FakeGitHub } from '@chatops/fake-github';
import type { RecordedRequest } from '@chatops/fake-github/pipeline.js';
import { seedPywats, type PywatsSeed } from '@chatops/fake-github/scenario.js';
import { FakeSlack, sendBlockAction, sendSlashCommand, sendViewSubmission, type RecordedCall } from '@chatops/fake-slack';
import { VALUE_INPUT } from '../../src/ui/secretChange.js';
import { BOT_TOKEN, CHANNEL, eventually, freePort, SIGNING_SECRET, USERS } from './harness.js';

/**
 * The real entry point (`src/main.ts`, production defaults: 1 s idle poll, the job
 * kinds' own leases) in a child process on the fakes, SIGKILLed at a chosen step and
 * started again on the same SQLite file. The fakes live in this process, so a test
 * can hold the very request (or its answer) the kill must land on, and count what
 * GitHub did. Used by test/app/crashResume.test.ts and by `npm run bench` (part 5).
 */

const DAY = 86_400_000;
export const textOf = (c: RecordedCall): string => JSON.stringify(c.args);

export interface CrashWorld {
  slack: FakeSlack;
  github: FakeGitHub;
  ghe: FakeGitHub;
  seed: PywatsSeed;
  dbFile: string;
  base: string;
  /** Everything the bot processes printed. */
  out(): string;
  /** Starts the bot; resolves once /readyz answers (every credential checked, the worker running). `spawnedAt`: when the process was started. */
  start(): Promise<BotProcess>;
  /** One row of a table of the bot's database, read while the bot may run. */
  row<T>(query: string, ...params: unknown[]): T | undefined;
  close(): Promise<void>;
}

export interface BotProcess {
  child: ChildProcess;
  spawnedAt: number;
  /** SIGKILL, and wait for the process to be gone. */
  kill(): Promise<void>;
}

export async function crashWorld(o: { deployKey?: boolean } = {}): Promise<CrashWorld> {
  const slack = new FakeSlack({ botToken: BOT_TOKEN });
  const github = new FakeGitHub({ flavor: 'dotcom' });
  const ghe = new FakeGitHub({ flavor: 'ghes', webHost: 'wats.ghe.com' });
  await Promise.all([slack.start(), github.start(), ghe.start()]);
  const seed = seedPywats(github, ghe);
  const dir = await mkdtemp(join(tmpdir(), 'chatops-crash-'));
  const dbFile = join(dir, 'chatops.sqlite');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // No request routing in a child process: the GHE secrets' host is the fake's own address, as its mirror API URL is.
  const secrets = seed.repoConfig.secrets.map((s) => (s.name === 'GHE_TOKEN' ? { ...s, host: ghe.url } : s));
  if (o.deployKey) secrets.push({ name: 'GHE_DEPLOY_KEY', kind: 'deploy-key', host: ghe.url, scopes: [], maxAgeDays: 365 });
  await writeFile(
    join(dir, 'chatops.yml'),
    toYaml({
      repos: [{ ...seed.repoConfig, secrets, channel: CHANNEL }],
      access: { release: [USERS.alice], approve: [USERS.bob] },
      reminders: { enabled: false },
    }),
  );
  let out = '';
  const running = new Set<BotProcess>();
  const world: CrashWorld = {
    slack,
    github,
    ghe,
    seed,
    dbFile,
    base,
    out: () => out,
    async start() {
      const spawnedAt = Date.now();
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: {
          PATH: process.env.PATH,
          SLACK_BOT_TOKEN: BOT_TOKEN,
          SLACK_SIGNING_SECRET: SIGNING_SECRET,
          SLACK_API_URL: slack.apiUrl,
          ...seed.env,
          CHATOPS_CONFIG: join(dir, 'chatops.yml'),
          DATABASE_URL: dbFile,
          PORT: String(port),
          LOG_LEVEL: 'debug',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise((r) => child.once('exit', r));
      const p: BotProcess = {
        child,
        spawnedAt,
        async kill() {
          child.kill('SIGKILL');
          await exited;
          running.delete(p);
        },
      };
      running.add(p);
      const deadline = Date.now() + 60_000;
      while (
        !(await fetch(`${base}/readyz`).then(
          (r) => r.ok,
          () => false,
        ))
      ) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the bot did not start:\n${out.slice(-4000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return p;
    },
    row<T>(query: string, ...params: unknown[]): T | undefined {
      const db = new Database(dbFile, { readonly: true, fileMustExist: true });
      try {
        db.pragma('busy_timeout = 5000');
        return db.prepare(query).get(...params) as T | undefined;
      } finally {
        db.close();
      }
    },
    async close() {
      for (const p of [...running]) await p.kill();
      // CRASH_LOG=file: keep what the bot processes printed, to see why a scenario failed.
      if (process.env.CRASH_LOG) await writeFile(process.env.CRASH_LOG, out);
      await Promise.all([slack.stop(), github.stop(), ghe.stop()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
  return world;
}

/** Waits for `check`, and says when it first held (ms since the epoch). */
export async function when(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<number> {
  await eventually(check, what, timeoutMs);
  return Date.now();
}

export const requests = (fake: FakeGitHub, method: string, path: RegExp, ok = true): RecordedRequest[] =>
  fake.requests.filter((r) => r.method === method && path.test(r.path) && (!ok || (r.status >= 200 && r.status < 300)));

/** One restart: the time from spawning the new process to the resumed step being done. */
export interface Resumed {
  step: string;
  /** Process spawned → /readyz answers. */
  bootMs: number;
  /** Process spawned → the step the killed process was in is done by the new one. */
  resumeMs: number;
}

// ------------------------------------------------------------------ /secret replace

export type SecretKillStep = 'before-put' | 'during-put' | 'put-answer-lost' | 'after-put';

const SECRET_PATH = /\/actions\/secrets\/GHE_TOKEN$/;

/**
 * `/secret replace GHE_TOKEN`, approved, and the bot killed at `step`:
 *  - before-put: while it reads the repository's public key, just before the PUT;
 *  - during-put: the PUT on its way, never handled by GitHub;
 *  - put-answer-lost: GitHub wrote the secret, the answer never came back;
 *  - after-put: while it reads the secret back.
 */
export async function secretReplaceCrash(step: SecretKillStep): Promise<{
  resumed: Resumed;
  puts: number;
  status: string;
  outcome: string | null;
  value: string | undefined;
  token: string;
  out: string;
  announced: boolean;
}> {
  const w = await crashWorld();
  try {
    const token = 'ghp_CRASHtestTOKEN0123456789abcdefghijkl';
    w.ghe.addToken(token, { login: 'svc-sync', scopes: ['repo'], expiresAt: new Date(Date.now() + 200 * DAY).toISOString() });
    w.ghe.grantAccess(w.seed.ghe.repo, 'svc-sync', 'write');
    const first = await w.start();
    await sendSlashCommand(w.base, SIGNING_SECRET, {
      command: '/secret',
      text: 'replace GHE_TOKEN',
      user_id: USERS.alice,
      channel_id: CHANNEL,
      response_url: w.slack.responseUrl({ channel: CHANNEL, user: USERS.alice }),
    });
    const opened = await w.slack.waitFor((c) => c.method === 'views.open', 20_000);
    const view = opened.args.view as { callback_id: string; private_metadata: string };
    const submitted = await sendViewSubmission(w.base, SIGNING_SECRET, {
      user_id: USERS.alice,
      callback_id: view.callback_id,
      private_metadata: view.private_metadata,
      values: { [VALUE_INPUT.blockId]: { [VALUE_INPUT.actionId]: token } },
    });
    assert.equal((submitted.json as { response_action?: string }).response_action, 'update', submitted.body);
    const request = await w.slack.waitFor((c) => c.method === 'chat.postMessage' && textOf(c).includes(ACTION_IDS.secretApprove), 20_000);
    const id = new RegExp(`"action_id":"${ACTION_IDS.secretApprove}","value":"([^"]+)"`).exec(textOf(request))?.[1] ?? '';

    const approve = () =>
      sendBlockAction(w.base, SIGNING_SECRET, {
        user_id: USERS.bob,
        channel_id: CHANNEL,
        action_id: ACTION_IDS.secretApprove,
        value: id,
        response_url: w.slack.responseUrl({ channel: CHANNEL, user: USERS.bob }),
      });
    let hold: ReturnType<FakeGitHub['holdNext']>;
    if (step === 'after-put') {
      // The secret is read before the PUT too (its date, to judge the write by): hold the read that follows the PUT.
      const put = w.github.holdNext({ method: 'PUT', path: SECRET_PATH });
      await approve();
      await put.arrived;
      hold = w.github.holdNext({ method: 'GET', path: SECRET_PATH });
      put.release();
    } else {
      hold = w.github.holdNext(
        step === 'before-put'
          ? { method: 'GET', path: /\/actions\/secrets\/public-key$/ }
          : step === 'during-put'
            ? { method: 'PUT', path: SECRET_PATH }
            : { method: 'PUT', path: SECRET_PATH, phase: 'answer' },
      );
      await approve();
    }
    await hold.arrived;
    await first.kill();
    hold.drop();
    assert.equal(w.row<{ status: string }>('select status from secret_changes')?.status, 'applying', 'killed while applying');
    assert.equal(requests(w.github, 'PUT', SECRET_PATH).length, step === 'put-answer-lost' || step === 'after-put' ? 1 : 0, 'GitHub holds what the step says');

    const second = await w.start();
    const bootMs = Date.now() - second.spawnedAt;
    const finished = await when(
      () => ['done', 'failed'].includes(w.row<{ status: string }>('select status from secret_changes')?.status ?? ''),
      'the restarted bot to finish the change',
    );
    const announced = await w.slack
      .waitFor((c) => c.method === 'chat.update' && /was replaced/.test(textOf(c)), 10_000)
      .then(
        () => true,
        () => false,
      );
    const row = w.row<{ status: string; outcome: string | null }>('select status, outcome from secret_changes');
    return {
      resumed: { step: `/secret replace, killed ${step}`, bootMs, resumeMs: finished - second.spawnedAt },
      puts: requests(w.github, 'PUT', SECRET_PATH).length,
      status: row?.status ?? '',
      outcome: row?.outcome ?? null,
      value: w.github.decryptSecret(w.seed.github.repo, 'GHE_TOKEN'),
      token,
      out: w.out(),
      announced,
    };
  } finally {
    await w.close();
  }
}

// ------------------------------------------------------------------ /rotate (deploy key)

const KEYS_PATH = /\/repos\/WATS\/pyWATS\/keys$/;
const DEPLOY_SECRET_PATH = /\/actions\/secrets\/GHE_DEPLOY_KEY$/;
const RERUN_PATH = /\/actions\/jobs\/\d+\/rerun$/;

function oldPublicKey(dir: string): string {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'old', '-f', join(dir, 'k')]);
  return readFileSync(join(dir, 'k.pub'), 'utf8').trim();
}

export interface RotationCrash {
  resumed: Resumed[];
  keyAdds: number;
  puts: number;
  reruns: number;
  deletes: RecordedRequest[];
  keysLeft: number[];
  oldKeyId: number;
  status: string;
  checklist: string;
  out: string;
}

/**
 * `/rotate GHE_DEPLOY_KEY`, fully automatic, with the bot killed once in each step:
 * while the mirror adds the new deploy key (added, answer lost), while GitHub writes
 * the secret (written, answer lost), while the sync job's re-run is asked for (asked,
 * answer lost), and while the old deploy key is deleted (deleted, answer lost). Each
 * time a new process takes over from what GitHub says.
 */
export async function rotationCrash(): Promise<RotationCrash> {
  const w = await crashWorld({ deployKey: true });
  const keyDir = await mkdtemp(join(tmpdir(), 'chatops-key-'));
  try {
    const added = await fetch(`${w.ghe.apiUrl}/repos/${w.seed.ghe.repo}/keys`, {
      method: 'POST',
      headers: { authorization: `token ${w.seed.ghe.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'GHE_DEPLOY_KEY (2025)', key: oldPublicKey(keyDir), read_only: false }),
    });
    assert.equal(added.status, 201, await added.text());
    const oldKeyId = w.ghe.deployKeys(w.seed.ghe.repo)[0]?.id ?? 0;
    const resumed: Resumed[] = [];
    let bot = await w.start();
    /** Kills the bot once `hold` has its request, starts another, and waits until `done` says the step is finished. */
    const crashAt = async (step: string, hold: { arrived: Promise<void>; drop(): void }, done: () => boolean | Promise<boolean>) => {
      await hold.arrived;
      await bot.kill();
      hold.drop();
      bot = await w.start();
      const bootMs = Date.now() - bot.spawnedAt;
      const at = await when(done, `the restarted bot to finish: ${step}`);
      resumed.push({ step: `/rotate, killed ${step}`, bootMs, resumeMs: at - bot.spawnedAt });
    };

    await sendSlashCommand(w.base, SIGNING_SECRET, {
      command: '/rotate',
      text: 'GHE_DEPLOY_KEY',
      user_id: USERS.alice,
      channel_id: CHANNEL,
      response_url: w.slack.responseUrl({ channel: CHANNEL, user: USERS.alice }),
    });
    const prompt = await w.slack.waitFor((c) => c.method === 'chat.postEphemeral' && textOf(c).includes(ACTION_IDS.rotationGenerate), 20_000);
    const rotationId = new RegExp(`"action_id":"${ACTION_IDS.rotationGenerate}","value":"([^"]+)"`).exec(textOf(prompt))?.[1] ?? '';
    const ts = String(prompt.args.thread_ts);
    await sendBlockAction(w.base, SIGNING_SECRET, {
      user_id: USERS.alice,
      channel_id: CHANNEL,
      action_id: ACTION_IDS.rotationGenerate,
      value: rotationId,
      response_url: w.slack.responseUrl({ channel: CHANNEL, user: USERS.alice }),
    });
    const approval = await w.slack.waitFor(
      (c) => c.method === 'chat.postMessage' && c.args.thread_ts === ts && textOf(c).includes(ACTION_IDS.secretApprove),
      20_000,
    );
    const changeId = new RegExp(`"action_id":"${ACTION_IDS.secretApprove}","value":"([^"]+)"`).exec(textOf(approval))?.[1] ?? '';

    // 1. The mirror adds the new key; the bot dies before it hears so. Next: the secret's PUT.
    const addHold = w.ghe.holdNext({ method: 'POST', path: KEYS_PATH, phase: 'answer' });
    await sendBlockAction(w.base, SIGNING_SECRET, {
      user_id: USERS.bob,
      channel_id: CHANNEL,
      action_id: ACTION_IDS.secretApprove,
      value: changeId,
      response_url: w.slack.responseUrl({ channel: CHANNEL, user: USERS.bob }),
    });
    const putHold = w.github.holdNext({ method: 'PUT', path: DEPLOY_SECRET_PATH, phase: 'answer' });
    let putSeen = false;
    void putHold.arrived.then(() => (putSeen = true));
    await crashAt('while the mirror adds the new deploy key', addHold, () => putSeen);

    // 2. GitHub writes the secret; the bot dies before it hears so. Next: the sync job's re-run.
    const rerunHold = w.github.holdNext({ method: 'POST', path: RERUN_PATH, phase: 'answer' });
    let rerunSeen = false;
    void rerunHold.arrived.then(() => (rerunSeen = true));
    await crashAt('while GitHub writes the secret', putHold, () => rerunSeen);

    // 3. The re-run is asked for; the bot dies before it hears so. Done once the bot follows that run.
    const verifyState = () =>
      JSON.parse(w.row<{ state: string }>('select state from rotations where id = ?', rotationId)?.state ?? '{}') as { verify?: { state?: string } };
    await crashAt('while the verification re-run is asked for', rerunHold, () => verifyState().verify?.state === 'running');

    // 4. The verification passes; the old key is deleted and the bot dies before it hears so.
    const deleteHold = w.ghe.holdNext({ method: 'DELETE', path: new RegExp(`/keys/${oldKeyId}$`), phase: 'answer' });
    w.github.completeRun(w.seed.github.lastPublishRunId ?? 0, {});
    const status = () => w.row<{ status: string }>('select status from rotations where id = ?', rotationId)?.status ?? '';
    await crashAt('while the old deploy key is deleted', deleteHold, () => status() === 'done');

    const checklist = await when(
      () => /Rotation complete/.test(JSON.stringify(w.slack.messages(CHANNEL).find((m) => m.ts === ts) ?? {})),
      'the checklist to say complete',
      15_000,
    ).then(() => JSON.stringify(w.slack.messages(CHANNEL).find((m) => m.ts === ts)));
    return {
      resumed,
      keyAdds: requests(w.ghe, 'POST', KEYS_PATH).length - 1, // the old key, added above
      puts: requests(w.github, 'PUT', DEPLOY_SECRET_PATH).length,
      reruns: requests(w.github, 'POST', RERUN_PATH).length,
      deletes: w.ghe.requests.filter((r) => r.method === 'DELETE' && /\/keys\/\d+$/.test(r.path)),
      keysLeft: w.ghe.deployKeys(w.seed.ghe.repo).map((k) => k.id),
      oldKeyId,
      status: status(),
      checklist,
      out: w.out(),
    };
  } finally {
    await rm(keyDir, { recursive: true, force: true });
    await w.close();
  }
}

// ------------------------------------------------------------------ release follower

export interface FollowerCrash {
  resumed: Resumed;
  dispatches: number;
  releaseMessages: number;
  /** The channel's top-level messages that name the tag. */
  mainTexts: string[];
  finalText: string;
  threadReplies: string[];
}

/** `/release v0.1.0b39`, confirmed; the bot killed while its follower reads the run; the run then ends. */
export async function followerCrash(): Promise<FollowerCrash> {
  const w = await crashWorld();
  try {
    let bot = await w.start();
    const responseUrl = w.slack.responseUrl({ channel: CHANNEL, user: USERS.alice });
    await sendSlashCommand(w.base, SIGNING_SECRET, {
      command: '/release',
      text: 'v0.1.0b39',
      user_id: USERS.alice,
      channel_id: CHANNEL,
      response_url: responseUrl,
    });
    const confirm = await w.slack.waitFor((c) => c.method === 'response_url' && textOf(c).includes(ACTION_IDS.releaseConfirm), 20_000);
    const id = new RegExp(`"action_id":"${ACTION_IDS.releaseConfirm}","value":"([^"]+)"`).exec(textOf(confirm))?.[1] ?? '';
    // The follower reads the run (from its workflow's page of runs) and its jobs together; the jobs of a
    // run just dispatched are read by no one else yet (the events poller has not seen the run).
    const jobsPath = /\/actions\/runs\/\d+\/jobs$/;
    const poll = w.github.holdNext({ method: 'GET', path: jobsPath });
    await sendBlockAction(w.base, SIGNING_SECRET, {
      user_id: USERS.alice,
      channel_id: CHANNEL,
      action_id: ACTION_IDS.releaseConfirm,
      value: id,
      response_url: w.slack.responseUrl({ channel: CHANNEL, user: USERS.alice }),
    });
    await poll.arrived;
    await bot.kill();
    poll.drop();
    const run = w.github.runs(w.seed.github.repo, '.github/workflows/release.yml').find((r) => r.event === 'workflow_dispatch');
    assert.ok(run, 'the release run was dispatched before the kill');
    const before = w.github.requests.length;

    bot = await w.start();
    const bootMs = Date.now() - bot.spawnedAt;
    // The restarted poller reads the run and its jobs too, so the follower's look is told by what only it
    // reads once it has the run: the workflow file at the run's commit (its declared jobs; never read before the kill).
    const polled = await when(
      () => w.github.requests.slice(before).some((r) => r.method === 'GET' && r.path.includes('/contents/') && r.query.ref === run.headSha && r.status === 200),
      'the restarted bot to poll the run',
    );
    w.github.completeRun(run.id, {});
    const isRelease = (m: { text?: string; thread_ts?: string; ephemeralTo?: string }) => !m.ephemeralTo && !m.thread_ts && /v0\.1\.0b39/.test(m.text ?? '');
    await when(() => w.slack.messages(CHANNEL).some((m) => isRelease(m) && /Released/.test(JSON.stringify(m))), 'the release message to say Released', 120_000);
    const main = w.slack.messages(CHANNEL).filter(isRelease);
    return {
      resumed: { step: 'release follower, killed while it reads the run', bootMs, resumeMs: polled - bot.spawnedAt },
      dispatches: requests(w.github, 'POST', /\/dispatches$/).length,
      releaseMessages: main.length,
      mainTexts: main.map((m) => m.text ?? ''),
      finalText: JSON.stringify(main.at(-1)),
      threadReplies: w.slack
        .messages(CHANNEL)
        .filter((m) => m.thread_ts && m.thread_ts === main[0]?.ts)
        .map((m) => m.text ?? ''),
    };
  } finally {
    await w.close();
  }
}
