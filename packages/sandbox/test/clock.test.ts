import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SANDBOX_USERS as U } from '../src/bot.js';
import { runTour } from '../src/tour.js';
import { buttonsOf } from '../src/transcript.js';
import { startSandbox } from '../src/world.js';
import type { StoredMessage } from '@chatops/fake-slack/workspace.js';

// The sandbox's fake GitHub, fake Slack and the bot read one clock: the times the tour's
// transcript prints agree with each other and with the messages' own timestamps.

const MINUTE = 60_000;
/** `2026-12-07 17:02 UTC` -> ms. */
const utc = (s: string) => Date.parse(`${s.replace(' UTC', '').replace(' ', 'T')}:00Z`);
const tsMs = (m: StoredMessage) => Number(m.ts) * 1000;
const textOf = (m: StoredMessage) => `${m.text ?? ''}\n${JSON.stringify(m.blocks ?? [])}`;

test('one clock: message times, run times, approval and write, and a link’s expiry agree', async () => {
  const s = await startSandbox({ logLevel: 'error' });
  try {
    const lines: string[] = [];
    const r = await runTour(s, (l) => lines.push(l));
    assert.equal(r.ok, true, lines.join('\n'));
    const transcript = lines.join('\n');
    const all = () => s.slack.messages(s.channel);

    // "Approved by @bob T1 … GitHub now shows it updated T2": the write does not come before the approval.
    const approved = /Approved by @bob (\d{4}-\d\d-\d\d \d\d:\d\d UTC)\. .* updated (\d{4}-\d\d-\d\d \d\d:\d\d UTC)/.exec(transcript);
    assert.ok(approved, 'the approval line is in the transcript');
    assert.ok(utc(approved[1]!) <= utc(approved[2]!), `approved ${approved[1]} after the write ${approved[2]}`);

    // The checklist says when the rotation started; Slack stamped the message at that minute.
    const started = /Started by @alice (\d{4}-\d\d-\d\d \d\d:\d\d UTC) for/.exec(transcript);
    assert.ok(started);
    const checklist = all().find((m) => !m.thread_ts && /Rotation of GHE_TOKEN/.test(textOf(m)));
    assert.ok(checklist);
    const startedAt = utc(started[1]!);
    assert.ok(
      tsMs(checklist) >= startedAt && tsMs(checklist) < startedAt + MINUTE,
      `started ${started[1]}, message ts ${new Date(tsMs(checklist)).toISOString()}`,
    );

    // The release's run was created after the confirmation prompt and before the channel message about it.
    const run = s.github.runs(s.seed.github.repo).find((x) => x.workflowPath.endsWith('release.yml') && x.event === 'workflow_dispatch');
    const prompt = all().find((m) => m.ephemeralTo === U.alice && /v0\.1\.0b39/.test(textOf(m)) && /release_confirm|confirmed/.test(textOf(m)));
    const releaseMessage = all().find((m) => !m.ephemeralTo && !m.thread_ts && /Release `v0\.1\.0b39`/.test(textOf(m)));
    assert.ok(run && prompt && releaseMessage);
    const created = Date.parse(run.createdAt);
    assert.ok(
      Math.floor(tsMs(prompt) / 1000) * 1000 <= created && created <= tsMs(releaseMessage),
      `prompt ${new Date(tsMs(prompt)).toISOString()}, run created ${run.createdAt}, message ${new Date(tsMs(releaseMessage)).toISOString()}`,
    );

    // The masked page's link, "valid 10 minutes", says until ten minutes after the message offering it.
    assert.equal((await s.driver.command(U.alice, '/rotate PAT_TOKEN')).ok, true);
    const enter = await until('the enter step', () =>
      all()
        .filter((m) => m.ephemeralTo === U.alice && /PAT_TOKEN/.test(textOf(m)) && buttonsOf(m.blocks).some((b) => b.actionId === 'rotation_masked_page'))
        .at(-1),
    );
    const b = buttonsOf(enter.blocks).find((x) => x.actionId === 'rotation_masked_page');
    assert.equal((await s.driver.click(U.alice, { messageTs: enter.ts, actionId: 'rotation_masked_page', ...(b?.value ? { value: b.value } : {}) })).ok, true);
    const link = await until('the masked page link', () => all().find((m) => m.ephemeralTo === U.alice && /Your one-time page/.test(textOf(m))));
    const until10 = /until <!date\^(\d+)\^/.exec(textOf(link));
    assert.ok(until10, textOf(link));
    const minutes = (Number(until10[1]) * 1000 - tsMs(link)) / MINUTE;
    assert.ok(minutes > 9 && minutes <= 10.05, `the link runs out ${minutes.toFixed(2)} minutes after it was posted`);
  } finally {
    await s.stop();
  }
});

async function until<T>(what: string, f: () => T | undefined | null | false, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
