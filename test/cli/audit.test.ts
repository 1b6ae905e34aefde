import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import { parseAuditArgs } from '../../src/cli/auditArgs.js';
import { openStore } from '../../src/store/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const tmpDir = mkdtempSync(join(tmpdir(), 'chatops-audit-cli-'));
after(() => rmSync(tmpDir, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node --import tsx src/cli/audit.ts …args` with DATABASE_URL set. */
function runCli(args: string[], databaseUrl: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/audit.ts', ...args],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl }, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

const JAN = (day: number) => new Date(Date.UTC(2026, 0, day, 12));

describe('npm run audit', () => {
  const file = join(tmpDir, 'audit.sqlite');

  before(async () => {
    const store = await openStore({ databaseUrl: file });
    try {
      await store.audit.record(
        { actor: 'U1', action: 'command:/release', repo: 'acme/app', detail: { tag: 'v1.0.0', note: 'a, "quoted"\nline' }, outcome: 'ok' },
        JAN(1),
      );
      await store.audit.record({ actor: 'system', action: 'job:follow', outcome: 'error:github_unavailable' }, JAN(2));
      await store.audit.record({ actor: 'U2', action: 'command:/sync-status', repo: 'acme/lib', detail: { n: 1 }, outcome: 'usage' }, JAN(3));
      await store.audit.record({ actor: 'U3', action: 'action:release-confirm', outcome: 'refused' }, JAN(4));
    } finally {
      await store.close();
    }
  });

  test('jsonl (the default): one entry per line, chain fields included, hashes recomputable', async () => {
    const r = await runCli([], file);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      lines.map((l) => l.actor),
      ['U1', 'system', 'U2', 'U3'],
    );
    assert.deepEqual(Object.keys(lines[0]!), ['id', 'at', 'actor', 'action', 'repo', 'detail', 'outcome', 'hash', 'prevHash']);
    assert.deepEqual(lines[0]!.detail, { tag: 'v1.0.0', note: 'a, "quoted"\nline' });
    assert.equal(lines[1]!.at, JAN(2).toISOString());
    // What the CLI's header comment promises: the export alone suffices to check the chain.
    let prev = '0'.repeat(64);
    for (const l of lines) {
      assert.equal(l.prevHash, prev);
      const detail = l.detail === null ? null : JSON.stringify(l.detail);
      const canonical = JSON.stringify(['release-chatops/audit/v1', prev, Date.parse(String(l.at)), l.actor, l.action, l.repo, detail, l.outcome]);
      assert.equal(l.hash, createHash('sha256').update(canonical).digest('hex'));
      prev = String(l.hash);
    }
  });

  test('--since and --until select by time (since inclusive, until exclusive)', async () => {
    const since = await runCli(['--since', '2026-01-03'], file);
    assert.equal(since.code, 0, since.stderr);
    assert.deepEqual(
      since.stdout
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { actor: string }).actor),
      ['U2', 'U3'],
    );

    const range = await runCli(['--since=2026-01-02T00:00:00Z', '--until', '2026-01-03T12:00:00Z'], file);
    assert.equal(range.code, 0, range.stderr);
    assert.deepEqual(
      range.stdout
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { actor: string }).actor),
      ['system'],
    );

    const none = await runCli(['--since', '2027-01-01'], file);
    assert.deepEqual({ code: none.code, stdout: none.stdout }, { code: 0, stdout: '' });
  });

  test('--format json is one array; --format csv has a header and quotes what needs it', async () => {
    const json = await runCli(['--format', 'json'], file);
    assert.equal(json.code, 0, json.stderr);
    const jsonl = await runCli([], file);
    assert.deepEqual(
      JSON.parse(json.stdout),
      jsonl.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    );
    const empty = await runCli(['--format', 'json', '--since', '2027-01-01'], file);
    assert.deepEqual(JSON.parse(empty.stdout), []);

    const csv = await runCli(['--format', 'csv', '--until', '2026-01-02'], file);
    assert.equal(csv.code, 0, csv.stderr);
    const [header, ...rows] = csv.stdout.split('\r\n');
    assert.equal(header, 'id,at,actor,action,repo,detail,outcome,hash,prevHash');
    assert.equal(rows.at(-1), '');
    assert.equal(rows.length, 2);
    assert.match(
      rows[0]!,
      /^1,2026-01-01T12:00:00\.000Z,U1,command:\/release,acme\/app,"\{""tag"":""v1\.0\.0"",""note"":""a, \\""quoted\\""\\nline""\}",ok,[0-9a-f]{64},0{64}$/,
    );
  });

  test('--verify: exit 0 with the count and head; after tampering, exit 1 naming the entry', async () => {
    const copy = join(tmpDir, 'tampered.sqlite');
    const src = new BetterSqlite3(file);
    await src.backup(copy);
    src.close();

    const ok = await runCli(['--verify'], copy);
    assert.equal(ok.code, 0, ok.stderr);
    const head = (await runCli([], copy)).stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { hash: string })
      .at(-1)!.hash;
    assert.equal(ok.stdout.trim().split('\n').length, 1);
    assert.match(ok.stdout, new RegExp(`\\b4 entries\\b.*${head}`));

    const db = new BetterSqlite3(copy);
    try {
      assert.equal(db.prepare("update audit_log set outcome = 'ok' where id = 2").run().changes, 1);
    } finally {
      db.close();
    }
    const broken = await runCli(['--verify'], copy);
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, /broken at entry 2\b/);
    assert.doesNotMatch(broken.stdout + broken.stderr, /\n\s+at /);
  });

  test('bad arguments: exit 2, one line of usage, no stack trace', async () => {
    // Three spawns; parseAuditArgs' cases are covered below without a process each.
    for (const args of [['--bogus'], ['--since', 'yesterday'], ['--verify', '--since', '2026-01-01']]) {
      const r = await runCli(args, file);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(lines[0]!, /^audit: .*usage: npm run audit/);
      assert.doesNotMatch(r.stderr, /\bat .*\.(ts|js):\d+/);
    }
  });

  test('a SQLite file that does not exist is not created: exit 3', async () => {
    const missing = join(tmpDir, 'nope', 'missing.sqlite');
    const r = await runCli([], missing);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /no database at .*missing\.sqlite/);
    const again = await runCli([], missing);
    assert.equal(again.code, 3, 'still missing: the first run did not create it');
  });
});

describe('parseAuditArgs', () => {
  test('defaults to a jsonl export of everything', () => {
    assert.deepEqual(parseAuditArgs([]), { ok: true, command: { kind: 'export', format: 'jsonl' } });
  });
  test('dates: a day is midnight UTC; a date-time needs its offset', () => {
    assert.deepEqual(parseAuditArgs(['--since', '2026-01-01', '--until=2026-02-01T10:30:00+02:00', '--format', 'csv']), {
      ok: true,
      command: { kind: 'export', format: 'csv', since: new Date('2026-01-01T00:00:00.000Z'), until: new Date('2026-02-01T08:30:00.000Z') },
    });
    assert.equal(parseAuditArgs(['--since', '2026-01-01T10:30:00']).ok, false);
    assert.equal(parseAuditArgs(['--since', '1']).ok, false);
    assert.equal(parseAuditArgs(['--until', '2026-13-01']).ok, false);
    assert.equal(parseAuditArgs(['--since', '2026-02-30']).ok, false);
    assert.equal(parseAuditArgs(['--format', 'xml']).ok, false);
  });
  test('since must come before until', () => {
    assert.deepEqual(parseAuditArgs(['--since', '2026-02-01', '--until', '2026-02-01']), { ok: false, error: '--since must be before --until' });
  });
  test('--verify alone; --help', () => {
    assert.deepEqual(parseAuditArgs(['--verify']), { ok: true, command: { kind: 'verify' } });
    assert.equal(parseAuditArgs(['--verify', '--format', 'csv']).ok, false);
    assert.equal(parseAuditArgs(['--verify=yes']).ok, false);
    assert.deepEqual(parseAuditArgs(['-h']), { ok: true, command: { kind: 'help' } });
  });
  test('errors are one short line', () => {
    for (const args of [['--nope'], ['--since'], ['pos'], ['--since', '--until']]) {
      const r = parseAuditArgs(args);
      assert.equal(r.ok, false);
      assert.ok(!r.ok && !r.error.includes('\n') && r.error.length < 120, JSON.stringify(r));
    }
  });
});
