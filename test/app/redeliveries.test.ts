/**
 * Slack redelivers events it thinks went unanswered (X-Slack-Retry-Num over HTTP,
 * retry_attempt over Socket Mode) and a signed request can be replayed as is: whatever
 * the number of copies, each thing the bot does happens once. Over HTTP and Socket Mode,
 * for the leak reply and its revocation, a reminder's Start rotation, an approval that
 * writes a secret and one that deletes it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ACTION_IDS } from '../../src/actions/ids.js';
import { FakeGitHub } from '@chatops/fake-github';
import { seedPywats, type PywatsSeed } from '@chatops/fake-github/scenario.js';
import {
  blockActionPayload,
  eventBody,
  FakeSlack,
  postSigned,
  retryHeaders,
  sendSlashCommand,
  sendViewSubmission,
  type BlockActionInput,
  type RecordedCall,
} from '@chatops/fake-slack';
import type { Store } from '../../src/store/index.js';
import { VALUE_INPUT } from '../../src/ui/secretChange.js';
import { wildPayloads, writesTo } from '../helpers/wildSlack.js';
import { BOT_TOKEN, CHANNEL, GHE_HOST, SIGNING_SECRET, USERS, eventually, freePort, startBot, startHarness, type BotUnderTest } from '../helpers/harness.js';

const SOCKET_RUNS = 100;
const APP_TOKEN = 'xapp-1-A0CHATOPS-1234567890-0123456789abcdef0123456789abcdef';
const textOf = (c: RecordedCall) => JSON.stringify(c.args);
const FORM = 'application/x-www-form-urlencoded';

/** The Slack side of one transport: the same deliveries, sent over HTTP or over the socket. */
interface Side {
  slack: FakeSlack;
  github: FakeGitHub;
  ghe: FakeGitHub;
  seed: PywatsSeed;
  store: Store;
  logs: string[];
  command(command: string, text: string, user: string): Promise<void>;
  submitValue(view: Record<string, unknown>, value: string, user: string): Promise<void>;
  /** One click delivered `copies` times (HTTP: the first, an exact replay, then Slack-style retries; socket: the same payload again). */
  clickCopies(a: BlockActionInput, copies: number): Promise<void>;
  /** One event (one event_id) delivered once per entry of `retries` (0: a first delivery; n: retry n). */
  eventCopies(event: Record<string, unknown> & { type: string }, retries: number[]): Promise<void>;
  close(): Promise<void>;
}

async function httpSide(o: { reminders?: boolean } = {}): Promise<Side> {
  const h = await startHarness({ logLevel: 'info', reminders: o.reminders ?? false });
  return {
    ...h,
    async command(command, text, user) {
      const res = await sendSlashCommand(h.appUrl, SIGNING_SECRET, {
        command,
        text,
        user_id: user,
        channel_id: CHANNEL,
        response_url: h.slack.responseUrl({ channel: CHANNEL, user }),
      });
      assert.equal(res.status, 200);
    },
    async submitValue(view, value, user) {
      const res = await sendViewSubmission(h.appUrl, SIGNING_SECRET, {
        user_id: user,
        view,
        values: { [VALUE_INPUT.blockId]: { [VALUE_INPUT.actionId]: value } },
      });
      assert.equal((res.json as { response_action?: string }).response_action, 'update', res.body);
    },
    async clickCopies(a, copies) {
      const body = new URLSearchParams({ payload: JSON.stringify(blockActionPayload(a)) }).toString();
      const timestamp = Math.floor(Date.now() / 1000);
      for (let i = 0; i < copies; i++) {
        // Copy 1 is an exact replay of the signed request; later ones are re-signed retries.
        const res = await postSigned(h.appUrl, SIGNING_SECRET, body, FORM, i <= 1 ? { timestamp } : { headers: retryHeaders(i - 1) });
        assert.equal(res.status, 200);
        assert.ok(res.elapsedMs < 3000);
      }
    },
    async eventCopies(event, retries) {
      const body = eventBody(event, { event_id: `Ev0${Math.random().toString(36).slice(2, 10).toUpperCase()}` });
      for (const n of retries) {
        const res = await postSigned(h.appUrl, SIGNING_SECRET, body, 'application/json', n > 0 ? { headers: retryHeaders(n) } : {});
        assert.equal(res.status, 200);
        assert.ok(res.elapsedMs < 3000);
      }
    },
    close: () => h.close(),
  };
}

async function socketSide(o: { reminders?: boolean } = {}): Promise<Side> {
  const slack = new FakeSlack({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
  const github = new FakeGitHub({ flavor: 'dotcom' });
  const ghe = new FakeGitHub({ flavor: 'ghes', webHost: GHE_HOST });
  await Promise.all([slack.start(), github.start(), ghe.start()]);
  const seed = seedPywats(github, ghe);
  const bot: BotUnderTest = await startBot({
    slackApiUrl: slack.apiUrl,
    githubUrl: github.url,
    gheUrl: ghe.url,
    seed,
    logLevel: 'info',
    reminders: o.reminders ?? false,
    env: { SLACK_APP_TOKEN: APP_TOKEN, SLACK_SIGNING_SECRET: undefined, PORT: String(await freePort()) },
  });
  await slack.socketConnected(10_000);
  return {
    slack,
    github,
    ghe,
    seed,
    store: bot.store,
    logs: bot.logs,
    async command(command, text, user) {
      await slack.socketSlashCommand({ command, text, user_id: user, channel_id: CHANNEL, response_url: slack.responseUrl({ channel: CHANNEL, user }) });
    },
    async submitValue(view, value, user) {
      const { ackPayload } = await slack.socketViewSubmission({ user_id: user, view, values: { [VALUE_INPUT.blockId]: { [VALUE_INPUT.actionId]: value } } });
      assert.equal((ackPayload as { response_action?: string }).response_action, 'update', JSON.stringify(ackPayload));
    },
    async clickCopies(a, copies) {
      const payload = blockActionPayload(a);
      for (let i = 0; i < copies; i++) await slack.socketDeliver('interactive', payload);
    },
    async eventCopies(event, retries) {
      const eventId = `Ev0${Math.random().toString(36).slice(2, 10).toUpperCase()}`;
      for (const n of retries) await slack.socketEvent(event, { eventId, retryAttempt: n });
    },
    async close() {
      await bot.stop();
      await Promise.all([slack.stop(), github.stop(), ghe.stop()]);
    },
  };
}

/** The view the fake opened last for `user`, with its id (as Slack submits it). */
async function openedModal(s: Side, before: number): Promise<Record<string, unknown>> {
  const call = await s.slack.waitFor((c) => c.method === 'views.open' && s.slack.callsTo('views.open').length > before, 10_000);
  const sent = call.args.view as Record<string, unknown>;
  const stored = s.slack.workspace
    .allViews()
    .filter((v) => v.view.callback_id === sent.callback_id && v.view.private_metadata === sent.private_metadata)
    .at(-1);
  return stored ? { ...sent, id: stored.id } : sent;
}

async function approvalId(s: Side): Promise<string> {
  const message = await s.slack.waitFor((c) => c.method === 'chat.postMessage' && textOf(c).includes(ACTION_IDS.secretApprove), 10_000);
  const id = new RegExp(`"action_id":"${ACTION_IDS.secretApprove}","value":"([^"]+)"`).exec(textOf(message))?.[1];
  assert.ok(id, 'the request carries its id on the Approve button');
  await eventually(async () => !!(await s.store.secretChanges.get(id))?.messageTs, 'the request to record its message');
  return id;
}

const settle = () => new Promise((r) => setTimeout(r, 1500));
const writes = (g: FakeGitHub, method: string, path: RegExp) => g.requests.filter((r) => r.method === method && path.test(r.path)).length;

for (const [transport, open] of [
  ['HTTP', httpSide],
  ['Socket Mode', socketSide],
] as const) {
  describe(`Slack redeliveries over ${transport}: nothing acts twice`, () => {
    test(
      'a leaked token whose first delivery was lost: the retry is acted on (one warning, one revocation); a further retry does nothing',
      { timeout: 60_000 },
      async () => {
        const s = await open();
        try {
          const token = 'ghp_LEAKEDretry0123456789abcdefghijklmno';
          s.ghe.addToken(token, { login: s.seed.ghe.syncLogin, scopes: ['repo'], expiresAt: new Date(Date.now() + 90 * 86_400_000).toISOString() });
          const ts = '1795470000.000777';
          await s.eventCopies({ type: 'message', channel: CHANNEL, channel_type: 'channel', user: USERS.alice, text: `oops ${token}`, ts }, [1, 2, 3]);
          await s.slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.thread_ts === ts && /Treat it as leaked/.test(textOf(c)), 10_000);
          await eventually(() => !s.ghe.hasToken(token), 'the token revoked', 15_000);
          await settle();
          assert.equal(s.slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === ts).length, 1, 'one warning');
          assert.equal(writes(s.ghe, 'POST', /\/credentials\/revoke$/), 1, 'one revocation');
        } finally {
          await s.close();
        }
      },
    );

    test('an approval click delivered three times writes the secret once', { timeout: 60_000 }, async () => {
      const s = await open();
      try {
        const token = 'ghp_NEWretry0123456789abcdefghijklmnopqr';
        s.ghe.addToken(token, { login: 'svc-pywats-sync', scopes: ['repo'], expiresAt: new Date(Date.now() + 180 * 86_400_000).toISOString() });
        s.ghe.grantAccess(s.seed.ghe.repo, 'svc-pywats-sync', 'write');
        const opened = s.slack.callsTo('views.open').length;
        await s.command('/secret', 'replace GHE_TOKEN', USERS.alice);
        await s.submitValue(await openedModal(s, opened), token, USERS.alice);
        const id = await approvalId(s);
        await s.clickCopies(
          {
            user_id: USERS.bob,
            channel_id: CHANNEL,
            action_id: ACTION_IDS.secretApprove,
            value: id,
            response_url: s.slack.responseUrl({ channel: CHANNEL, user: USERS.bob }),
          },
          3,
        );
        await eventually(async () => (await s.store.secretChanges.get(id))?.status === 'done', 'the change applied', 15_000);
        await settle();
        assert.equal(writes(s.github, 'PUT', /\/actions\/secrets\/GHE_TOKEN$/), 1, 'one PUT');
        const decisions = (await s.store.audit.list({ limit: 100 })).filter((e) => e.action === 'secret:approve');
        assert.equal(decisions.length, 1, 'one decision recorded');
      } finally {
        await s.close();
      }
    });

    test('a revocation approval delivered three times deletes the secret once', { timeout: 60_000 }, async () => {
      const s = await open();
      try {
        await s.command('/secret', 'revoke GHE_TOKEN', USERS.alice);
        const id = await approvalId(s);
        await s.clickCopies(
          {
            user_id: USERS.bob,
            channel_id: CHANNEL,
            action_id: ACTION_IDS.secretApprove,
            value: id,
            response_url: s.slack.responseUrl({ channel: CHANNEL, user: USERS.bob }),
          },
          3,
        );
        await eventually(async () => (await s.store.secretChanges.get(id))?.status === 'done', 'the secret deleted', 15_000);
        await settle();
        assert.equal(writes(s.github, 'DELETE', /\/actions\/secrets\/GHE_TOKEN$/), 1, 'one DELETE');
      } finally {
        await s.close();
      }
    });

    test('a reminder’s Start rotation delivered three times starts one rotation and answers once', { timeout: 60_000 }, async () => {
      const s = await open({ reminders: true });
      try {
        const reminder = await s.slack.waitFor(
          (c) => c.method === 'chat.postMessage' && textOf(c).includes(ACTION_IDS.rotationStart) && /GHE_TOKEN/.test(textOf(c)),
          15_000,
        );
        const value = new RegExp(`"action_id":"${ACTION_IDS.rotationStart}","value":"([^"]+)"`).exec(textOf(reminder))?.[1];
        assert.ok(value);
        const responseUrl = s.slack.responseUrl({ channel: CHANNEL, user: USERS.alice });
        await s.clickCopies({ user_id: USERS.alice, channel_id: CHANNEL, action_id: ACTION_IDS.rotationStart, value, response_url: responseUrl }, 3);
        await eventually(async () => Boolean((await s.store.rotations.active(s.seed.github.repo, 'GHE_TOKEN'))?.messageTs), 'the rotation checklist', 15_000);
        await settle();
        const responseId = new URL(responseUrl).pathname.replace(/^\/response\//, '');
        const answers = s.slack.callsTo('response_url').filter((c) => c.responseUrlId === responseId);
        assert.equal(answers.length, 1, `one answer (${answers.map(textOf).join(' | ')})`);
        assert.match(textOf(answers[0]!), /Rotation of `GHE_TOKEN` started/);
        assert.equal(
          s.slack.callsTo('chat.postMessage').filter((c) => /Rotation of GHE_TOKEN/.test(textOf(c)) && !c.args.thread_ts).length,
          1,
          'one checklist',
        );
      } finally {
        await s.close();
      }
    });
  });
}

describe('Socket Mode: every envelope is acked, whatever its payload', () => {
  let s: Side | undefined;
  before(async () => {
    s = await socketSide();
  });
  after(() => s?.close());
  test(
    'an events_api envelope without an event, with a null payload, or with an event type the client uses itself, is acked',
    { timeout: 30_000 },
    async () => {
      assert.ok(s);
      for (const payload of [
        null,
        'x',
        [],
        {},
        { event: null },
        { type: 'event_callback', event: { type: 'close' } },
        { type: 'event_callback', event: { type: 'ws_message' } },
      ]) {
        const d = await s.slack.socketDeliver('events_api', payload);
        assert.ok(d.elapsedMs < 3000, `acked in time: ${JSON.stringify(payload)}`);
      }
      for (const payload of [null, true, [], { type: 'block_actions', actions: 'x' }]) await s.slack.socketDeliver('interactive', payload);
      assert.equal(s.slack.socketConnectionCount, 1, 'still one connection (no reconnect was triggered)');
      const { ackPayload } = await s.slack.socketSlashCommand({
        command: '/sync-status',
        text: 'help',
        user_id: USERS.alice,
        channel_id: CHANNEL,
        response_url: s.slack.responseUrl(),
      });
      assert.match(JSON.stringify(ackPayload), /Usage: `\/sync-status/);
    },
  );

  test(
    `${SOCKET_RUNS * 3} structurally wild envelopes (commands, interactions, events) are each acked within 3 s; GitHub sees no write`,
    { timeout: 180_000 },
    async (t) => {
      assert.ok(s);
      const side = s;
      const wild = wildPayloads(side.slack.responseUrl({ channel: CHANNEL, user: USERS.carol }));
      let slowest = 0;
      const kinds = [
        ['slash_commands', wild.command],
        ['interactive', wild.interaction],
        ['events_api', wild.event],
      ] as const;
      for (const [type, payloads] of kinds) {
        await fc.assert(
          fc.asyncProperty(payloads, async (payload) => {
            // The fake rejects a delivery whose ack does not come within Slack's 3 s.
            const d = await side.slack.socketDeliver(type, payload);
            slowest = Math.max(slowest, d.elapsedMs);
          }),
          { numRuns: SOCKET_RUNS },
        );
      }
      t.diagnostic(`${SOCKET_RUNS * 3} envelopes; slowest ack ${Math.round(slowest)} ms`);
      assert.equal(side.slack.calls.filter((c) => c.method === 'socket_mode' && c.error === 'ack_timeout').length, 0, 'no envelope went unacked');
      assert.deepEqual(writesTo(side.github), []);
      assert.deepEqual(writesTo(side.ghe), []);
      assert.equal(side.slack.socketConnectionCount, 1, 'the connection held');
      const unanswered = side.logs.filter((l) => /was not answered within|unhandled/i.test(l));
      assert.deepEqual(
        unanswered.map((l) => l.slice(0, 300)),
        [],
        'each answered by the bot, not by the deadline',
      );
    },
  );
});
