import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SANDBOX_USERS as U } from '../src/bot.js';
import { startSandbox } from '../src/world.js';
import { POST_ROUTES } from '../src/ui/api.js';
import { loadCommands } from '../src/ui/commands.js';

async function until<T>(what: string, f: () => T | undefined | null | false, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('the composer sends plain messages as message events (a pasted token is caught), and the Home tab is published', async () => {
  const s = await startSandbox({ logLevel: 'error' });
  try {
    const ctx = { commands: loadCommands() };
    const token = `ghp_${'a1B2c3D4e5'.repeat(3)}xyz123`;
    const answer = await POST_ROUTES['/api/command']!(s, { user: U.carol, text: `here is the token ${token}` }, ctx as never);
    assert.equal((answer.body as { ok: boolean }).ok, true, JSON.stringify(answer.body));
    const mine = s.slack.messages(s.channel).find((m) => m.user === U.carol && !m.ephemeralTo);
    assert.ok(mine, 'the message is in the channel as carol');
    // The bot heard it as a `message` event: its leak detection answers about the token.
    const warning = await until('the leak warning', () =>
      s.slack
        .messages(s.channel)
        .find(
          (m) =>
            m.user === s.slack.workspace.botUserId &&
            /token|secret|leak/i.test(`${m.text ?? ''}${JSON.stringify(m.blocks ?? [])}`) &&
            (m.thread_ts === mine.ts || m.ephemeralTo === U.carol),
        ),
    );
    assert.doesNotMatch(`${warning.text ?? ''}${JSON.stringify(warning.blocks ?? [])}`, new RegExp(token), 'the warning does not repeat the token');

    assert.equal(s.driver.screen(U.alice).home, null);
    const home = await POST_ROUTES['/api/home']!(s, { user: U.alice }, ctx as never);
    assert.equal((home.body as { ok: boolean }).ok, true);
    const view = await until('the Home tab', () => s.driver.screen(U.alice).home);
    assert.equal(view.type, 'home');
    assert.ok(Array.isArray(view.blocks) && view.blocks.length > 0, 'the Home tab has content');
  } finally {
    await s.stop();
  }
});
