import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTION_IDS } from '../../src/actions/ids.js';
import { ENTRY_LINK_MAX_ATTEMPTS } from '../../src/store/index.js';
import { ENTRY_REQUESTS_PER_WINDOW, ENTRY_WINDOW_MS } from '../../src/http/entryTraffic.js';
import { startReplica, USERS, withHarness, type Harness } from '../helpers/harness.js';
import { newGheToken } from '../helpers/secrets.js';
import { startRotation, threadApproval, waitEphemeral } from '../helpers/rotation.js';

const PUBLIC_URL = 'https://chatops.example.test';
const skipPg = process.env.CHATOPS_SKIP_PG === '1' ? 'CHATOPS_SKIP_PG=1' : false;

async function askForLink(h: Harness, rotationId: string): Promise<string> {
  const { responseUrl } = await h.click({ actionId: ACTION_IDS.rotationMaskedPage, value: rotationId, user: USERS.alice });
  const reply = JSON.stringify((await h.responseTo(responseUrl)).args);
  const m = /"url":"https:\/\/chatops\.example\.test(\/enter\/[A-Za-z0-9_-]+)"/.exec(reply);
  assert.ok(m?.[1], `a link in the answer: ${reply}`);
  return m[1];
}

const request = (base: string, path: string, method: string, o: { body?: string; headers?: Record<string, string> } = {}) =>
  fetch(`${base}${path}`, {
    method,
    redirect: 'manual',
    headers: { ...(o.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...(o.headers ?? {}) },
    ...(o.body !== undefined ? { body: o.body } : {}),
  });
const submit = (base: string, path: string, value: string, headers: Record<string, string> = {}) =>
  request(base, path, 'POST', { body: new URLSearchParams({ value }).toString(), headers });
const drain = async (r: Response) => {
  await r.body?.cancel();
  return r;
};
const pageAudit = async (h: Harness) => (await h.store.audit.list({ limit: 5000 })).filter((e) => e.action === 'page:secret-value');

describe('masked page under hostile traffic', () => {
  test('on a replica that did not mint the link: every method is answered and no log line holds the link', { skip: skipPg }, () =>
    withHarness({ store: 'postgres', env: { PUBLIC_URL } }, async (h) => {
      const other = await startReplica(h, { env: { PUBLIC_URL } });
      try {
        const { rotation, ts } = await startRotation(h);
        await waitEphemeral(h, USERS.alice, ts, /create a classic token/);
        const path = await askForLink(h, rotation.id);
        const link = path.split('/').at(-1) ?? '';
        const base = other.appUrl;

        const head = await drain(await request(base, path, 'HEAD'));
        assert.equal(head.status, 200, 'HEAD answers like GET');
        assert.equal(head.headers.get('cache-control'), 'no-store');
        const options = await drain(await request(base, path, 'OPTIONS'));
        assert.equal(options.status, 204);
        assert.equal(options.headers.get('allow'), 'GET, HEAD, POST');
        for (const method of ['PUT', 'DELETE', 'PATCH', 'PROPFIND']) {
          const r = await drain(await request(base, path, method, method === 'PUT' ? { body: 'value=x' } : {}));
          assert.equal(r.status, 405, method);
          assert.equal(r.headers.get('allow'), 'GET, HEAD, POST', method);
        }
        for (const odd of [`${path}/more`, '/enter', '/enter/', `/enter%2F${link}`, `${path}%ZZ`]) {
          const r = await drain(await request(base, odd, 'GET'));
          assert.ok([404, 410, 500].includes(r.status), `${odd} answered (${r.status})`);
        }
        const get = await request(base, path, 'GET');
        assert.equal(get.status, 200, 'the other replica serves the page');
        await get.body?.cancel();
        const token = newGheToken(h, { token: 'ghp_OTHERreplica0123456789abcdefghijklm01' });
        const ok = await submit(base, path, token);
        assert.equal(ok.status, 200, await ok.text());
        await threadApproval(h, ts);

        for (const [name, logs] of [
          ['minting replica', h.logs],
          ['other replica', other.logs],
        ] as const) {
          const all = logs.join('\n');
          assert.equal(all.includes(link), false, `${name}: the link is in no log line`);
          assert.equal(all.includes(link.slice(5, 30)), false, `${name}: not even in part`);
          assert.equal(all.includes(token), false, `${name}: nor the token`);
        }
        assert.match(other.logs.join('\n'), /\/enter(\/|%2F)\[REDACTED\]/, 'what was logged about the odd paths is masked, not absent');
      } finally {
        await other.stop({ keepFiles: true });
      }
    }),
  );

  test('GitHub down (503, 429, too slow): a good token is never refused as wrong, no try is spent, the link survives and works once GitHub is back', () =>
    withHarness({ env: { PUBLIC_URL } }, async (h) => {
      const { rotation, ts } = await startRotation(h);
      await waitEphemeral(h, USERS.alice, ts, /create a classic token/);
      const path = await askForLink(h, rotation.id);
      const token = newGheToken(h, { token: 'ghp_OUTAGEgood0123456789abcdefghijklmnop01' });
      const outages: Array<[string, () => void]> = [
        ['503', () => h.ghe.failNext({ path: /\/user$/ }, { status: 503, times: 50 })],
        ['429', () => h.ghe.failNext({ path: /\/user$/ }, { status: 429, times: 50, headers: { 'retry-after': '60' } })],
        ['502 on the bot side', () => h.github.failNext({ path: /\/actions\/secrets\/public-key$/ }, { status: 502, times: 50 })],
        ['too slow', () => h.ghe.setLatency(3_000)],
      ];
      // More outage submissions than the link has tries.
      for (let round = 0; round < 2; round++) {
        for (const [label, outage] of outages) {
          outage();
          const r = await submit(h.appUrl, path, token);
          const html = await r.text();
          assert.equal(r.status, 503, `${label}: ${html}`);
          assert.match(html, /did not answer, so the value could not be checked/, label);
          assert.match(html, /did not count as a try/, label);
          assert.match(html, new RegExp(`${ENTRY_LINK_MAX_ATTEMPTS} tries left`), `${label}: no try spent`);
          assert.equal(html.includes(token), false);
          h.ghe.clearFailures();
          h.github.clearFailures();
          h.ghe.setLatency(0);
        }
      }
      const wrong = await submit(h.appUrl, path, 'ghp_notARealTokenAtAll0123456789abcdefgh');
      const wrongHtml = await wrong.text();
      assert.equal(wrong.status, 422, 'a value GitHub refuses is still a wrong value');
      assert.match(wrongHtml, new RegExp(`${ENTRY_LINK_MAX_ATTEMPTS - 1} tries left`));
      const ok = await submit(h.appUrl, path, token);
      const okHtml = await ok.text();
      assert.equal(ok.status, 200, okHtml);
      assert.match(okHtml, /Checked and encrypted/);
      await threadApproval(h, ts);
      const outcomes = (await pageAudit(h)).map((e) => e.outcome);
      assert.equal(outcomes.filter((o) => o === 'refused:host_unavailable').length, outages.length * 2, 'each outage audited as such');
      assert.ok(outcomes.includes('refused:checks') && outcomes.includes('requested'));
    }));

  test('unauthenticated load: POSTs to made-up links are limited per address, answered every one, and audited as one row plus one summary per minute', (t) =>
    withHarness({ env: { PUBLIC_URL } }, async (h) => {
      const made = () => `/enter/${Math.random().toString(36).slice(2).padEnd(43, 'x').slice(0, 43)}`;
      const started = Date.now();
      const statuses: number[] = [];
      for (let batch = 0; batch < 10; batch++) {
        const rs = await Promise.all(Array.from({ length: 20 }, () => submit(h.appUrl, made(), 'ghp_guess0123456789abcdefghijklmnopqrstu')));
        for (const r of rs) {
          statuses.push(r.status);
          if (r.status === 429) assert.ok(Number(r.headers.get('retry-after')) >= 1, 'says how long to wait');
          await r.body?.cancel();
        }
      }
      t.diagnostic(`200 unauthenticated POSTs answered in ${Date.now() - started} ms`);
      assert.equal(statuses.length, 200, 'every request answered');
      assert.equal(statuses.filter((s) => s === 410).length, ENTRY_REQUESTS_PER_WINDOW, 'the first ones see "gone"');
      assert.equal(statuses.filter((s) => s === 429).length, 200 - ENTRY_REQUESTS_PER_WINDOW, 'the rest are turned away');
      assert.equal((await pageAudit(h)).length, 1, 'one row at once, not one per request');

      // Another client behind the same proxy has its own budget.
      const elsewhere = await drain(await submit(h.appUrl, made(), 'x', { 'x-forwarded-for': '198.51.100.7, 203.0.113.9' }));
      assert.equal(elsewhere.status, 410);
      const spoofed = await drain(await submit(h.appUrl, made(), 'x', { 'x-forwarded-for': '203.0.113.9' }));
      assert.equal(spoofed.status, 410, 'the address the proxy added counts, whatever the client prepends');

      // A real person, from the limited address, after the window.
      h.bot.advance(ENTRY_WINDOW_MS + 1000);
      const after = await drain(await request(h.appUrl, made(), 'GET'));
      assert.equal(after.status, 410, 'a new window: served again');
      let rows = await pageAudit(h);
      const deadline = Date.now() + 5000;
      while (!rows.some((e) => e.outcome === 'summary') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        rows = await pageAudit(h);
      }
      const summary = rows.find((e) => e.outcome === 'summary');
      assert.ok(summary, `a summary row: ${rows.map((e) => e.outcome).join(' ')}`);
      const d = summary.detail as {
        requests: number;
        rateLimited: number;
        outcomes: Record<string, number>;
        addresses: number;
        top: Array<{ address: string; requests: number }>;
      };
      assert.equal(d.requests, 202);
      assert.equal(d.rateLimited, 200 - ENTRY_REQUESTS_PER_WINDOW);
      assert.equal(d.outcomes['refused:gone'], ENTRY_REQUESTS_PER_WINDOW + 2);
      assert.equal(d.addresses, 2);
      assert.deepEqual(d.top[0], { address: '127.0.0.1', requests: 200 });
      assert.equal(rows.length, 2, 'two rows for 202 requests');
    }));
});
