import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, slackLogger } from '../../src/log/logger.js';
import { Sanitizer } from '../../src/log/sanitizer.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, destination: destination as unknown as NodeJS.WritableStream & { write(s: string): boolean } };
}

describe('Sanitizer and logger', () => {
  test('a registered credential never reaches a log line, in any field or error', () => {
    const sanitizer = new Sanitizer();
    const secret = 'signing-secret-7f3a9c';
    sanitizer.register(secret);
    const { lines, destination } = capture();
    const log = createLogger({ level: 'debug', sanitizer, destination });
    log.info({ note: `value is ${secret}` }, `message with ${secret}`);
    log.error({ err: new Error(`failed with ${secret}`) }, 'boom');
    log.warn({ nested: { deeper: [secret] } }, 'nested');
    slackLogger(log).error('bolt says', secret, { secret });
    const out = lines.join('');
    assert.equal(lines.length, 4);
    assert.ok(!out.includes(secret), out);
    assert.ok(out.includes('[REDACTED]'));
  });

  test('token-shaped strings are redacted even when not registered', () => {
    const sanitizer = new Sanitizer();
    const { lines, destination } = capture();
    const log = createLogger({ level: 'info', sanitizer, destination });
    const pat = `ghp_${'A1b2'.repeat(9)}`;
    const fine = `github_pat_${'x9'.repeat(20)}`;
    log.info(`push to https://oauth2:${pat}@wats.ghe.com/ with ${fine} and xoxb-1234567890-abcdef`);
    const out = lines.join('');
    assert.ok(!out.includes(pat) && !out.includes(fine) && !out.includes('xoxb-1234567890-abcdef'), out);
  });

  test('JSON-escaped and URL-encoded forms of a secret are masked too', () => {
    const sanitizer = new Sanitizer();
    const secret = 'p@ss"word/with spaces';
    sanitizer.register(secret);
    assert.equal(sanitizer.scrub(JSON.stringify({ v: secret })), JSON.stringify({ v: '[REDACTED]' }));
    assert.equal(sanitizer.scrub(`?t=${encodeURIComponent(secret)}`), '?t=[REDACTED]');
  });

  test('short values are not registered (they would mangle logs)', () => {
    const sanitizer = new Sanitizer();
    sanitizer.register('abc');
    assert.equal(sanitizer.scrub('abc def'), 'abc def');
  });
});
