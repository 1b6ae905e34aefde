import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { SANDBOX_USERS } from '../src/bot.js';
import { startSandbox, type Sandbox } from '../src/world.js';
import { startSandboxUi, type SandboxUi } from '../src/ui/server.js';
import { nextTag, type SandboxState } from '../src/ui/state.js';

/** The sandbox page's JSON API over real HTTP, against a started sandbox (the real bot on the fakes). */

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: Record<string, unknown>;
}

/** node:http rather than fetch, so Host, Origin and broken bodies can be sent as they are. */
function raw(ui: SandboxUi, method: string, path: string, o: { body?: string; headers?: Record<string, string> } = {}): Promise<Raw> {
  const url = new URL(path, ui.url);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}), ...o.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          /* not JSON: the page and its stylesheet */
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

const post = (ui: SandboxUi, path: string, body: unknown) => raw(ui, 'POST', path, { body: JSON.stringify(body) });

async function state(ui: SandboxUi, user: string): Promise<SandboxState> {
  const r = await raw(ui, 'GET', `/api/state?user=${user}`);
  assert.equal(r.status, 200, r.text);
  return r.json as unknown as SandboxState;
}

async function until<T>(what: string, f: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const blocksOf = (m: { text?: string; blocks?: unknown[] }) => `${m.text ?? ''} ${JSON.stringify(m.blocks ?? [])}`;

async function withUi(f: (s: Sandbox, ui: SandboxUi) => Promise<void>): Promise<void> {
  const s = await startSandbox({ logLevel: 'warn', logSink: () => {} });
  let ui: SandboxUi | undefined;
  try {
    ui = await startSandboxUi(s);
    await f(s, ui);
  } finally {
    await ui?.stop();
    await s.stop();
  }
}

test('nextTag: the tag after the newest beta, whatever order the tags come in', () => {
  assert.equal(nextTag(['v0.1.0b9', 'v0.1.0b39', 'v0.1.0b38', 'latest']), 'v0.1.0b40');
  assert.equal(nextTag(['v1.2.3rc2', 'v1.10.0rc1']), 'v1.10.0rc2');
  assert.equal(nextTag([]), 'v0.1.0b1');
});

test('the sandbox UI server: the page, the state of each person, commands, clicks, the GitHub controls, and never a secret value', async () => {
  await withUi(async (s, ui) => {
    assert.match(ui.url, /^http:\/\/127\.0\.0\.1:\d+\/$/, 'loopback only');

    const page = await raw(ui, 'GET', '/');
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /text\/html/);
    assert.match(String(page.headers['content-security-policy']), /script-src 'sha256-[A-Za-z0-9+/=]+'/, 'only the page’s own script may run');
    assert.doesNotMatch(page.text, /<script[^>]+src=|<link[^>]+href="https?:/, 'nothing is loaded from elsewhere');
    const css = await raw(ui, 'GET', '/page.css');
    assert.equal(css.status, 200);
    assert.match(String(css.headers['content-type']), /text\/css/);

    const first = await state(ui, 'alice');
    assert.equal(first.me.name, 'alice');
    assert.deepEqual(
      first.people.map((p) => p.name),
      ['alice', 'bob', 'carol'],
    );
    assert.equal(first.bot.name, 'Release ChatOps');
    assert.deepEqual(first.channel, { id: s.channel, name: 'releases' });
    assert.deepEqual(
      first.commands.map((c) => c.command).sort(),
      ['/release', '/rotate', '/secret', '/sync-status'],
      'the manifest’s commands, for the composer',
    );
    assert.equal(first.commands.find((c) => c.command === '/release')?.usage, '[repo] <tag>');
    assert.deepEqual(first.screen.messages, []);
    assert.deepEqual(first.screen.modals, []);
    assert.equal(first.github.repo, 'olreppe/pyWATS');
    assert.equal(first.github.syncMode, 'auto');
    assert.deepEqual(
      first.github.syncModes.map((m) => m.mode),
      ['auto', 'success', 'auth-failure', 'push-rejected', 'publish-failure'],
    );
    assert.equal(first.github.gheTokenWorks, false, 'the seeded GHE token has expired');
    assert.equal(first.github.nextTag, 'v0.1.0b40');
    const seededRun = first.github.runs[0];
    assert.equal(seededRun?.workflow, 'publish.yml');
    assert.equal(seededRun?.jobs.find((j) => j.key === 'sync-to-ghe')?.conclusion, 'failure');
    const gheSecret = first.github.secrets.find((x) => x.name === 'GHE_TOKEN');
    assert.ok(gheSecret?.updatedAt, 'secrets have their updated_at');
    assert.equal(gheSecret.matchesLastCreated, null, 'no token created yet');
    assert.deepEqual(Object.keys(gheSecret).sort(), ['matchesLastCreated', 'name', 'updatedAt'], 'a secret row has no value');
    assert.equal(JSON.stringify(first).includes(s.seed.ghe.syncToken), false, 'the stored token never appears');
    assert.equal((await state(ui, SANDBOX_USERS.bob)).me.name, 'bob', 'a person by Slack id works too');

    // A command as alice: her private confirmation, which bob does not see.
    const cmd = await post(ui, '/api/command', { user: 'alice', text: '/release v0.1.0b39' });
    assert.equal(cmd.status, 200, cmd.text);
    assert.equal(cmd.json.ok, true);
    const confirm = await until('the private confirmation', async () =>
      (await state(ui, 'alice')).screen.messages.find((m) => m.ephemeralTo && blocksOf(m).includes('release_confirm')),
    );
    assert.equal(
      (await state(ui, 'bob')).screen.messages.some((m) => m.ts === confirm.ts),
      false,
      'bob does not see alice’s confirmation',
    );
    const releaseId = /"action_id":"release_confirm","value":"([^"]+)"/.exec(blocksOf(confirm))?.[1];
    assert.ok(releaseId);

    // A click from the wrong person is refused by the driver, as Slack would (only the recipient sees an ephemeral).
    const wrong = await post(ui, '/api/click', { user: 'bob', messageTs: confirm.ts, actionId: 'release_confirm', value: releaseId });
    assert.equal(wrong.status, 200);
    assert.equal(wrong.json.ok, false);
    assert.match(String(wrong.json.error), /recipient/);

    const click = await post(ui, '/api/click', { user: 'alice', messageTs: confirm.ts, actionId: 'release_confirm', value: releaseId });
    assert.equal(click.json.ok, true, click.text);
    const run = await until('the dispatched run', async () =>
      (await state(ui, 'alice')).github.runs.find((r) => r.workflow === 'release.yml' && r.event === 'workflow_dispatch'),
    );
    const advanced = await post(ui, '/api/github/advance', { runId: run.id });
    assert.equal(advanced.json.ok, true);
    assert.match(String(advanced.json.said), /started/);
    const failed = await post(ui, '/api/github/fail', { runId: run.id });
    assert.match(String(failed.json.said), /failed/, failed.text);
    assert.equal((await state(ui, 'alice')).github.runs.find((r) => r.id === run.id)?.conclusion, 'failure');

    // Tokens: shown once to whoever created it, never in the state; the secrets table says whether it is stored.
    const minted = await post(ui, '/api/github/create-token', { secret: 'GHE_TOKEN' });
    assert.equal(minted.json.ok, true);
    assert.equal(minted.json.fake, true);
    const token = String(minted.json.token);
    assert.match(token, /^ghp_[A-Za-z0-9]{36}$/);
    const after = await state(ui, 'alice');
    assert.equal(JSON.stringify(after).includes(token), false, 'the created token is not in the state');
    assert.equal(after.github.secrets.find((x) => x.name === 'GHE_TOKEN')?.matchesLastCreated, false, 'created, not stored yet');
    s.github.setSecret(s.seed.github.repo, 'GHE_TOKEN', { value: token });
    const stored = await state(ui, 'alice');
    assert.equal(stored.github.secrets.find((x) => x.name === 'GHE_TOKEN')?.matchesLastCreated, true);
    assert.equal(stored.github.gheTokenWorks, true);

    const mode = await post(ui, '/api/github/sync-mode', { mode: 'push-rejected' });
    assert.equal(mode.json.syncMode, 'push-rejected');
    assert.equal((await state(ui, 'carol')).github.syncMode, 'push-rejected');

    const pushed = await post(ui, '/api/github/push-tag', { tag: 'v0.1.0b40' });
    assert.equal(pushed.json.ok, true, pushed.text);
    const pushedState = await state(ui, 'alice');
    assert.equal(pushedState.github.runs[0]?.id, pushed.json.runId);
    assert.equal(pushedState.github.runs[0]?.ref, 'v0.1.0b40');
    assert.equal(pushedState.github.nextTag, 'v0.1.0b41');
    const again = await post(ui, '/api/github/push-tag', { tag: 'v0.1.0b40' });
    assert.equal(again.status, 409);
    assert.equal(again.json.ok, false);

    // A tag with no run after it: the runs stay as they were, and the bot hears of the tag by webhook.
    const runsBefore = (await state(ui, 'alice')).github.runs.map((r) => r.id);
    const bare = await post(ui, '/api/github/push-tag', { tag: 'v0.1.0b41', run: false });
    assert.equal(bare.json.ok, true, bare.text);
    assert.equal(bare.json.runId, null);
    const bareState = await state(ui, 'alice');
    assert.deepEqual(
      bareState.github.runs.map((r) => r.id),
      runsBefore,
    );
    assert.equal(bareState.github.nextTag, 'v0.1.0b42');
    await until('the tag delivered to the bot', async () => (await state(ui, 'alice')).github.deliveries.recent[0]?.statusCode === 202);
    assert.deepEqual(
      (await state(ui, 'alice')).github.deliveries.recent.slice(0, 2).map((d) => d.event),
      ['create', 'push'],
    );

    // The deliveries switch.
    assert.equal(bareState.github.deliveries.mode, 'on');
    const off = await post(ui, '/api/github/deliveries', { mode: 'off' });
    assert.equal(off.json.ok, true, off.text);
    assert.equal((await state(ui, 'bob')).github.deliveries.mode, 'off');
    await s.github.webhooks.settled();
    const delivered = (await state(ui, 'bob')).github.deliveries.delivered;
    assert.equal((await post(ui, '/api/github/push-tag', { tag: 'v0.1.0b42', run: false })).json.ok, true);
    await s.github.webhooks.settled();
    assert.equal((await state(ui, 'bob')).github.deliveries.delivered, delivered, 'nothing delivered while off');
    assert.equal((await post(ui, '/api/github/deliveries', { mode: 'drop' })).json.ok, true);
    assert.equal((await state(ui, 'bob')).github.deliveries.mode, 'drop');
  });
});

test('the sandbox UI server: a modal round trip (open, field errors from the bot, close)', async () => {
  await withUi(async (_s, ui) => {
    assert.equal((await post(ui, '/api/command', { user: 'alice', text: '/rotate GHE_TOKEN' })).json.ok, true);
    const prompt = await until('the private step in the thread', async () =>
      (await state(ui, 'alice')).screen.messages.flatMap((m) => m.replies).find((r) => r.ephemeralTo && blocksOf(r).includes('rotation_enter')),
    );
    const rotationId = /"action_id":"rotation_enter","value":"([^"]+)"/.exec(blocksOf(prompt))?.[1];
    assert.ok(rotationId);
    assert.equal((await post(ui, '/api/click', { user: 'alice', messageTs: prompt.ts, actionId: 'rotation_enter', value: rotationId })).json.ok, true);
    const modal = await until('the modal', async () => (await state(ui, 'alice')).screen.modals.at(-1));
    assert.equal((await state(ui, 'bob')).screen.modals.length, 0, 'only alice has it open');

    const bad = await post(ui, '/api/submit', { user: 'alice', viewId: modal.id, values: { secret_value_block: { secret_value_input: 'not a token' } } });
    assert.equal(bad.json.ok, true);
    assert.equal(bad.json.note, 'errors');
    const withErrors = (await state(ui, 'alice')).screen.modals.at(-1);
    assert.equal(withErrors?.id, modal.id, 'the modal stays open');
    assert.ok(withErrors?.errors.secret_value_block, 'with the error under its input');
    assert.equal(JSON.stringify(withErrors).includes('not a token'), false, 'what was typed is not echoed back');

    const notOpen = await post(ui, '/api/close', { user: 'bob', viewId: modal.id });
    assert.equal(notOpen.status, 404);
    assert.equal((await post(ui, '/api/close', { user: 'alice', viewId: modal.id })).json.ok, true);
    assert.deepEqual((await state(ui, 'alice')).screen.modals, []);
    const late = await post(ui, '/api/submit', { user: 'alice', viewId: modal.id, values: {} });
    assert.equal(late.json.ok, false, 'a closed modal cannot be submitted');
  });
});

test('the sandbox UI server: bad requests get a 4xx JSON answer and the server keeps running', async () => {
  await withUi(async (_s, ui) => {
    const cases: Array<[string, Promise<Raw>, number]> = [
      ['not JSON', raw(ui, 'POST', '/api/command', { body: '{"user":' }), 400],
      ['not application/json', raw(ui, 'POST', '/api/command', { body: '{}', headers: { 'content-type': 'text/plain' } }), 415],
      ['no body', raw(ui, 'POST', '/api/command', { headers: { 'content-type': 'application/json' } }), 400],
      ['an array', post(ui, '/api/command', []), 400],
      ['an unknown person', post(ui, '/api/command', { user: 'mallory', text: '/release v1' }), 400],
      ['an empty command', post(ui, '/api/command', { user: 'alice', text: '' }), 400],
      ['an extra key', post(ui, '/api/command', { user: 'alice', text: '/sync-status', admin: true }), 400],
      ['both message and view', post(ui, '/api/click', { user: 'alice', messageTs: '1.000001', viewId: 'V1', actionId: 'x' }), 400],
      ['neither message nor view', post(ui, '/api/click', { user: 'alice', actionId: 'x' }), 400],
      ['a malformed ts', post(ui, '/api/click', { user: 'alice', messageTs: '../etc', actionId: 'x' }), 400],
      ['values that are not strings', post(ui, '/api/submit', { user: 'alice', viewId: 'V1', values: { b: { a: 1 } } }), 400],
      ['a run id as text', post(ui, '/api/github/advance', { runId: '1' }), 400],
      ['a negative run id', post(ui, '/api/github/fail', { runId: -1 }), 400],
      ['a run that does not exist', post(ui, '/api/github/advance', { runId: 123 }), 404],
      ['a tag that is not a version', post(ui, '/api/github/push-tag', { tag: 'main; rm -rf /' }), 400],
      ['an unknown sync mode', post(ui, '/api/github/sync-mode', { mode: 'explode' }), 400],
      ['an unknown deliveries mode', post(ui, '/api/github/deliveries', { mode: 'sometimes' }), 400],
      ['push-tag with run as text', post(ui, '/api/github/push-tag', { tag: 'v9.9.9', run: 'no' }), 400],
      ['an unknown secret', post(ui, '/api/github/create-token', { secret: 'AWS_KEY' }), 400],
      ['a body too large', raw(ui, 'POST', '/api/command', { body: JSON.stringify({ user: 'alice', text: 'x'.repeat(100_000) }) }), 413],
      ['GET on a POST route', raw(ui, 'GET', '/api/command'), 405],
      ['POST on the state', post(ui, '/api/state', {}), 405],
      ['a state without a person', raw(ui, 'GET', '/api/state'), 400],
      ['an unknown path', raw(ui, 'GET', '/../../etc/passwd'), 404],
      ['another Host (DNS rebinding)', raw(ui, 'GET', '/api/state?user=alice', { headers: { host: 'evil.example:80' } }), 403],
      ['a foreign Origin', raw(ui, 'POST', '/api/github/create-token', { body: '{"secret":"GHE_TOKEN"}', headers: { origin: 'https://evil.example' } }), 403],
    ];
    for (const [what, pending, status] of cases) {
      const r = await pending;
      assert.equal(r.status, status, `${what}: ${r.text}`);
      assert.equal(r.json.ok, false, `${what}: a JSON answer`);
      assert.equal(typeof r.json.error, 'string', what);
    }
    const issues = (await post(ui, '/api/command', { user: 'mallory', text: 1 })).json.issues as string[];
    assert.ok(issues.some((i) => i.startsWith('user:')) && issues.some((i) => i.startsWith('text:')), `every problem is named: ${issues.join('; ')}`);

    // Plain text is a message in the channel (the composer takes messages since issue 17); blank text is refused.
    const plainText = await post(ui, '/api/command', { user: 'alice', text: 'hello' });
    assert.equal(plainText.status, 200);
    assert.equal(plainText.json.ok, true, plainText.text);
    assert.ok(
      (await state(ui, 'bob')).screen.messages.some((m) => m.text === 'hello' && !m.ephemeralTo),
      'posted for everyone',
    );
    const blank = await post(ui, '/api/command', { user: 'alice', text: '   ' });
    assert.equal(blank.json.ok, false);
    assert.match(String(blank.json.error), /slash command/);

    // Slack refuses a command the app does not declare in its manifest, before the app hears of it.
    const unknown = await post(ui, '/api/command', { user: 'alice', text: '/deploy prod' });
    assert.equal(unknown.json.ok, false);
    assert.match(String(unknown.json.error), /^\/deploy is not a valid command/);

    const alive = await raw(ui, 'GET', '/api/state?user=carol');
    assert.equal(alive.status, 200, 'still serving');
  });
});

test('the README’s rotation walk-through through the page’s API, to the revoke step with the panel’s old token', async () => {
  await withUi(async (s, ui) => {
    type Msg = SandboxState['screen']['messages'][number];
    const all = async (user: string): Promise<Msg[]> =>
      (await state(ui, user)).screen.messages.flatMap((m) => [m, ...m.replies.map((r) => ({ ...r, replies: [] }))]);
    const button = (m: Msg, actionId: string) => new RegExp(`"action_id":"${actionId}"(?:,"value":"([^"]*)")?`).exec(JSON.stringify(m.blocks ?? []));
    const clickOn = async (user: string, m: Msg, actionId: string) => {
      const value = button(m, actionId)?.[1];
      const r = await post(ui, '/api/click', { user, messageTs: m.ts, actionId, ...(value !== undefined ? { value } : {}) });
      assert.equal(r.json.ok, true, r.text);
    };
    const mine = async (user: 'alice', actionId: string) =>
      (await all(user)).filter((m) => m.ephemeralTo === SANDBOX_USERS[user] && button(m, actionId)).at(-1);
    const checklist = async () => (await all('carol')).find((m) => !m.thread_ts && /Rotation of GHE_TOKEN/.test(blocksOf(m)));

    // "/rotate GHE_TOKEN, open the thread, Enter the new token"
    assert.equal((await post(ui, '/api/command', { user: 'alice', text: '/rotate GHE_TOKEN' })).json.ok, true);
    const rotation = await until('the checklist', checklist);
    const enter = await until('the enter step in the thread', () => mine('alice', 'rotation_enter'));
    assert.equal(enter.thread_ts, rotation.ts, 'the enter step is in the rotation’s thread');
    assert.ok(button(enter, 'rotation_masked_page'), 'the enter step also offers a masked page (PUBLIC_URL is set)');
    await clickOn('alice', enter, 'rotation_enter');
    const modal = await until('the modal', async () => (await state(ui, 'alice')).screen.modals.at(-1));

    // "create a GHE_TOKEN in the panel and paste it"
    const created = await post(ui, '/api/github/create-token', { secret: 'GHE_TOKEN' });
    const token = String(created.json.token);
    const submitted = await post(ui, '/api/submit', { user: 'alice', viewId: modal.id, values: { secret_value_block: { secret_value_input: token } } });
    assert.equal(submitted.json.ok, true, submitted.text);
    assert.notEqual(submitted.json.note, 'errors', 'the new token passed the checks');

    // "switch to bob and Approve"
    const request = await until('the approval request', async () =>
      (await all('bob')).find((m) => m.thread_ts === rotation.ts && button(m, 'secret_change_approve')),
    );
    await clickOn('bob', request, 'secret_change_approve');
    await until(
      'GHE_TOKEN to hold the new token',
      async () => (await state(ui, 'alice')).github.secrets.find((x) => x.name === 'GHE_TOKEN')?.matchesLastCreated === true,
    );

    // "then advance the verification run"
    const rerun = await until('the verification run', async () =>
      (await state(ui, 'alice')).github.runs.find((r) => r.workflow === 'publish.yml' && r.attempt > 1 && r.status !== 'completed'),
    );
    for (let i = 0; i < 30 && (await state(ui, 'alice')).github.runs.find((r) => r.id === rerun.id)?.status !== 'completed'; i++) {
      assert.equal((await post(ui, '/api/github/advance', { runId: rerun.id })).json.ok, true);
    }
    // The bot looks at the run every 15 s; move its clock rather than wait.
    let polls = 0;
    await until('the checklist to say Verified', async () => {
      if (polls++ % 20 === 0) {
        s.bot.advance(16_000);
        s.bot.chatops.worker.kick();
      }
      return /Verified/.test(blocksOf((await checklist()) ?? {}));
    });

    // The revoke step: paste the old token, which the panel offers.
    const revoke = await until('the revoke step', () => mine('alice', 'rotation_revoke_old'));
    assert.equal(revoke.thread_ts, rotation.ts);
    await clickOn('alice', revoke, 'rotation_revoke_old');
    const oldModal = await until('the old-token modal', async () =>
      (await state(ui, 'alice')).screen.modals.find((m) => /Revoke the old token/.test(JSON.stringify(m.view))),
    );
    const offered = await post(ui, '/api/github/old-token', { secret: 'GHE_TOKEN' });
    assert.equal(offered.json.ok, true, offered.text);
    assert.equal(offered.json.token, s.seed.ghe.syncToken, 'the panel offers the value the sandbox seeded');
    assert.equal((await post(ui, '/api/github/old-token', { secret: 'PAT_TOKEN' })).status, 400, 'no seeded value to offer for PAT_TOKEN');
    const pasted = await post(ui, '/api/submit', {
      user: 'alice',
      viewId: oldModal.id,
      values: { old_token_block: { old_token_input: String(offered.json.token) } },
    });
    assert.equal(pasted.json.ok, true, pasted.text);
    const outcome = await until('the outcome in the modal', async () => {
      const v = (await state(ui, 'alice')).screen.modals.find((m) => m.id === oldModal.id);
      const text = JSON.stringify(v?.view ?? {});
      return !/Checking that this is the old token/.test(text) && /I revoked it|revoked|rejected/i.test(text) ? text : null;
    });
    // The seeded token expired and was set outside the bot: GitHub rejects it, so it cannot be shown to be the old one.
    assert.match(outcome, /Not recorded as revoked/);
    assert.match(outcome, /click \*I revoked it\*/, 'the modal says how to finish');
    assert.equal(outcome.includes(s.seed.ghe.syncToken), false, 'the modal never quotes the token');
    assert.equal((await post(ui, '/api/close', { user: 'alice', viewId: oldModal.id })).json.ok, true);

    // "or click I revoked it": the rotation ends.
    const step = await until('the revoke step, still open', () => mine('alice', 'rotation_confirm_old'));
    await clickOn('alice', step, 'rotation_confirm_old');
    const done = await until('the rotation to complete', async () => {
      const c = await checklist();
      return c && /Rotation complete/.test(blocksOf(c)) ? c : null;
    });
    assert.match(blocksOf(done), /confirmed revoking the old token/);
    for (const who of ['alice', 'bob', 'carol']) {
      const seen = JSON.stringify(await state(ui, who));
      assert.equal(seen.includes(s.seed.ghe.syncToken) || seen.includes(token), false, `${who}'s polled state never holds a token`);
    }
  });
});
