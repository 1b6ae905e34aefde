import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { App, HTTPReceiver, LogLevel, webApi } from '@slack/bolt';
import { FakeSlack } from '../src/fakeSlack.js';
import { validateBlocks, validateView } from '../src/blockKitLimits.js';
import { sendBlockAction, sendEvent, sendSlashCommand, sendViewSubmission, signSlackBody } from '../src/signedRequests.js';

const TOKEN = 'xoxb-test-0000-fake';
const SECRET = 'test-signing-secret';
const CHANNEL = 'C0RELEASES';

/** WebClient logs Slack's `[ERROR]` response messages; the tests assert on them instead. */
const quiet: webApi.Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => webApi.LogLevel.ERROR,
  setName: () => {},
};

function section(text: string, extra: Partial<webApi.SectionBlock> = {}): webApi.SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text }, ...extra };
}

/** The error code of a rejected WebClient call (WebAPIPlatformError carries `data`). */
async function slackError(p: Promise<unknown>): Promise<{ error: string; data: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    const data = (e as { data?: Record<string, unknown> }).data;
    assert.ok(data, `expected a Slack platform error, got ${String(e)}`);
    return { error: String(data.error), data };
  }
  assert.fail('expected the call to be refused');
}

describe('FakeSlack Web API through the real WebClient', () => {
  const fake = new FakeSlack({ botToken: TOKEN });
  let client: webApi.WebClient;

  before(async () => {
    await fake.start();
    client = new webApi.WebClient(TOKEN, { slackApiUrl: fake.apiUrl, logger: quiet });
  });
  after(() => fake.stop());
  beforeEach(() => fake.clearCalls());

  test('apiUrl ends with /api/ and auth.test names the bot', async () => {
    assert.match(fake.apiUrl, /^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    const r = await client.auth.test();
    assert.equal(r.ok, true);
    assert.equal(r.user_id, 'U0CHATOPS');
    assert.equal(r.team_id, 'T0SANDBOX');
    assert.equal(r.bot_id, 'B0CHATOPS');
  });

  test('postMessage then update round trip; blocks are recorded as objects', async () => {
    const blocks = [section('*Release* v1.2.3 started')];
    const posted = await client.chat.postMessage({ channel: CHANNEL, text: 'Release v1.2.3 started', blocks });
    assert.equal(posted.channel, CHANNEL);
    assert.ok(posted.ts);
    assert.equal(posted.message?.text, 'Release v1.2.3 started');

    const call = fake.callsTo('chat.postMessage')[0];
    assert.ok(call);
    assert.deepEqual(call.args.blocks, blocks, 'form-encoded blocks are decoded back to objects');
    assert.equal(call.args.token, undefined, 'the token is never recorded');

    const reply = await client.chat.postMessage({ channel: CHANNEL, thread_ts: posted.ts, text: 'step 1 done', reply_broadcast: true });
    const updated = await client.chat.update({ channel: CHANNEL, ts: posted.ts!, text: 'Release v1.2.3 done', blocks: [section('done')] });
    assert.equal(updated.ts, posted.ts);

    const msgs = fake.messages(CHANNEL);
    const top = msgs.find((m) => m.ts === posted.ts);
    assert.equal(top?.text, 'Release v1.2.3 done');
    assert.equal(top?.edited, true);
    assert.deepEqual(top?.blocks, [section('done')]);
    const threaded = msgs.find((m) => m.ts === reply.ts);
    assert.equal(threaded?.thread_ts, posted.ts);
    assert.equal(threaded?.reply_broadcast, true);
    assert.ok(reply.ts! > posted.ts!, 'timestamps increase');
  });

  test('chat.update of an unknown message answers message_not_found', async () => {
    const r = await slackError(client.chat.update({ channel: CHANNEL, ts: '1.000001', text: 'x' }));
    assert.equal(r.error, 'message_not_found');
    assert.equal(fake.callsTo('chat.update')[0]?.ok, false);
  });

  test('a message needs text or blocks', async () => {
    const r = await slackError(client.chat.postMessage({ channel: CHANNEL } as never));
    assert.equal(r.error, 'no_text');
    const long = await slackError(client.chat.postMessage({ channel: CHANNEL, text: 'x'.repeat(40_001) }));
    assert.equal(long.error, 'msg_too_long');
  });

  test('postEphemeral returns message_ts, is stored for that user only, and needs user', async () => {
    const r = await client.chat.postEphemeral({ channel: CHANNEL, user: 'U0ALICE', text: 'only you' });
    assert.ok(r.message_ts);
    const m = fake.messages(CHANNEL).find((x) => x.ts === r.message_ts);
    assert.equal(m?.ephemeralTo, 'U0ALICE');
    const bad = await slackError(client.apiCall('chat.postEphemeral', { channel: CHANNEL, text: 'x' }));
    assert.equal(bad.error, 'invalid_arguments');
    const ephemeralUpdate = await slackError(client.chat.update({ channel: CHANNEL, ts: r.message_ts!, text: 'y' }));
    assert.equal(ephemeralUpdate.error, 'message_not_found', 'ephemeral messages cannot be updated via chat.update');
  });

  test('more than 50 blocks in a message is invalid_blocks', async () => {
    const blocks = Array.from({ length: 51 }, (_, i) => section(`row ${i}`));
    const r = await slackError(client.chat.postMessage({ channel: CHANNEL, text: 'many', blocks }));
    assert.equal(r.error, 'invalid_blocks');
    assert.deepEqual(r.data.errors, ['must be less than 51 items [json-pointer:/blocks]']);
    const ok = await client.chat.postMessage({ channel: CHANNEL, text: 'fifty', blocks: blocks.slice(0, 50) });
    assert.equal(ok.ok, true);
  });

  test('section text over 3000 characters is invalid_blocks', async () => {
    const r = await slackError(client.chat.postMessage({ channel: CHANNEL, text: 'long', blocks: [section('x'.repeat(3001))] }));
    assert.equal(r.error, 'invalid_blocks');
    assert.deepEqual(r.data.errors, ['must be less than 3001 characters [json-pointer:/blocks/0/text/text]']);
    assert.deepEqual((r.data.response_metadata as { messages: string[] }).messages, [
      '[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]',
    ]);
  });

  test('429 with Retry-After is waited out by WebClient and both attempts are recorded', async () => {
    fake.rateLimit('chat.postMessage', { times: 1, retryAfterSeconds: 1 });
    const retrying = new webApi.WebClient(TOKEN, {
      slackApiUrl: fake.apiUrl,
      logger: quiet,
      rejectRateLimitedCalls: false,
      retryConfig: { retries: 1, factor: 1, minTimeout: 10, maxTimeout: 10 },
    });
    const seen: number[] = [];
    retrying.on(webApi.WebClientEvent.RATE_LIMITED, (sec: number) => seen.push(sec));
    const r = await retrying.chat.postMessage({ channel: CHANNEL, text: 'after the limit' });
    assert.equal(r.ok, true);
    assert.deepEqual(seen, [1], 'the client read Retry-After: 1');
    const calls = fake.callsTo('chat.postMessage');
    assert.deepEqual(
      calls.map((c) => [c.ok, c.error]),
      [
        [false, 'ratelimited'],
        [true, undefined],
      ],
    );
  });

  test('a client that rejects rate-limited calls sees the retry delay', async () => {
    fake.rateLimit('users.info', { times: 1, retryAfterSeconds: 7 });
    const strict = new webApi.WebClient(TOKEN, { slackApiUrl: fake.apiUrl, logger: quiet, rejectRateLimitedCalls: true });
    await assert.rejects(strict.users.info({ user: 'U0ALICE' }), (e: { code?: string; retryAfter?: number }) => {
      assert.equal(e.code, webApi.ErrorCode.RateLimitedError);
      assert.equal(e.retryAfter, 7);
      return true;
    });
    const u = await strict.users.info({ user: 'U0ALICE' });
    assert.equal(u.user?.id, 'U0ALICE');
  });

  test('wrong token is invalid_auth, no token is not_authed, unknown method is unknown_method', async () => {
    const wrong = new webApi.WebClient('xoxb-wrong', { slackApiUrl: fake.apiUrl, logger: quiet });
    assert.equal((await slackError(wrong.auth.test())).error, 'invalid_auth');
    const none = new webApi.WebClient(undefined, { slackApiUrl: fake.apiUrl, logger: quiet });
    assert.equal((await slackError(none.auth.test())).error, 'not_authed');
    assert.equal((await slackError(client.apiCall('foo.bar'))).error, 'unknown_method');
    assert.deepEqual(
      fake.calls.map((c) => c.error),
      ['invalid_auth', 'not_authed', 'unknown_method'],
    );
  });

  test('views.open, views.update with hash check, trigger_id used once', async () => {
    const trigger = fake.triggerId();
    const modal = {
      type: 'modal' as const,
      callback_id: 'secret_modal',
      external_id: 'rotate-1',
      title: { type: 'plain_text' as const, text: 'Replace secret' },
      submit: { type: 'plain_text' as const, text: 'Save' },
      blocks: [{ type: 'input', block_id: 'value', label: { type: 'plain_text', text: 'New value' }, element: { type: 'plain_text_input', action_id: 'v' } }],
    };
    const opened = await client.views.open({ trigger_id: trigger, view: modal });
    const view = opened.view!;
    assert.match(view.id!, /^V/);
    assert.ok(view.hash);
    assert.equal(view.callback_id, 'secret_modal');
    assert.equal(fake.view(view.id!)?.view.callback_id, 'secret_modal');

    const again = await slackError(client.views.open({ trigger_id: trigger, view: { ...modal, external_id: 'rotate-2' } }));
    assert.equal(again.error, 'exchanged_trigger_id');

    const updated = await client.views.update({ view_id: view.id!, hash: view.hash!, view: { ...modal, private_metadata: 'step2' } });
    assert.notEqual(updated.view?.hash, view.hash);
    const stale = await slackError(client.views.update({ view_id: view.id!, hash: view.hash!, view: modal }));
    assert.equal(stale.error, 'hash_conflict');
    const byExternal = await client.views.update({ external_id: 'rotate-1', view: modal });
    assert.equal(byExternal.view?.id, view.id);
    const unknown = await slackError(client.views.update({ view_id: 'V0NOPE', view: modal }));
    assert.equal(unknown.error, 'not_found');
  });

  test('views.open without trigger_id or with a too-long title is invalid_arguments', async () => {
    const noTrigger = await slackError(client.apiCall('views.open', { view: { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [] } }));
    assert.equal(noTrigger.error, 'invalid_arguments');
    const longTitle = await slackError(
      client.views.open({ trigger_id: fake.triggerId(), view: { type: 'modal', title: { type: 'plain_text', text: 'x'.repeat(25) }, blocks: [] } }),
    );
    assert.equal(longTitle.error, 'invalid_arguments');
    assert.deepEqual((longTitle.data.response_metadata as { messages: string[] }).messages, [
      '[ERROR] must be less than 25 characters [json-pointer:/view/title/text]',
    ]);
  });

  test('views.push and views.publish', async () => {
    const pushed = await client.views.push({
      trigger_id: fake.triggerId(),
      view: { type: 'modal', title: { type: 'plain_text', text: 'Confirm' }, blocks: [section('sure?')] },
    });
    assert.ok(pushed.view?.id);
    const home = await client.views.publish({ user_id: 'U0ALICE', view: { type: 'home', blocks: [section('Recent releases')] } });
    const again = await client.views.publish({ user_id: 'U0ALICE', view: { type: 'home', blocks: [section('Nothing yet')] } });
    assert.equal(again.view?.id, home.view?.id, 'a user keeps one Home view');
    assert.deepEqual(fake.homeView('U0ALICE')?.view.blocks, [section('Nothing yet')]);
    const modalAsHome = await slackError(
      client.views.publish({ user_id: 'U0ALICE', view: { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [] } }),
    );
    assert.equal(modalAsHome.error, 'invalid_arguments');
  });

  test('usergroups.users.list', async () => {
    fake.addUsergroup('S0RELEASERS', ['U0ALICE', 'U0BOB']);
    assert.deepEqual((await client.usergroups.users.list({ usergroup: 'S0RELEASERS' })).users, ['U0ALICE', 'U0BOB']);
    fake.setUsergroupUsers('S0RELEASERS', ['U0CAROL']);
    assert.deepEqual((await client.usergroups.users.list({ usergroup: 'S0RELEASERS' })).users, ['U0CAROL']);
    assert.equal((await slackError(client.usergroups.users.list({ usergroup: 'S0MISSING' }))).error, 'no_such_subteam');
  });

  test('waitFor resolves on a future call and explains a timeout', async () => {
    const waiting = fake.waitFor((c) => c.method === 'chat.postMessage' && c.args.text === 'later');
    await client.chat.postMessage({ channel: CHANNEL, text: 'earlier' });
    await client.chat.postMessage({ channel: CHANNEL, text: 'later' });
    assert.equal((await waiting).args.text, 'later');
    await assert.rejects(
      fake.waitFor((c) => c.method === 'views.open', 50),
      (e: Error) => {
        assert.match(e.message, /no matching call within 50 ms/);
        assert.match(e.message, /chat\.postMessage ok .*"text":"earlier"/);
        return true;
      },
    );
  });
});

describe('FakeSlack response_url', () => {
  const fake = new FakeSlack({ botToken: TOKEN });
  before(() => fake.start());
  after(() => fake.stop());

  const post = (url: string, body: unknown): Promise<Response> =>
    fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  test('posts are recorded, stored as ephemeral or in_channel, replace_original edits the first response', async () => {
    const url = fake.responseUrl({ channel: CHANNEL, user: 'U0ALICE' });
    const id = url.split('/response/')[1];
    const first = await post(url, { text: 'Looking…' });
    assert.equal(first.status, 200);
    assert.equal(await first.text(), 'ok');
    await post(url, { replace_original: true, text: 'Found it' });
    await post(url, { response_type: 'in_channel', text: 'Release started' });

    const calls = fake.callsTo('response_url');
    assert.equal(calls.length, 3);
    assert.ok(calls.every((c) => c.ok && c.responseUrlId === id));
    assert.equal(calls[1]?.args.replace_original, true);

    const msgs = fake.messages(CHANNEL);
    assert.deepEqual(
      msgs.map((m) => [m.text, m.ephemeralTo, m.edited ?? false]),
      [
        ['Found it', 'U0ALICE', true],
        ['Release started', undefined, false],
      ],
    );
    await post(url, { delete_original: true });
    assert.deepEqual(
      fake.messages(CHANNEL).map((m) => m.text),
      ['Release started'],
    );
  });

  test('at most 5 posts per URL, then 404 used_url; unknown URL 404; bad blocks 400', async () => {
    const url = fake.responseUrl();
    for (let i = 0; i < 5; i++) assert.equal((await post(url, { text: `n${i}` })).status, 200);
    const sixth = await post(url, { text: 'n5' });
    assert.equal(sixth.status, 404);
    assert.equal(await sixth.text(), 'used_url');

    const unknown = await post(`${fake.url}/response/nope`, { text: 'x' });
    assert.equal(unknown.status, 404);

    const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    const tooMany = await post(fake.responseUrl(), { text: 'x', blocks });
    assert.equal(tooMany.status, 400);
    assert.equal(await tooMany.text(), 'invalid_blocks');
  });

  test('a block action’s response_url replaces the message the button is on (API called with a JSON body)', async () => {
    const posted = await fetch(`${fake.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8', Authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ channel: 'C0APPROVALS', text: 'Approve?', blocks: [section('Approve?')] }),
    });
    const { ok, ts } = (await posted.json()) as { ok: boolean; ts: string };
    assert.equal(ok, true);
    const url = fake.responseUrl({ channel: 'C0APPROVALS', user: 'U0BOB', messageTs: ts });
    assert.equal((await post(url, { replace_original: true, text: 'Approved by <@U0BOB>' })).status, 200);
    assert.deepEqual(
      fake.messages('C0APPROVALS').map((m) => [m.ts, m.text, m.blocks, m.edited]),
      [[ts, 'Approved by <@U0BOB>', undefined, true]],
    );
  });

  test('an expired URL answers 404 expired_url', async () => {
    const url = fake.responseUrl({ ttlMs: -1 });
    const r = await post(url, { text: 'late' });
    assert.equal(r.status, 404);
    assert.equal(await r.text(), 'expired_url');
  });
});

describe('validateBlocks / validateView', () => {
  test('a well-formed message has no problems', () => {
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text: 'Release v1' } },
      section('hello', { block_id: 'a', fields: [{ type: 'mrkdwn', text: '*Tag*' }] }),
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'by <@U1>' }] },
      { type: 'divider' },
      {
        type: 'actions',
        block_id: 'b',
        elements: [
          { type: 'button', action_id: 'approve', text: { type: 'plain_text', text: 'Approve' }, value: 'x', style: 'primary' },
          { type: 'button', action_id: 'deny', text: { type: 'plain_text', text: 'Deny' }, style: 'danger' },
        ],
      },
    ];
    assert.deepEqual(validateBlocks(blocks, 'message'), []);
  });

  test('reports each limit with its JSON pointer', () => {
    const button = (action_id: string, text = 'Go') => ({ type: 'button', action_id, text: { type: 'plain_text', text } });
    const problems = validateBlocks(
      [
        { type: 'header', text: { type: 'mrkdwn', text: 'h'.repeat(151) } },
        section('a', { block_id: 'same' }),
        section('b', { block_id: 'same', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) }),
        { type: 'actions', elements: [button('dup'), button('dup', 'x'.repeat(76))] },
        { type: 'actions', elements: [button('dup')] },
        { type: 'input', label: { type: 'plain_text', text: 'L' }, element: { type: 'plain_text_input' } },
        { type: 'carousel' },
      ],
      'message',
    );
    assert.deepEqual(problems, [
      'must be a plain_text object [json-pointer:/blocks/0/text/type]',
      'must be less than 151 characters [json-pointer:/blocks/0/text/text]',
      'duplicate block_id: "same" [json-pointer:/blocks/2/block_id]',
      'must be less than 11 items [json-pointer:/blocks/2/fields]',
      'duplicate action_id: "dup" [json-pointer:/blocks/3/elements/1/action_id]',
      'must be less than 76 characters [json-pointer:/blocks/3/elements/1/text/text]',
      'input blocks are only allowed in modals and the Home tab [json-pointer:/blocks/5/type]',
      'unsupported block type: "carousel" [json-pointer:/blocks/6/type]',
    ]);
  });

  test('modal limits: 100 blocks, title/submit 24, private_metadata 3000, submit needed with inputs', () => {
    assert.deepEqual(
      validateBlocks(
        Array.from({ length: 100 }, () => ({ type: 'divider' })),
        'modal',
      ),
      [],
    );
    assert.deepEqual(
      validateBlocks(
        Array.from({ length: 101 }, () => ({ type: 'divider' })),
        'home',
      ),
      ['must be less than 101 items [json-pointer:/blocks]'],
    );
    const problems = validateView(
      {
        type: 'modal',
        title: { type: 'plain_text', text: 'ok' },
        private_metadata: 'm'.repeat(3001),
        callback_id: 'c'.repeat(256),
        blocks: [{ type: 'input', label: { type: 'plain_text', text: 'Value' }, element: { type: 'plain_text_input', action_id: 'v' } }],
      },
      'modal',
    );
    assert.deepEqual(problems, [
      'submit is required when a view contains input blocks [json-pointer:/view/submit]',
      'must be less than 3001 characters [json-pointer:/view/private_metadata]',
      'must be less than 256 characters [json-pointer:/view/callback_id]',
    ]);
  });
});

describe('signed requests to a Bolt app', () => {
  const fake = new FakeSlack({ botToken: TOKEN });
  let app: App;
  let appUrl: string;
  const seen: Record<string, unknown>[] = [];

  before(async () => {
    await fake.start();
    const receiver = new HTTPReceiver({ signingSecret: SECRET, logLevel: LogLevel.ERROR });
    app = new App({ token: TOKEN, receiver, clientOptions: { slackApiUrl: fake.apiUrl }, logLevel: LogLevel.ERROR });
    app.command('/ping', async ({ ack, command, respond }) => {
      await ack();
      seen.push({ kind: 'command', text: command.text, user: command.user_id, trigger: command.trigger_id });
      await respond({ text: `pong ${command.text}` });
    });
    app.action('approve', async ({ ack, body, action }) => {
      await ack();
      seen.push({ kind: 'action', value: (action as { value?: string }).value, user: body.user.id, type: body.type });
    });
    app.view('secret_modal', async ({ ack, view }) => {
      seen.push({ kind: 'view', values: view.state.values, meta: view.private_metadata });
      await ack({ response_action: 'errors', errors: { value: 'too short' } });
    });
    app.event('app_home_opened', async ({ event }) => {
      seen.push({ kind: 'event', user: event.user });
    });
    const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
    appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await app.stop();
    await fake.stop();
  });

  test('signSlackBody is v0= HMAC-SHA256 of v0:{ts}:{body}', () => {
    // Slack's documented example values.
    const sig = signSlackBody(
      '8f742231b10e8888abcd99yyyzzz85a5',
      1531420618,
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
    );
    assert.equal(sig, 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503');
  });

  test('a signed slash command is accepted by Bolt and its respond() reaches the fake response_url', async () => {
    const responseUrl = fake.responseUrl({ channel: CHANNEL, user: 'U0ALICE' });
    const r = await sendSlashCommand(appUrl, SECRET, {
      command: '/ping',
      text: 'hello world',
      user_id: 'U0ALICE',
      channel_id: CHANNEL,
      response_url: responseUrl,
    });
    assert.equal(r.status, 200);
    const reply = await fake.waitFor((c) => c.method === 'response_url');
    assert.equal(reply.args.text, 'pong hello world');
    assert.equal(fake.messages(CHANNEL).at(-1)?.ephemeralTo, 'U0ALICE');
    const cmd = seen.find((s) => s.kind === 'command');
    assert.equal(cmd?.text, 'hello world');
    assert.equal(cmd?.user, 'U0ALICE');
    assert.ok(cmd?.trigger);
  });

  test('a forged signature or a stale timestamp gets 401', async () => {
    const input = { command: '/ping', text: 'x', user_id: 'U0ALICE', channel_id: CHANNEL, response_url: fake.responseUrl() };
    const forged = await sendSlashCommand(appUrl, SECRET, input, { signature: signSlackBody('not-the-secret', Math.floor(Date.now() / 1000), 'x') });
    assert.equal(forged.status, 401);
    const stale = await sendSlashCommand(appUrl, SECRET, input, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    assert.equal(stale.status, 401);
    const wrongSecret = await sendSlashCommand(appUrl, 'other-secret', input);
    assert.equal(wrongSecret.status, 401);
  });

  test('block actions, view submissions and events reach the matching Bolt listeners', async () => {
    const action = await sendBlockAction(appUrl, SECRET, {
      user_id: 'U0BOB',
      channel_id: CHANNEL,
      action_id: 'approve',
      value: 'req-42',
      message_ts: '1700000000.000100',
      response_url: fake.responseUrl(),
    });
    assert.equal(action.status, 200);
    assert.deepEqual(
      seen.find((s) => s.kind === 'action'),
      { kind: 'action', value: 'req-42', user: 'U0BOB', type: 'block_actions' },
    );

    const submitted = await sendViewSubmission(appUrl, SECRET, {
      user_id: 'U0BOB',
      callback_id: 'secret_modal',
      private_metadata: '{"req":42}',
      values: { value: { v: 'abc' } },
    });
    assert.equal(submitted.status, 200);
    assert.deepEqual(submitted.json, { response_action: 'errors', errors: { value: 'too short' } });
    assert.deepEqual(
      seen.find((s) => s.kind === 'view'),
      {
        kind: 'view',
        values: { value: { v: { type: 'plain_text_input', value: 'abc' } } },
        meta: '{"req":42}',
      },
    );

    const event = await sendEvent(appUrl, SECRET, { type: 'app_home_opened', user: 'U0CAROL', channel: 'D0CAROL', tab: 'home' });
    assert.equal(event.status, 200);
    await fake.waitFor((c) => c.method === 'auth.test');
    for (let i = 0; i < 50 && !seen.some((s) => s.kind === 'event'); i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(
      seen.find((s) => s.kind === 'event'),
      { kind: 'event', user: 'U0CAROL' },
    );
  });
});
