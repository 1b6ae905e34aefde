import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { stringify as toYaml } from 'yaml';
import { ACTION_IDS } from '../../src/actions/ids.js';
import { FakeGitHub } from '../../src/sandbox/github/index.js';
import { seedPywats } from '../../src/sandbox/scenario.js';
import { FakeSlack, sendBlockAction, sendSlashCommand, sendViewSubmission, type RecordedCall } from '../../src/sandbox/slack/index.js';
import { VALUE_INPUT } from '../../src/ui/secretChange.js';
import { BOT_TOKEN, CHANNEL, eventually, freePort, SIGNING_SECRET, USERS } from '../helpers/harness.js';

const textOf = (c: RecordedCall) => JSON.stringify(c.args);
const DAY = 86_400_000;

/**
 * The real entry point in a child process, killed with SIGKILL in the middle of
 * applying an approved change, then started again on the same database.
 */
async function scenario(killAt: 'before-put' | 'after-put') {
  const slack = new FakeSlack({ botToken: BOT_TOKEN });
  const github = new FakeGitHub({ flavor: 'dotcom' });
  const ghe = new FakeGitHub({ flavor: 'ghes', webHost: 'wats.ghe.com' });
  await Promise.all([slack.start(), github.start(), ghe.start()]);
  const seed = seedPywats(github, ghe);
  const dir = await mkdtemp(join(tmpdir(), 'chatops-crash-'));
  const dbFile = join(dir, 'chatops.sqlite');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // No request routing in a child process: the GHE secret's host is the fake's own address, as its mirror API URL is.
  const secrets = seed.repoConfig.secrets.map((s) => (s.name === 'GHE_TOKEN' ? { ...s, host: ghe.url } : s));
  await writeFile(join(dir, 'chatops.yml'), toYaml({ repos: [{ ...seed.repoConfig, secrets, channel: CHANNEL }], access: { release: [USERS.alice], approve: [USERS.bob] } }));
  const token = 'ghp_CRASHtestTOKEN0123456789abcdefghijkl';
  ghe.addToken(token, { login: 'svc-sync', scopes: ['repo'], expiresAt: new Date(Date.now() + 200 * DAY).toISOString() });
  ghe.grantAccess(seed.ghe.repo, 'svc-sync', 'write');
  let out = '';
  const startChild = async (): Promise<{ child: ChildProcess; exited: Promise<unknown> }> => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { PATH: process.env.PATH, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, ...seed.env, CHATOPS_CONFIG: join(dir, 'chatops.yml'), DATABASE_URL: dbFile, PORT: String(port), LOG_LEVEL: 'debug' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise((r) => child.once('exit', r));
    const deadline = Date.now() + 30_000;
    while (!(await fetch(`${base}/healthz`).then((r) => r.ok, () => false))) {
      assert.ok(Date.now() < deadline, `the bot did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return { child, exited };
  };
  const cleanup = async () => {
    await Promise.all([slack.stop(), github.stop(), ghe.stop()]);
    await rm(dir, { recursive: true, force: true });
  };
  const dbRow = () => {
    const db = new Database(dbFile, { readonly: true });
    try {
      return db.prepare('select status, ciphertext, outcome from secret_changes').get() as { status: string; ciphertext: string | null; outcome: string | null } | undefined;
    } finally {
      db.close();
    }
  };
  const successfulPuts = () => github.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/actions/secrets/GHE_TOKEN') && r.status > 0 && r.status < 300).length;

  let first: { child: ChildProcess; exited: Promise<unknown> } | undefined;
  let second: { child: ChildProcess; exited: Promise<unknown> } | undefined;
  try {
    first = await startChild();
    await sendSlashCommand(base, SIGNING_SECRET, { command: '/secret', text: 'replace GHE_TOKEN', user_id: USERS.alice, channel_id: CHANNEL, response_url: slack.responseUrl({ channel: CHANNEL, user: USERS.alice }) });
    const opened = await slack.waitFor((c) => c.method === 'views.open', 20_000);
    const view = opened.args.view as { callback_id: string; private_metadata: string };
    const submitted = await sendViewSubmission(base, SIGNING_SECRET, { user_id: USERS.alice, callback_id: view.callback_id, private_metadata: view.private_metadata, values: { [VALUE_INPUT.blockId]: { [VALUE_INPUT.actionId]: token } } });
    assert.equal((submitted.json as { response_action?: string }).response_action, 'update', submitted.body);
    const request = await slack.waitFor((c) => c.method === 'chat.postMessage' && textOf(c).includes(ACTION_IDS.secretApprove), 20_000);
    const id = /"action_id":"secret_change_approve","value":"([^"]+)"/.exec(textOf(request))?.[1] ?? '';

    // Stop the process at the chosen point: the PUT itself, or the read-back that follows it
    // (the secret is read once before the PUT too: that first read is let through).
    const secretPath = /\/actions\/secrets\/GHE_TOKEN$/;
    const preRead = killAt === 'after-put' ? github.holdNext({ method: 'GET', path: secretPath }) : null;
    const hold = killAt === 'before-put' ? github.holdNext({ method: 'PUT', path: secretPath }) : null;
    await sendBlockAction(base, SIGNING_SECRET, { user_id: USERS.bob, channel_id: CHANNEL, action_id: ACTION_IDS.secretApprove, value: id, response_url: slack.responseUrl({ channel: CHANNEL, user: USERS.bob }) });
    let readBack = hold;
    if (preRead) {
      await preRead.arrived;
      readBack = github.holdNext({ method: 'GET', path: secretPath });
      preRead.release();
    }
    if (!readBack) throw new Error('no hold');
    const stopped = readBack;
    await stopped.arrived;
    first.child.kill('SIGKILL');
    await first.exited;
    stopped.drop();
    assert.equal(dbRow()?.status, 'applying', 'killed while applying');
    assert.equal(successfulPuts(), killAt === 'before-put' ? 0 : 1);

    // The job's lease (60 s) belongs to the dead process; let it run out now rather than waiting.
    const db = new Database(dbFile);
    db.prepare("update jobs set lease_until = 0 where status = 'running'").run();
    db.close();

    second = await startChild();
    await eventually(() => ['done', 'failed'].includes(dbRow()?.status ?? ''), 'the restarted bot to finish the change', 30_000);
    const row = dbRow();
    await slack.waitFor((c) => c.method === 'chat.update' && /was replaced/.test(textOf(c)), 10_000);
    return { row, puts: successfulPuts(), value: github.decryptSecret(seed.github.repo, 'GHE_TOKEN'), token, out };
  } finally {
    first?.child.kill('SIGKILL');
    second?.child.kill('SIGKILL');
    await cleanup();
  }
}

describe('a replica killed while applying an approved change', () => {
  test('killed before the PUT: after restart the change is completed exactly once', { timeout: 120_000 }, async () => {
    const r = await scenario('before-put');
    assert.equal(r.row?.status, 'done');
    assert.equal(r.puts, 1);
    assert.equal(r.value, r.token);
    assert.equal(r.row?.ciphertext, null);
    assert.equal(r.out.includes(r.token), false, 'the token is in no log line');
  });

  test('killed after the PUT reached GitHub: after restart it is recognised as done, not written again', { timeout: 120_000 }, async () => {
    const r = await scenario('after-put');
    assert.equal(r.row?.status, 'done');
    assert.equal(r.puts, 1, 'no second PUT');
    assert.equal(r.value, r.token);
    assert.match(r.row?.outcome ?? '', /"recovered":true/);
  });
});
