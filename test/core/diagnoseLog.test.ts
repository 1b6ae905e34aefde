import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cleanLogLine, diagnoseLog, MAX_LOG_LINE } from '../../src/core/sync/diagnoseLog.js';
import { LOGS, logOf, pushStepLog } from './builders.js';

describe('diagnoseLog', () => {
  const cases: Array<[keyof typeof LOGS, string, string]> = [
    ['auth', 'auth_failed', 'remote: Invalid username or password.'],
    ['authMissingSecret', 'auth_failed', "fatal: could not read Username for 'https://wats.ghe.com': No such device or address"],
    ['forbidden', 'auth_failed', 'remote: Permission to WATS/pyWATS.git denied to github-actions-sync.'],
    ['protected', 'push_rejected', 'remote: error: GH006: Protected branch update failed for refs/heads/main.'],
    ['notFound', 'repo_not_found', 'remote: Repository not found.'],
    ['network', 'network', "fatal: unable to access 'https://wats.ghe.com/WATS/pyWATS.git/': Could not resolve host: wats.ghe.com"],
  ];
  for (const [log, kind, evidence] of cases) {
    test(`${log} log -> ${kind}, with the line as evidence, without its timestamp`, () => {
      const d = diagnoseLog(LOGS[log]);
      assert.equal(d.kind, kind);
      assert.equal(d.evidence, evidence);
      assert.deepEqual(d.context, []);
    });
  }

  for (const [line, kind] of [
    ['HTTP Basic: Access denied', 'auth_failed'],
    ["fatal: unable to access 'https://wats.ghe.com/x.git/': The requested URL returned error: 401", 'auth_failed'],
    ['error: failed to push some refs: pre-receive hook declined', 'push_rejected'],
    [' ! [remote rejected] v0.1.0b39 -> v0.1.0b39 (protected branch hook declined)', 'push_rejected'],
    [' ! [rejected]        main -> main (fetch first)', 'push_rejected'],
    ['remote: Not Found', 'repo_not_found'],
    ["fatal: unable to access 'https://wats.ghe.com/': Failed to connect to wats.ghe.com port 443 after 130 ms: Connection timed out", 'network'],
  ] as const) {
    test(`"${line.slice(0, 40)}…" -> ${kind}`, () => {
      assert.equal(diagnoseLog(pushStepLog([line])).kind, kind);
    });
  }

  test('a pattern that only appears in the echoed script of a `Run` group is not evidence', () => {
    const log = logOf([
      '##[group]Run git push ghe main || echo "fatal: Authentication failed"',
      'git push ghe main || echo "fatal: Authentication failed"',
      '##[endgroup]',
      'Everything up-to-date',
      '##[error]Process completed with exit code 1.',
    ]);
    const d = diagnoseLog(log);
    assert.equal(d.kind, 'other');
    assert.equal(d.evidence, 'Process completed with exit code 1.');
    assert.deepEqual(d.context, ['Everything up-to-date']);
  });

  test('output of a non-`Run` group counts', () => {
    const log = logOf(['##[group]Fetching the repository', "fatal: Authentication failed for 'https://github.com/x/y/'", '##[endgroup]']);
    assert.equal(diagnoseLog(log).kind, 'auth_failed');
  });

  test('other: the last ##[error] line and the 5 lines before it, stripped', () => {
    const d = diagnoseLog(LOGS.other);
    assert.equal(d.kind, 'other');
    assert.equal(d.evidence, 'Process completed with exit code 128.');
    assert.deepEqual(d.context, [
      'Counting objects: 100% (12/12), done.',
      'Delta compression using up to 4 threads',
      'error: RPC failed; HTTP 500 curl 22 The requested URL returned error: 500',
      'send-pack: unexpected disconnect while reading sideband packet',
      'fatal: the remote end hung up unexpectedly',
    ]);
  });

  test('other with fewer than 5 lines before the error keeps what there is', () => {
    const d = diagnoseLog(logOf(['boom', '##[error]it broke']));
    assert.deepEqual([d.kind, d.evidence, d.context], ['other', 'it broke', ['boom']]);
  });

  test('other without any ##[error]: no evidence, the last lines as context', () => {
    const d = diagnoseLog(logOf(['a', 'b', '', 'c', 'd', 'e', 'f', 'g']));
    assert.equal(d.evidence, null);
    assert.deepEqual(d.context, ['c', 'd', 'e', 'f', 'g']);
  });

  test('an empty log is "other" with nothing to show', () => {
    assert.deepEqual(diagnoseLog(''), { kind: 'other', evidence: null, context: [] });
  });

  test('CRLF line ends, ANSI colours and a BOM are removed', () => {
    const log = '\uFEFF2026-02-01T11:45:00.1234567Z \u001b[31mremote: Repository not found.\u001b[0m\r\n2026-02-01T11:45:00.2Z ##[error]x\r\n';
    const d = diagnoseLog(log);
    assert.equal(d.kind, 'repo_not_found');
    assert.equal(d.evidence, 'remote: Repository not found.');
  });

  test('a huge evidence line is cut to 200 characters', () => {
    const d = diagnoseLog(pushStepLog([`fatal: Authentication failed for '${'x'.repeat(5000)}'`]));
    assert.equal(d.kind, 'auth_failed');
    assert.ok(d.evidence !== null && d.evidence.length <= MAX_LOG_LINE);
    assert.ok(d.evidence.endsWith('…'));
  });

  test('huge context lines are cut too', () => {
    const d = diagnoseLog(logOf(['y'.repeat(10_000), '##[error]' + 'z'.repeat(10_000)]));
    assert.ok(d.context.every((l) => l.length <= MAX_LOG_LINE));
    assert.ok((d.evidence ?? '').length <= MAX_LOG_LINE);
  });

  describe('never echoes a token', () => {
    const classic = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
    const fine = 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRS';
    test('in evidence', () => {
      const d = diagnoseLog(pushStepLog([`fatal: Authentication failed for 'https://oauth2:${classic}@wats.ghe.com/WATS/pyWATS.git/'`]));
      assert.equal(d.kind, 'auth_failed');
      assert.ok(!d.evidence?.includes(classic));
      assert.ok(!d.evidence?.includes('oauth2:'));
      assert.match(d.evidence ?? '', /\[redacted\]@wats\.ghe\.com/);
    });
    test('in context lines of "other"', () => {
      const d = diagnoseLog(logOf([`token is ${fine}`, `GH_TOKEN=${'gho_' + 'x'.repeat(36)}`, 'url https://bot:hunter2@example.com/x', '##[error]failed']));
      const all = d.context.join('\n');
      assert.ok(!all.includes(fine) && !all.includes('gho_xxx') && !all.includes('hunter2'));
      assert.equal(d.context.filter((l) => l.includes('[redacted]')).length, 3);
    });
  });

  test('cleanLogLine strips the timestamp prefix only at the start', () => {
    assert.equal(cleanLogLine('2026-01-27T10:00:01.1234567Z at 2026-01-27T10:00:01Z it failed'), 'at 2026-01-27T10:00:01Z it failed');
  });
});
