import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, slackLogger } from '../../src/log/logger.js';
import fc from 'fast-check';
import { Sanitizer } from '../../src/log/sanitizer.js';
import { ENTRY_LINK_IN_TEXT } from '../../src/services/entryLinks.js';

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

describe('Sanitizer registrations', () => {
  const bare = () => new Sanitizer((t) => t);

  test('counted per registration: a pasted value equal to the bot credential stays masked after the paste is released', () => {
    const s = bare();
    const credential = 'bot-credential-0123456789';
    s.register(credential); // the bot's own, for good
    const releasePaste = s.register(credential);
    releasePaste();
    releasePaste(); // idempotent: a second call cannot release the bot's registration
    assert.equal(s.scrub(`x ${credential} y`), 'x [REDACTED] y');
    s.unregister(credential);
    assert.equal(s.scrub(`x ${credential} y`), `x ${credential} y`, 'the last registration released: no longer masked');
    assert.equal(s.size, 0, 'nothing kept');
  });

  test('two pastes of one value: masked until both are released', () => {
    const s = bare();
    const v = 'pasted-value-abcdefgh';
    const a = s.register(v);
    const b = s.register(`  ${v}\n`);
    a();
    assert.equal(s.scrub(v), '[REDACTED]', 'the other paste still holds it');
    b();
    assert.equal(s.scrub(v), v);
    assert.equal(s.size, 0);
  });

  test('a PEM key: masked whole and line by line; after release no form (line, JSON, base64) is kept', () => {
    const s = bare();
    const body = [
      'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
      'QyNTUxOQAAACDh2c3XwYf3o4m0oK9ZP7nLh7OdQ6D3BrHj3sYQ3cYQAAAAJg0QmCsNEJgr',
    ];
    const pem = `-----BEGIN OPENSSH PRIVATE KEY-----\n${body.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
    const release = s.register(pem);
    for (const line of body) assert.equal(s.scrub(`log: ${line} end`), 'log: [REDACTED] end', 'each line alone');
    assert.equal(s.scrub(JSON.stringify({ key: pem })), JSON.stringify({ key: '[REDACTED]' }), 'JSON-escaped whole');
    assert.ok(s.size > body.length, 'the whole key, its lines and encodings are registered');
    release();
    assert.equal(s.size, 0, 'no line form is kept after release');
    for (const line of body) assert.equal(s.scrub(line), line);
  });

  test('an untrimmed paste: the trimmed value (the one used) is masked too', () => {
    const s = bare();
    const release = s.register('  trimmed-value-0123456789 \r\n');
    assert.equal(s.scrub('used trimmed-value-0123456789.'), 'used [REDACTED].');
    release();
    assert.equal(s.size, 0);
  });

  test('base64 and base64url forms, at every position inside a longer encoded text (Basic auth)', () => {
    const s = bare();
    const token = 'ghp_Base64Form0123456789abcdefghijklmnop';
    s.register(token);
    // git over HTTPS as Actions does it: AUTHORIZATION: basic base64("x-access-token:" + token)
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    assert.equal(s.scrub(basic).includes('[REDACTED]'), true, s.scrub(basic));
    for (const prefix of ['', 'a', 'ab', 'abc', 'user:', 'x-access-token:', 'oauth2:']) {
      for (const suffix of ['', '!', '\n']) {
        for (const enc of ['base64', 'base64url'] as const) {
          const encoded = Buffer.from(`${prefix}${token}${suffix}`).toString(enc);
          const out = s.scrub(`header ${encoded} trailer`);
          assert.ok(out.includes('[REDACTED]'), `${enc} with prefix ${JSON.stringify(prefix)}: ${out}`);
          // What is left of the encoding is at most the prefix's and suffix's own groups.
          const left = out.replace('header ', '').replace(' trailer', '').replace('[REDACTED]', '');
          assert.ok(left.length <= 4 * Math.ceil((prefix.length + suffix.length) / 3) + 8, `little of it is left: ${left}`);
        }
      }
    }
  });

  test('property: a registered value never survives base64 encoding with any prefix', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 12, maxLength: 60 }), fc.string({ maxLength: 20 }), fc.string({ maxLength: 5 }), (secret, prefix, suffix) => {
        const s = bare();
        s.register(secret);
        if (secret.trim().length < 8) return;
        const encoded = Buffer.from(`${prefix}${secret}${suffix}`).toString('base64');
        const out = s.scrub(encoded);
        // Decoding what is left cannot give the value back.
        assert.equal(
          Buffer.from(out.replace(/\[REDACTED\]/g, ''), 'base64')
            .toString('utf8')
            .includes(secret),
          false,
        );
        assert.notEqual(out, encoded);
      }),
      { numRuns: 300 },
    );
  });

  test('patterns: a masked-page link in a logged URL is masked on every replica, whoever minted it', () => {
    const s = new Sanitizer();
    s.maskPattern(ENTRY_LINK_IN_TEXT.re, ENTRY_LINK_IN_TEXT.replacement);
    s.maskPattern(ENTRY_LINK_IN_TEXT.re, ENTRY_LINK_IN_TEXT.replacement); // once only
    const link = 'Zk3v_9-abcdefghijklmnopqrstuvwxyz0123456789AB';
    assert.equal(s.scrub(`Unhandled HTTP request (HEAD) made to /enter/${link}`), 'Unhandled HTTP request (HEAD) made to /enter/[REDACTED]');
    assert.equal(s.scrub(`{"url":"https://chatops.example/enter/${link}?x=1"}`), '{"url":"https://chatops.example/enter/[REDACTED]?x=1"}');
    assert.equal(s.scrub(`next=%2Fenter%2F${link}`), 'next=%2Fenter%2F[REDACTED]');
  });
});
