import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CredentialRefusedError } from '../../src/errors.js';
import { createLogger } from '../../src/log/logger.js';
import { Sanitizer } from '../../src/log/sanitizer.js';
import { runStartupChecks, StartupStatus, type CredentialCheck, type ProbeOutcome } from '../../src/services/startupChecks.js';

/** The retry loop itself, with checks given as data (the process-level tests use the real hosts' fakes). */

function collectingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) };
  return { lines, logger: createLogger({ level: 'info', sanitizer: new Sanitizer(), destination }) };
}

function scripted(variable: string, outcomes: ProbeOutcome[]): CredentialCheck & { calls: number[] } {
  const calls: number[] = [];
  return {
    variable,
    url: `GET https://${variable.toLowerCase()}.example/user`,
    calls,
    probe: () => {
      calls.push(Date.now());
      return Promise.resolve(outcomes[Math.min(calls.length - 1, outcomes.length - 1)]!);
    },
  };
}

describe('runStartupChecks', () => {
  test('a refusal stops start-up at once, naming its variable, while another check still waits; the waiting one stops retrying', async () => {
    const { logger } = collectingLogger();
    const waiting = scripted('SLOW_TOKEN', [{ kind: 'unreachable', reason: 'connection refused' }]);
    const refused = scripted('BAD_TOKEN', [
      { kind: 'unreachable', reason: 'HTTP 502' },
      { kind: 'refused', reason: 'HTTP 401: Bad credentials' },
    ]);
    const status = new StartupStatus();
    await assert.rejects(
      runStartupChecks([waiting, refused], { status, logger, backoff: { firstMs: 20, maxMs: 20 } }),
      (e: unknown) =>
        e instanceof CredentialRefusedError &&
        e.variable === 'BAD_TOKEN' &&
        /^`BAD_TOKEN` was refused by GET https:\/\/bad_token\.example\/user: HTTP 401: Bad credentials$/.test(e.userMessage),
    );
    const seen = waiting.calls.length;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(waiting.calls.length, seen, 'no retry after start-up was stopped');
    assert.equal(status.ready, false);
  });

  test('back-off doubles up to its cap, a Retry-After is honoured, each wait is logged with the URL and reported by /readyz until the host answers', async () => {
    const { lines, logger } = collectingLogger();
    const check = scripted('GITHUB_TOKEN', [
      { kind: 'unreachable', reason: 'HTTP 503' },
      { kind: 'unreachable', reason: 'HTTP 503' },
      { kind: 'unreachable', reason: 'HTTP 503' },
      { kind: 'unreachable', reason: 'rate-limited (HTTP 429)', retryAfterMs: 150 },
      { kind: 'ok', who: 'user bot' },
    ]);
    const status = new StartupStatus();
    const reports: string[] = [];
    const run = runStartupChecks([check], { status, logger, backoff: { firstMs: 20, maxMs: 50 } });
    const poll = setInterval(() => reports.push(status.report().reason), 5);
    await run;
    clearInterval(poll);
    const delays = lines.filter((l) => l.retryInMs !== undefined).map((l) => l.retryInMs);
    assert.deepEqual(delays, [20, 40, 50, 150]);
    for (const l of lines.filter((x) => x.retryInMs !== undefined)) {
      assert.equal(l.url, 'GET https://github_token.example/user');
      assert.match(String(l.msg), /^GET https:\/\/github_token\.example\/user does not answer \(.+\); GITHUB_TOKEN not checked yet; retrying in [\d.]+ s$/);
    }
    assert.ok(
      reports.some((r) => r.includes('does not answer (HTTP 503)')),
      'the reason was reported while waiting',
    );
    assert.ok(reports.some((r) => r.includes('rate-limited')));
    assert.equal(status.report().waiting.length, 0, 'nothing waits once the host answered');
    assert.ok(lines.some((l) => l.msg === 'GITHUB_TOKEN accepted by GET https://github_token.example/user (user bot)'));
    assert.equal(status.ready, false, 'ready only when the app runs (markReady)');
    status.markReady();
    assert.equal(status.ready, true);
  });
});
