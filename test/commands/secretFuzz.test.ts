import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sql } from 'kysely';
import { ACTION_IDS } from '../../src/actions/ids.js';
import { sendBlockAction, sendSlashCommand, sendViewSubmission } from '@chatops/fake-slack';
import { VALUE_INPUT } from '../../src/ui/secretChange.js';
import { VIEW_IDS } from '../../src/views/ids.js';
import { CHANNEL, SIGNING_SECRET, USERS, withHarness, type Harness } from '../helpers/harness.js';
import { newGheToken, putAttempts, requestReplacement } from '../helpers/secrets.js';

const RUNS = 1000;
const users = fc.constantFrom(USERS.alice, USERS.bob, USERS.carol, 'U0NOBODY99');
/** Junk of every shape: unicode, control characters, Slack markup, SQL, JSON, near-miss ids and commands, token-like strings. */
const junk = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom(
    '',
    ' ',
    'help',
    'replace',
    'revoke',
    'replace  GHE_TOKEN extra',
    'revoke nope GHE_TOKEN',
    "'; drop table secret_changes; --",
    '<!channel>',
    '<@U0BOB00002>',
    '{"repo":"olreppe/pyWATS"}',
    'null',
    'A'.repeat(24),
    'ghp_' + 'x'.repeat(36),
    '-----BEGIN OPENSSH PRIVATE KEY-----',
  ),
  fc.tuple(fc.constantFrom('replace', 'revoke', 'REPLACE', 'rotate'), fc.string({ maxLength: 60 })).map(([v, s]) => `${v} ${s}`),
  fc.string({ maxLength: 5000 }),
);

async function snapshot(h: Harness): Promise<string> {
  const rows = await sql`select id, status, ciphertext, decided_by from secret_changes order by id`.execute(h.store.db);
  return JSON.stringify(rows.rows);
}

describe('/secret fuzz: junk in every field gets a private answer, changes nothing, crashes nothing', () => {
  test(`${RUNS} cases per entry point: command text, modal submission, button values`, { timeout: 600_000 }, (t) =>
    withHarness({ logLevel: 'info' }, async (h) => {
      // One real pending request that junk must not touch.
      const id = await requestReplacement(h, newGheToken(h));
      const before = await snapshot(h);
      let slowest = 0;

      await fc.assert(
        fc.asyncProperty(junk, users, async (text, user) => {
          const res = await sendSlashCommand(h.appUrl, SIGNING_SECRET, {
            command: '/secret',
            text,
            user_id: user,
            channel_id: CHANNEL,
            response_url: h.slack.responseUrl({ channel: CHANNEL, user }),
          });
          slowest = Math.max(slowest, res.elapsedMs);
          assert.equal(res.status, 200);
          // Either answered in the ack (ephemeral) or acked empty and answered by response_url.
          if (res.body) assert.equal((res.json as { response_type?: string }).response_type, 'ephemeral');
        }),
        { numRuns: RUNS },
      );

      const metas = fc.oneof(
        junk,
        fc
          .record({
            repo: fc.oneof(fc.constant('olreppe/pyWATS'), fc.string({ maxLength: 40 })),
            secret: fc.oneof(fc.constant('GHE_TOKEN'), fc.string({ maxLength: 40 })),
            channel: fc.oneof(fc.constant(CHANNEL), fc.string({ maxLength: 20 })),
          })
          .map((m) => JSON.stringify(m)),
      );
      await fc.assert(
        fc.asyncProperty(metas, junk, users, async (meta, value, user) => {
          const res = await sendViewSubmission(h.appUrl, SIGNING_SECRET, {
            user_id: user,
            callback_id: VIEW_IDS.secretValue,
            private_metadata: meta,
            values: { [VALUE_INPUT.blockId]: { [VALUE_INPUT.actionId]: value } },
          });
          slowest = Math.max(slowest, res.elapsedMs);
          assert.equal(res.status, 200);
          const body = res.json as { response_action?: string; errors?: Record<string, string> };
          assert.equal(body.response_action, 'errors', 'the modal stays open with an error');
          assert.ok(Object.values(body.errors ?? {}).join('').length > 0);
        }),
        { numRuns: RUNS },
      );

      const actionIds = fc.constantFrom(ACTION_IDS.secretApprove, ACTION_IDS.secretDeny, ACTION_IDS.secretCancel);
      const values = fc.oneof(junk, fc.constant(id.slice(0, 23)), fc.constant(`${id}x`), fc.constant(id.toLowerCase()));
      await fc.assert(
        fc.asyncProperty(actionIds, values, fc.constantFrom(USERS.carol, 'U0NOBODY99'), async (actionId, value, user) => {
          const res = await sendBlockAction(h.appUrl, SIGNING_SECRET, {
            user_id: user,
            channel_id: CHANNEL,
            action_id: actionId,
            value,
            response_url: h.slack.responseUrl({ channel: CHANNEL, user }),
          });
          slowest = Math.max(slowest, res.elapsedMs);
          assert.equal(res.status, 200);
        }),
        { numRuns: RUNS },
      );

      t.diagnostic(`fuzz: ${RUNS * 3} requests, slowest ack ${slowest} ms`);
      assert.ok(slowest < 3000, `every answer within Slack's 3 s (slowest ${slowest} ms)`);
      assert.equal(await snapshot(h), before, 'nothing changed');
      assert.equal(putAttempts(h), 0);
      assert.equal(h.github.requests.filter((r) => r.method === 'DELETE').length, 0);
      // Still alive and serving.
      const health = await fetch(`${h.appUrl}/healthz`);
      assert.equal(health.status, 200);
    }),
  );
});
