import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SANDBOX_BOT_TOKEN, SANDBOX_SIGNING_SECRET } from '../src/bot.js';

/** `npm run sandbox` as its own process: what its terminal says, driven through the page's HTTP API. */

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
// The seed's fixed tokens (src/sandbox/scenario.ts): the old GHE_TOKEN, the bots' GitHub and GHE tokens.
const SEEDED = ['ghp_fakeGheSyncToken0000000000000000000000', 'ghp_fakeGheBotToken00000000000000000000000', SANDBOX_BOT_TOKEN, SANDBOX_SIGNING_SECRET];

test('npm run sandbox: a banner of what runs where, the URL to open, and a short sanitized log of what the bot does', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', main], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const until = async (what: string, f: () => boolean, ms = 60_000) => {
    const deadline = Date.now() + ms;
    while (!f()) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`timed out waiting for ${what}\n--- stdout\n${out}\n--- stderr\n${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  try {
    await until('the URL to open', () => /^Open http:\/\/127\.0\.0\.1:\d+\/$/m.test(out));
    for (const [what, re] of [
      ['the bot', /^ {2}bot +http:\/\/127\.0\.0\.1:\d+ /m],
      ['fake Slack', /^ {2}fake Slack +http:\/\/127\.0\.0\.1:\d+/m],
      ['fake github.com', /^ {2}fake github\.com +http:\/\/127\.0\.0\.1:\d+/m],
      ['fake GHE', /^ {2}fake GHE +http:\/\/127\.0\.0\.1:\d+ +\(wats\.ghe\.com/m],
      ['the store file', /^ {2}store +\S+\.sqlite /m],
    ] as const)
      assert.match(out, re, `the banner names ${what}`);
    const url = /^Open (\S+)$/m.exec(out)?.[1] ?? '';
    const botUrl = /^ {2}bot +(\S+)/m.exec(out)?.[1] ?? '';
    assert.equal((await fetch(new URL('/readyz', botUrl))).status, 200, 'the bot the banner names is ready');

    const post = async (path: string, body: unknown) =>
      (await fetch(new URL(path, url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<{
        ok: boolean;
      }>;
    assert.equal((await post('/api/command', { user: 'alice', text: '/sync-status' })).ok, true);
    await until('the command’s log line', () => /^\d\d:\d\d:\d\d {2}alice typed \/sync-status → HTTP 200$/m.test(out));
    // A pasted token in a message: the log line is sanitized (and the bot's leak check runs as a job).
    assert.equal((await post('/api/command', { user: 'alice', text: `oops ${SEEDED[0]}` })).ok, true);
    await until('the message’s log line', () => /^\d\d:\d\d:\d\d {2}alice wrote "oops .*" → HTTP 200$/m.test(out));
    await until('a job’s log line', () => /^\d\d:\d\d:\d\d {2}job \S+: /m.test(out));
    assert.equal(
      out.split('\n').some((l) => l.includes('"level"')),
      false,
      'not the bot’s pino log',
    );
    for (const t of SEEDED) assert.equal(out.includes(t) || err.includes(t), false, `a seeded secret (${t.slice(0, 8)}…) never appears`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
});
