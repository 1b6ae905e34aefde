import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sql } from 'kysely';
import { ACTION_IDS } from '../../src/actions/ids.js';
import {
  blockActionPayload,
  postSigned,
  sendBlockAction,
  sendEvent,
  sendSlashCommand,
  slashCommandBody,
  viewSubmissionPayload,
  type SignedResponse,
} from '@chatops/fake-slack';
import { CHANNEL, SIGNING_SECRET, USERS, eventually, withHarness, type Harness } from '../helpers/harness.js';
import { nested, wildPayloads, writesTo } from '../helpers/wildSlack.js';

const RUNS = 150;
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const asPayload = (v: unknown) => form({ payload: JSON.stringify(v) });
const textOf = (v: unknown) => JSON.stringify(v);

/** Rows whose change would mean a request acted. */
async function actedRows(h: Harness): Promise<string> {
  const counts = await Promise.all(
    ['releases', 'secret_changes', 'rotations', 'entry_links'].map((t) => sql<{ n: number }>`select count(*) as n from ${sql.table(t)}`.execute(h.store.db)),
  );
  return counts.map((c) => String(c.rows[0]?.n)).join(',');
}

/** No line of the bot's log says something went unanswered or unhandled. */
function assertNoUnhandled(h: Harness): void {
  const bad = h.logs.filter((l) => /unhandled rejection|An unhandled error occurred|not acknowledged within 3 seconds|was not answered within/i.test(l));
  assert.deepEqual(
    bad.map((l) => l.slice(0, 300)),
    [],
    'nothing left unanswered or unhandled',
  );
}

describe('every Slack request over HTTP gets an answer within 3 s, and junk changes nothing', () => {
  test(
    `${RUNS * 3} structurally wild signed requests (form and JSON bodies) are each answered 200 or 400 in time; GitHub sees no write; the bot stays healthy`,
    { timeout: 240_000 },
    (t) =>
      withHarness({ logLevel: 'info' }, async (h) => {
        const before = await actedRows(h);
        const wild = wildPayloads(h.slack.responseUrl({ channel: CHANNEL, user: USERS.carol }));
        let slowest = 0;
        const statuses = new Map<number, number>();
        const check = (res: SignedResponse) => {
          slowest = Math.max(slowest, res.elapsedMs);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          assert.ok(res.status === 200 || res.status === 400, `answered 200 or 400, not ${res.status}: ${res.body.slice(0, 200)}`);
          assert.ok(res.elapsedMs < 3000, `answered within 3 s (${Math.round(res.elapsedMs)} ms)`);
        };

        // Interactions: form `payload=<JSON>` as Slack sends them, or the same JSON as the body.
        await fc.assert(
          fc.asyncProperty(wild.interaction, fc.boolean(), async (payload, asJson) => {
            check(await postSigned(h.appUrl, SIGNING_SECRET, asJson ? JSON.stringify(payload) : asPayload(payload), asJson ? JSON_TYPE : FORM));
          }),
          { numRuns: RUNS },
        );
        // Events: a JSON body, or (wrongly) a form.
        await fc.assert(
          fc.asyncProperty(wild.event, fc.boolean(), async (body, asForm) => {
            check(await postSigned(h.appUrl, SIGNING_SECRET, asForm ? asPayload(body) : JSON.stringify(body), asForm ? FORM : JSON_TYPE));
          }),
          { numRuns: RUNS },
        );
        // Slash commands: form fields (values that are not strings sent as their JSON), or a JSON body.
        await fc.assert(
          fc.asyncProperty(wild.command, fc.boolean(), async (body, asJson) => {
            const fields =
              typeof body === 'object' && body !== null && !Array.isArray(body)
                ? Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]))
                : null;
            const res =
              fields && !asJson
                ? await postSigned(h.appUrl, SIGNING_SECRET, form(fields), FORM)
                : await postSigned(h.appUrl, SIGNING_SECRET, JSON.stringify(body), JSON_TYPE);
            check(res);
          }),
          { numRuns: RUNS },
        );

        t.diagnostic(`${RUNS * 3} requests; statuses ${textOf(Object.fromEntries(statuses))}; slowest answer ${Math.round(slowest)} ms`);
        assert.ok((statuses.get(200) ?? 0) > 0 && (statuses.get(400) ?? 0) > 0, 'both kinds of answer were exercised');
        assert.deepEqual(writesTo(h.github), [], 'no write on github.com');
        assert.deepEqual(writesTo(h.ghe), [], 'no write on the GHE mirror');
        assert.equal(await actedRows(h), before, 'no release, change, rotation or link was created');
        assert.equal((await fetch(`${h.appUrl}/healthz`)).status, 200);
        assert.equal((await fetch(`${h.appUrl}/readyz`)).status, 200);
        // Still serving people: a real command is answered as usual.
        const res = await sendSlashCommand(h.appUrl, SIGNING_SECRET, {
          command: '/sync-status',
          text: 'help',
          user_id: USERS.alice,
          channel_id: CHANNEL,
          response_url: h.slack.responseUrl(),
        });
        assert.match(res.body, /Usage: `\/sync-status/);
        assertNoUnhandled(h);
      }),
  );

  test(
    'the cases found by hand: scalars, null, deep nesting, a NUL in a user id, actions that are not an array, an unknown modal; each answered at once',
    { timeout: 60_000 },
    () =>
      withHarness({ logLevel: 'info' }, async (h) => {
        const responseUrl = h.slack.responseUrl({ channel: CHANNEL, user: USERS.alice });
        const block = blockActionPayload({
          user_id: USERS.alice,
          channel_id: CHANNEL,
          action_id: ACTION_IDS.secretApprove,
          value: 'x',
          response_url: responseUrl,
        });
        const cases: Array<[string, string, string, number]> = [
          ['payload=true', form({ payload: 'true' }), FORM, 200],
          ['payload=null', form({ payload: 'null' }), FORM, 400],
          ['payload=%20null with another field', `team_id=T0SANDBOX&pay%6Coad=%20null`, FORM, 400],
          ['payload=[]', form({ payload: '[]' }), FORM, 200],
          ['a signed JSON null', 'null', JSON_TYPE, 400],
          ['a signed JSON null after a megabyte of blanks', `${' '.repeat(1 << 20)}null`, JSON_TYPE, 400],
          ['a signed JSON 42', '42', JSON_TYPE, 200],
          ['a signed JSON string', '"block_actions"', JSON_TYPE, 200],
          ['a signed JSON array', '[{"type":"block_actions"}]', JSON_TYPE, 200],
          ['not JSON at all', '{"type":', JSON_TYPE, 400],
          ['a payload 400 levels deep', asPayload(nested(400)), FORM, 200],
          ['block_actions whose actions are 500 levels deep', asPayload({ ...block, actions: [nested(500, 'x', 'array')] }), FORM, 200],
          ['block_actions whose actions is not an array', asPayload({ ...block, actions: { action_id: ACTION_IDS.secretApprove } }), FORM, 200],
          ['block_actions with no user', asPayload({ ...block, user: undefined }), FORM, 200],
          ['block_actions whose channel is null', asPayload({ ...block, channel: null }), FORM, 200],
          [
            'an unknown modal submitted by a user id with a NUL',
            asPayload(viewSubmissionPayload({ user_id: 'U0ALICE001\u0000', callback_id: 'no_such_modal', values: {} })),
            FORM,
            200,
          ],
          ['an event without an event', JSON.stringify({ type: 'event_callback', team_id: 'T0SANDBOX', event_id: 'Ev0NOEVENT' }), JSON_TYPE, 200],
          [
            'an event whose channel is null',
            JSON.stringify({ type: 'event_callback', team_id: 'T0SANDBOX', event_id: 'Ev0NULLCHAN', event: { type: 'message', channel: null } }),
            JSON_TYPE,
            200,
          ],
        ];
        for (const [what, body, type, status] of cases) {
          const res = await postSigned(h.appUrl, SIGNING_SECRET, body, type);
          assert.equal(res.status, status, `${what}: status`);
          assert.ok(res.elapsedMs < 1000, `${what}: answered at once (${Math.round(res.elapsedMs)} ms), not at a timeout`);
        }
        assert.deepEqual(h.slack.callsTo('response_url'), [], 'junk gets no message: there is nobody sure to tell');
        // Unsigned, the same null body is refused as any unsigned request is.
        assert.equal((await postSigned(h.appUrl, 'not-the-secret', 'null', JSON_TYPE)).status, 401);
        assertNoUnhandled(h);
      }),
  );

  test('well-formed requests no listener knows get a private notice: an unknown command, a legacy button, a closed or unknown modal', { timeout: 60_000 }, () =>
    withHarness({}, async (h) => {
      const cmd = await sendSlashCommand(h.appUrl, SIGNING_SECRET, {
        command: '/deploy',
        text: 'now',
        user_id: USERS.alice,
        channel_id: CHANNEL,
        response_url: h.slack.responseUrl(),
      });
      assert.equal(cmd.status, 200);
      assert.equal((cmd.json as { response_type?: string }).response_type, 'ephemeral');
      assert.match(cmd.body, /no `\/deploy` command\. Nothing was done/);
      assert.ok(cmd.elapsedMs < 1000, `at once, not at a timeout (${Math.round(cmd.elapsedMs)} ms)`);

      const responseUrl = h.slack.responseUrl({ channel: CHANNEL, user: USERS.alice });
      const id = new URL(responseUrl).pathname.replace(/^\/response\//, '');
      const legacy = {
        ...blockActionPayload({ user_id: USERS.alice, channel_id: CHANNEL, action_id: 'x', response_url: responseUrl }),
        type: 'interactive_message',
        callback_id: 'old_attachment',
        actions: [{ name: 'go', type: 'button', value: '1' }],
      };
      const click = await postSigned(h.appUrl, SIGNING_SECRET, asPayload(legacy), FORM);
      assert.equal(click.status, 200);
      assert.ok(click.elapsedMs < 1000, `at once (${Math.round(click.elapsedMs)} ms)`);
      const notice = await h.slack.waitFor((c) => c.method === 'response_url' && c.responseUrlId === id);
      assert.equal(notice.args.response_type, 'ephemeral');
      assert.match(textOf(notice.args), /no longer act on/);

      const closed = await postSigned(
        h.appUrl,
        SIGNING_SECRET,
        asPayload({ ...viewSubmissionPayload({ user_id: USERS.alice, callback_id: 'whatever', values: {} }), type: 'view_closed' }),
        FORM,
      );
      assert.equal(closed.status, 200);
      assert.ok(closed.elapsedMs < 1000, `a closed modal is answered at once (${Math.round(closed.elapsedMs)} ms)`);

      const unknownModal = await postSigned(
        h.appUrl,
        SIGNING_SECRET,
        asPayload(viewSubmissionPayload({ user_id: USERS.alice, callback_id: 'gone_modal', values: {} })),
        FORM,
      );
      assert.match(textOf(unknownModal.json), /"response_action":"update".*no longer active/);
      assertNoUnhandled(h);
    }),
  );
});

const TAG = 'v0.1.0b39';
const dispatches = (h: Harness) => h.github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/dispatches')).length;
const releaseIdIn = (c: { args: unknown }) => /"action_id":"release_confirm","value":"([^"]+)"/.exec(textOf(c.args))?.[1];

describe('who may ask, and when: the installed workspace only, within Slack’s 5 minutes, once per request', () => {
  test('requests from another workspace are refused privately and change nothing; the same from the installed one act', { timeout: 60_000 }, () =>
    withHarness({}, async (h) => {
      const other = 'T0OTHER999';
      const responseUrl = h.slack.responseUrl({ channel: CHANNEL, user: USERS.alice });
      const foreign = await sendSlashCommand(h.appUrl, SIGNING_SECRET, {
        command: '/release',
        text: TAG,
        user_id: USERS.alice,
        channel_id: CHANNEL,
        response_url: responseUrl,
        team_id: other,
      });
      assert.equal(foreign.status, 200);
      assert.match(foreign.body, /serves another Slack workspace.*Nothing was done/);
      assert.equal(await actedRows(h), '0,0,0,0', 'no confirmation was made');

      // A real confirmation, then a click on it from another workspace: refused, nothing dispatched.
      const own = h.slack.responseUrl({ channel: CHANNEL, user: USERS.alice });
      await sendSlashCommand(h.appUrl, SIGNING_SECRET, { command: '/release', text: TAG, user_id: USERS.alice, channel_id: CHANNEL, response_url: own });
      const confirmation = await h.responseTo(own);
      const id = releaseIdIn(confirmation);
      assert.ok(id, 'the confirmation has a Release button');
      const clickUrl = h.slack.responseUrl({ channel: CHANNEL, user: USERS.alice });
      const click = await sendBlockAction(h.appUrl, SIGNING_SECRET, {
        user_id: USERS.alice,
        team_id: other,
        channel_id: CHANNEL,
        action_id: ACTION_IDS.releaseConfirm,
        value: id,
        response_url: clickUrl,
      });
      assert.equal(click.status, 200);
      assert.match(textOf((await h.responseTo(clickUrl)).args), /serves another Slack workspace/);
      const modal = await postSigned(
        h.appUrl,
        SIGNING_SECRET,
        asPayload(viewSubmissionPayload({ user_id: USERS.alice, team_id: other, callback_id: 'secret_value', values: {} })),
        FORM,
      );
      assert.match(textOf(modal.json), /"response_action":"update".*serves another Slack workspace/);
      const event = await sendEvent(
        h.appUrl,
        SIGNING_SECRET,
        { type: 'message', channel: CHANNEL, user: USERS.alice, text: `ghp_${'F'.repeat(36)}`, ts: '1795470001.000100' },
        { team_id: other },
      );
      assert.equal(event.status, 200);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(dispatches(h), 0, 'nothing dispatched');
      assert.equal(h.slack.callsTo('chat.postMessage').length, 0, 'no leak warning for another workspace’s event');
      assert.equal((await h.store.releases.get(id))?.status, 'pending', 'the confirmation is untouched');
      assert.ok(
        (await h.store.audit.list({ limit: 50 })).some((e) => e.outcome === 'refused:other-workspace'),
        'the refusal is audited',
      );

      // The control: the same click from the installed workspace dispatches.
      await h.click({ actionId: ACTION_IDS.releaseConfirm, value: id });
      await eventually(() => dispatches(h) === 1, 'the dispatch', 10_000);
    }),
  );

  test(
    'a timestamp more than 5 minutes ahead is refused; 4 minutes ahead (clock skew) is accepted; one too old is refused as before',
    { timeout: 60_000 },
    () =>
      withHarness({}, async (h) => {
        const now = Math.floor(Date.now() / 1000);
        const body = slashCommandBody({
          command: '/sync-status',
          text: 'help',
          user_id: USERS.alice,
          channel_id: CHANNEL,
          response_url: h.slack.responseUrl(),
        });
        const yearAhead = await postSigned(h.appUrl, SIGNING_SECRET, body, FORM, { timestamp: now + 365 * 86_400 });
        assert.equal(yearAhead.status, 401, 'a year ahead');
        assert.equal((await postSigned(h.appUrl, SIGNING_SECRET, body, FORM, { timestamp: now + 6 * 60 })).status, 401, '6 minutes ahead');
        assert.equal((await postSigned(h.appUrl, SIGNING_SECRET, body, FORM, { timestamp: now - 6 * 60 })).status, 401, '6 minutes old');
        const skewed = await postSigned(h.appUrl, SIGNING_SECRET, body, FORM, { timestamp: now + 4 * 60 });
        assert.equal(skewed.status, 200);
        assert.match(skewed.body, /Usage: `\/sync-status/);
      }),
  );

  test('an exact replay of a signed /release, and of its Release click, acts once: one confirmation, one dispatch', { timeout: 60_000 }, () =>
    withHarness({}, async (h) => {
      const responseUrl = h.slack.responseUrl({ channel: CHANNEL, user: USERS.alice });
      const body = slashCommandBody({ command: '/release', text: TAG, user_id: USERS.alice, channel_id: CHANNEL, response_url: responseUrl });
      const timestamp = Math.floor(Date.now() / 1000);
      const first = await postSigned(h.appUrl, SIGNING_SECRET, body, FORM, { timestamp });
      const replay = await postSigned(h.appUrl, SIGNING_SECRET, body, FORM, { timestamp });
      assert.equal(first.status, 200);
      assert.equal(replay.status, 200);
      assert.equal(replay.body, '', 'the replay is answered empty');
      const confirmation = await h.responseTo(responseUrl);
      const id = releaseIdIn(confirmation);
      assert.ok(id);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(h.slack.callsTo('response_url').filter((c) => releaseIdIn(c)).length, 1, 'one confirmation');
      assert.equal(await actedRows(h), '1,0,0,0');

      const clickUrl = h.slack.responseUrl({ channel: CHANNEL, user: USERS.alice });
      const clickBody = asPayload(
        blockActionPayload({ user_id: USERS.alice, channel_id: CHANNEL, action_id: ACTION_IDS.releaseConfirm, value: id, response_url: clickUrl }),
      );
      const at = Math.floor(Date.now() / 1000);
      const clicks = await Promise.all([0, 1, 2].map(() => postSigned(h.appUrl, SIGNING_SECRET, clickBody, FORM, { timestamp: at })));
      assert.deepEqual(
        clicks.map((c) => c.status),
        [200, 200, 200],
      );
      await eventually(() => dispatches(h) === 1, 'the dispatch', 10_000);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(dispatches(h), 1, 'dispatched once');
      assert.ok(
        h.logs.some((l) => /already taken \(a retry or a replay\)/.test(l)),
        'the replays were recognised as such',
      );
    }),
  );
});
