import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SANDBOX_RECONCILE_SECONDS, SANDBOX_TAG_WITHOUT_RELEASE_MINUTES, startSandbox, type Sandbox } from '../src/world.js';
import { SANDBOX_USERS as U } from '../src/bot.js';
import type { ThreadedMessage } from '../src/driver.js';

const textOf = (m: { text?: string; blocks?: unknown[] }) => `${m.text ?? ''} ${JSON.stringify(m.blocks ?? [])}`;

async function until<T>(what: string, f: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The first button with this action id on a message the person sees (threads included). */
function findButton(s: Sandbox, user: string, actionId: string): { ts: string; value?: string } | null {
  const all: ThreadedMessage[] = s.driver.screen(user).messages.flatMap((m) => [m, ...m.replies.map((r) => ({ ...r, replies: [] }))]);
  for (const m of all.reverse()) {
    const hit = new RegExp(`"action_id":"${actionId}"(?:,"value":"([^"]*)")?`).exec(JSON.stringify(m.blocks ?? []));
    if (hit) return { ts: m.ts, ...(hit[1] !== undefined ? { value: hit[1] } : {}) };
  }
  return null;
}

test('the sandbox world: the seeded failure is diagnosed, a release runs to its end under the controls, and only the person who asked sees private answers', async () => {
  const s = await startSandbox({ logLevel: 'warn' });
  try {
    const r = await s.driver.command(U.alice, '/sync-status');
    assert.ok(r.ok);
    const report = await until('the report', () =>
      s.driver.screen(U.alice).messages.find((m) => m.ephemeralTo === U.alice && /authentication failed/i.test(textOf(m))),
    );
    assert.match(textOf(report), /v0\.1\.0b39/, 'the missing tag is named');
    assert.equal(
      s.driver.screen(U.bob).messages.some((m) => m.ts === report.ts),
      false,
      'bob does not see alice’s private report',
    );

    assert.ok((await s.driver.command(U.alice, '/release v0.1.0b39')).ok);
    const confirm = await until('the confirm button', () => findButton(s, U.alice, 'release_confirm'));
    assert.ok((await s.driver.click(U.alice, { messageTs: confirm.ts, actionId: 'release_confirm', ...(confirm.value ? { value: confirm.value } : {}) })).ok);
    const run = await until('the dispatched run', () => s.controls.runs().find((x) => x.workflow === 'release.yml' && x.event === 'workflow_dispatch'));
    s.controls.finish(run.id);
    assert.equal(s.controls.runs().find((x) => x.id === run.id)?.conclusion, 'success');
    const githubTime = s.github.state.clock.peek().getTime();
    assert.ok(githubTime > Date.now(), 'the run took minutes on the fake’s clock, in a few clicks');
    assert.ok(s.bot.deps.now().getTime() >= githubTime, 'the bot’s clock is not behind what GitHub reports');
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(s.bot.deps.now().getTime() > githubTime, 'and runs on from there (a clock held at the floor would stall the follower)');
    await until(
      'the release message to show success',
      () =>
        s.driver
          .screen(U.carol)
          .messages.find((m) => !m.ephemeralTo && /v0\.1\.0b39/.test(textOf(m)) && /succeeded|success|published|:white_check_mark:/i.test(textOf(m))),
      20_000,
    );

    assert.equal((await s.driver.command(U.alice, 'hello')).ok, false, 'plain text is not a command');
  } finally {
    await s.stop();
  }
});

test('sandbox controls: the next sync follows the token in GHE_TOKEN; a working token brings the mirror up to date', async () => {
  const s = await startSandbox({ logLevel: 'warn' });
  try {
    assert.equal(s.controls.tokenWorks(), false, 'the seeded token has expired');
    const failing = s.controls.pushTag('v0.1.0b40');
    s.controls.finish(failing);
    const failed = s.controls.runs().find((x) => x.id === failing);
    assert.equal(failed?.jobs.find((j) => j.key === 'sync-to-ghe')?.conclusion, 'failure');

    const token = s.controls.createToken('GHE_TOKEN');
    assert.equal(s.controls.secrets().find((x) => x.name === 'GHE_TOKEN')?.matchesLastCreated, false);
    s.github.setSecret(s.seed.github.repo, 'GHE_TOKEN', { value: token });
    assert.equal(s.controls.secrets().find((x) => x.name === 'GHE_TOKEN')?.matchesLastCreated, true);
    assert.equal(s.controls.tokenWorks(), true);
    const passing = s.controls.pushTag('v0.1.0b41');
    s.controls.finish(passing);
    assert.equal(s.controls.runs().find((x) => x.id === passing)?.conclusion, 'success');
    assert.ok(s.ghe.state.repo(s.seed.ghe.repo).tags.has('v0.1.0b41'), 'the mirror has the new tag');
    assert.ok(s.ghe.state.repo(s.seed.ghe.repo).tags.has('v0.1.0b39'), 'and the one it lacked');

    s.controls.syncMode = 'push-rejected';
    const rejected = s.controls.pushTag('v0.1.0b42');
    s.controls.finish(rejected);
    assert.equal(s.controls.runs().find((x) => x.id === rejected)?.conclusion, 'failure');
  } finally {
    await s.stop();
  }
});

test('sandbox: /rotate offers the masked page, which works from a browser against the real bot', async () => {
  const s = await startSandbox({ logLevel: 'warn' });
  try {
    assert.ok((await s.driver.command(U.alice, '/rotate GHE_TOKEN')).ok);
    const offer = await until('the masked-page button', () => findButton(s, U.alice, 'rotation_masked_page'));
    assert.ok((await s.driver.click(U.alice, { messageTs: offer.ts, actionId: 'rotation_masked_page', ...(offer.value ? { value: offer.value } : {}) })).ok);
    const url = await until('the link', () => {
      const all = s.driver.screen(U.alice).messages.flatMap((m) => [m, ...m.replies]);
      return all.map((m) => /"url":"(http:\/\/127\.0\.0\.1:\d+\/enter\/[A-Za-z0-9_-]{43})"/.exec(JSON.stringify(m.blocks ?? []))?.[1]).find(Boolean);
    });
    assert.equal(
      s.driver
        .screen(U.bob)
        .messages.flatMap((m) => [m, ...m.replies])
        .some((m) => JSON.stringify(m.blocks ?? []).includes(url)),
      false,
      'bob does not see alice’s link',
    );
    const form = await fetch(url);
    assert.equal(form.status, 200);
    assert.match(await form.text(), /type="password"/);
    const token = s.controls.createToken('GHE_TOKEN');
    const sent = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ value: token }).toString(),
    });
    assert.equal(sent.status, 200, await sent.clone().text());
    assert.match(await sent.text(), /Checked and encrypted/);
    const approve = await until('the approval request', () => findButton(s, U.bob, 'secret_change_approve'));
    assert.ok(
      (await s.driver.click(U.bob, { messageTs: approve.ts, actionId: 'secret_change_approve', ...(approve.value ? { value: approve.value } : {}) })).ok,
    );
    await until('the new token in GHE_TOKEN', () => s.controls.secrets().find((x) => x.name === 'GHE_TOKEN')?.matchesLastCreated === true);
  } finally {
    await s.stop();
  }
});

const SYNC_ALERT = /to GitHub Enterprise failed/;

test('sandbox webhooks: the fake github.com delivers signed events to the bot, so a failed sync is in the channel with Rotate GHE_TOKEN before anyone asks', async () => {
  const s = await startSandbox({ logLevel: 'warn' });
  try {
    await until('the bot to take the ping', () => s.controls.deliveries().delivered === 1);
    assert.equal(
      s.slack.messages(s.channel).some((m) => SYNC_ALERT.test(textOf(m))),
      false,
      'no alert before a sync runs',
    );
    const runId = s.controls.pushTag('v0.1.0b40');
    s.controls.finish(runId);
    const alert = await until('the sync alert', () => s.driver.screen(U.carol).messages.find((m) => !m.ephemeralTo && SYNC_ALERT.test(textOf(m))));
    assert.match(textOf(alert), /authentication failed/);
    assert.match(textOf(alert), /Rotate GHE_TOKEN/);
    await s.github.webhooks.settled();
    const panel = s.controls.deliveries();
    assert.equal(panel.failed + panel.lost, 0);
    assert.ok(panel.delivered > 2, 'the run, its jobs and the tag were delivered');
    assert.ok(await s.bot.store.githubEvents.run(s.seed.github.repo, runId), 'the bot has the run from the deliveries');

    // A tag pushed with no run after it (as semantic-release does with GITHUB_TOKEN): delivered, and no run starts.
    const runsBefore = s.controls.runs(50).length;
    s.controls.pushTagOnly('v0.1.0b41');
    await until('the tag in the bot’s projection', async () => (await s.bot.store.githubEvents.tag(s.seed.github.repo, 'v0.1.0b41')) !== null);
    assert.equal(s.controls.runs(50).length, runsBefore, 'no workflow ran for the tag');
    assert.deepEqual(
      s.controls
        .deliveries()
        .recent.slice(0, 2)
        .map((d) => d.event)
        .sort(),
      ['create', 'push'],
    );

    // The tag-without-release story: once the sandbox's minutes have passed on the bot's clock, the bot asks.
    const tagAlert = () =>
      s.driver.screen(U.carol).messages.find((m) => !m.ephemeralTo && /v0\.1\.0b41 was tagged \d+ minutes? ago but .*has not run for it/.test(textOf(m)));
    assert.equal(tagAlert(), undefined, 'nothing is said before the minutes have passed');
    s.bot.advance(SANDBOX_TAG_WITHOUT_RELEASE_MINUTES * 60_000 + 1000);
    const asked = await until('the tag-without-release alert', tagAlert);
    assert.match(textOf(asked), /Release now/);
    assert.match(textOf(asked), /PAT_TOKEN/);
  } finally {
    await s.stop();
  }
});

test('sandbox webhooks off: nothing is delivered, and the bot’s poller still catches up with the failed sync', async () => {
  const s = await startSandbox({ logLevel: 'warn' });
  try {
    await until('the bot to take the ping', () => s.controls.deliveries().delivered === 1);
    // The poller's first look (at start-up) takes what GitHub has then as where it starts from.
    await until('the poller’s first look', () => s.github.requests.some((r) => r.path.endsWith('/publish.yml/runs') && r.status === 200));
    s.controls.setDeliveries('off');
    const runId = s.controls.pushTag('v0.1.0b40');
    s.controls.finish(runId);
    await s.github.webhooks.settled();
    assert.equal(s.controls.deliveries().delivered, 1, 'only the ping was ever delivered');
    assert.equal(s.controls.deliveries().mode, 'off');
    // The poller reconciles every SANDBOX_RECONCILE_SECONDS with webhooks on; move everyone's clock past it
    // (again, should its look at start-up still have been under way when the run ended).
    const alertNow = () => s.driver.screen(U.carol).messages.find((m) => !m.ephemeralTo && SYNC_ALERT.test(textOf(m)));
    for (let i = 0; i < 8 && !alertNow(); i++) {
      s.bot.advance(SANDBOX_RECONCILE_SECONDS * 1000 + 1000);
      await new Promise((r) => setTimeout(r, 1500));
    }
    const alert = await until('the sync alert from polling', alertNow);
    assert.match(textOf(alert), /Rotate GHE_TOKEN/);
    assert.ok(await s.bot.store.githubEvents.run(s.seed.github.repo, runId), 'the run reached the projection by polling');

    s.controls.setDeliveries('drop');
    assert.equal(s.controls.deliveries().mode, 'drop');
    for (let i = 0; i < 10; i++) s.controls.pushTagOnly(`v0.2.0b${i + 1}`);
    await s.github.webhooks.settled();
    const d = s.controls.deliveries();
    assert.ok(d.lost > 0 && d.lost < 20, `some of the 20 deliveries lost (${d.lost})`);
  } finally {
    await s.stop();
  }
});
