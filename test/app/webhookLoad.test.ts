import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, request, type IncomingMessage, type ClientRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyTimeoutError, readBody } from '../../src/http/body.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { deliver } from '../helpers/webhooks.js';

/**
 * `/github/webhooks` under unauthenticated load: the body comes before the signature
 * can be checked, so what is read at once is bounded, and what can never be accepted
 * is refused before its body is read.
 */

const WEBHOOK_SECRET = 'whsec-load-test';
const MiB = 1024 * 1024;

/** A POST whose body the test writes itself (or never finishes), and its answer as soon as it comes. */
function openPost(base: string, headers: Record<string, string>): { req: ClientRequest; answer: Promise<IncomingMessage & { text: Promise<string> }> } {
  const url = new URL('/github/webhooks', base);
  const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers });
  const answer = new Promise<IncomingMessage & { text: Promise<string> }>((resolve, reject) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      const text = new Promise<string>((r) => {
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => r(Buffer.concat(chunks).toString('utf8')));
        res.on('error', () => r(Buffer.concat(chunks).toString('utf8')));
      });
      resolve(Object.assign(res, { text }));
    });
    req.on('error', reject);
  });
  // The server may close the connection on a refusal while the test still writes, and a test may drop one it never awaits.
  req.on('error', () => undefined);
  answer.catch(() => undefined);
  return { req, answer };
}

const sign = (body: Buffer | string) => `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`;
const WRONG = `sha256=${'0'.repeat(64)}`;

describe('/github/webhooks under unauthenticated load', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: { GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET } });
  });
  after(() => h.close());

  test('an unsigned 24 MiB body is refused before it is read', async () => {
    const { req, answer } = openPost(h.appUrl, { 'content-type': 'application/json', 'content-length': String(24 * MiB) });
    req.write(Buffer.alloc(64 * 1024, 0x20));
    // Only 64 KiB of 24 MiB sent: an answer now means the rest was never waited for.
    const res = await answer;
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers.connection, 'close');
    assert.match(await res.text, /missing or malformed X-Hub-Signature-256/);
    req.destroy();
  });

  test("a declared size over GitHub's 25 MB cap is refused at once", async () => {
    const { req, answer } = openPost(h.appUrl, { 'x-hub-signature-256': WRONG, 'content-length': String(26 * MiB) });
    req.write('{');
    const res = await answer;
    assert.equal(res.statusCode, 413);
    req.destroy();
  });

  test('at most 4 bodies are read at once: the 5th gets 503 with Retry-After at once, and a delivery is accepted once they end', async () => {
    const slow = Array.from({ length: 4 }, () => openPost(h.appUrl, { 'x-hub-signature-256': WRONG, 'transfer-encoding': 'chunked' }));
    for (const s of slow) s.req.write('{"a":');
    await new Promise((r) => setTimeout(r, 200));
    const fifth = openPost(h.appUrl, { 'x-hub-signature-256': WRONG, 'content-length': '2' });
    fifth.req.end('{}');
    const shed = await fifth.answer;
    assert.equal(shed.statusCode, 503);
    assert.equal(shed.headers['retry-after'], '1');
    for (const s of slow) s.req.end('1}');
    for (const s of slow) assert.equal((await s.answer).statusCode, 401, 'the slow ones are read and their wrong signature refused');
    const ok = await deliver({ appUrl: h.appUrl, secret: WEBHOOK_SECRET }, 'ping', { zen: 'Keep it logically awesome.' });
    assert.equal(ok.status, 202, 'slots are given back');
  });

  test('the bytes held at once are bounded: a second large body waits its turn (503) while one is read', async () => {
    const first = openPost(h.appUrl, { 'x-hub-signature-256': WRONG, 'content-length': String(20 * MiB) });
    first.req.write(Buffer.alloc(MiB, 0x20));
    await new Promise((r) => setTimeout(r, 200));
    const second = openPost(h.appUrl, { 'x-hub-signature-256': WRONG, 'content-length': String(20 * MiB) });
    second.req.write('{');
    assert.equal((await second.answer).statusCode, 503);
    second.req.destroy();
    first.req.destroy();
    // A small delivery still fits beside whatever is being read.
    const ok = await deliver({ appUrl: h.appUrl, secret: WEBHOOK_SECRET }, 'ping', { hook_id: 1 });
    assert.equal(ok.status, 202);
  });

  test('a signed body streamed in pieces is hashed as it comes and accepted; one byte changed is refused', async () => {
    const body = Buffer.from(JSON.stringify({ action: 'completed', workflow_run: { id: 42, name: 'x'.repeat(3 * MiB) } }));
    const good = openPost(h.appUrl, { 'x-hub-signature-256': sign(body), 'content-length': String(body.length) });
    for (let i = 0; i < body.length; i += 256 * 1024) good.req.write(body.subarray(i, i + 256 * 1024));
    good.req.end();
    assert.equal((await good.answer).statusCode, 202);
    const tampered = Buffer.from(body);
    tampered[10] = tampered[10] === 0x61 ? 0x62 : 0x61;
    const bad = await fetch(`${h.appUrl}/github/webhooks`, { method: 'POST', body: tampered, headers: { 'x-hub-signature-256': sign(body) } });
    assert.equal(bad.status, 401);
  });
});

describe('readBody', () => {
  test('a body that trickles in past the deadline fails with BodyTimeoutError, not a hang', async () => {
    const seen: unknown[] = [];
    const server = createServer((req, res) => {
      readBody(req, 1024, { timeoutMs: 300 }).then(
        (b) => seen.push(b),
        (e: unknown) => {
          seen.push(e);
          res.writeHead(408, { connection: 'close' }).end();
        },
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { req, answer } = openPost(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { 'transfer-encoding': 'chunked' });
      req.write('{');
      assert.equal((await answer).statusCode, 408);
      assert.ok(seen[0] instanceof BodyTimeoutError);
      req.destroy();
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
