import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../src/world.js';
import { runTour } from '../src/tour.js';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

test('npm run sandbox -- --tour: the whole tour passes, exits 0, and its transcript shows each flow', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', main, '--tour'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) t.diagnostic(`${out.slice(-4000)}\n${err.slice(-2000)}`);
  assert.equal(code, 0);
  assert.match(out, /# Tour passed: 4\/4 steps/);
  for (const line of [
    /✓ diagnosis: authentication failed/,
    /✓ the tag missing on GHE is named \(v0\.1\.0b39\)/,
    /✓ the channel message says Released, for everyone/,
    /You are not an approver of secret changes, so this click changed nothing\. @bob can approve or deny it/,
    /✓ GHE_TOKEN now holds the new token/,
    /✓ the mirror now has v0\.1\.0b39/,
    /✓ posted at start-up, 30-day threshold: 25 days left/,
    /Rotated by @alice/,
    /✓ edited once GHE_TOKEN was rotated: no Start rotation button left/,
  ]) {
    assert.match(out, line);
  }
  assert.doesNotMatch(out, /✗/);
});

test('a tour whose world misbehaves reports the failed step and is not ok (the exit code follows it)', async () => {
  const s = await startSandbox({ logLevel: 'error' });
  try {
    // GitHub refuses every dispatch: /release cannot reach its end.
    s.github.failNext(
      { method: 'POST', path: /\/dispatches$/ },
      { status: 422, times: 100, body: { message: "Workflow does not have 'workflow_dispatch' trigger" } },
    );
    const lines: string[] = [];
    const r = await runTour(s, (l) => lines.push(l), { stepTimeoutMs: 4000 });
    assert.equal(r.ok, false);
    const release = r.steps.find((x) => x.name.startsWith('/release'));
    assert.equal(release?.ok, false, 'the release step failed');
    assert.equal(r.steps.find((x) => x.name.startsWith('/sync-status'))?.ok, true, 'the others still ran');
    assert.match(lines.join('\n'), /# Tour FAILED/);
  } finally {
    await s.stop();
  }
});
