import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTION_IDS } from '../../src/actions/ids.js';
import { sendBlockAction } from '@chatops/fake-slack';
import { eventually, SIGNING_SECRET, startReplica, USERS, withHarness, CHANNEL } from '../helpers/harness.js';
import { newGheToken, puts, putAttempts, requestReplacement } from '../helpers/secrets.js';

const skip = process.env.CHATOPS_SKIP_PG === '1' ? 'CHATOPS_SKIP_PG=1' : false;

describe('secret approvals across replicas (PostgreSQL)', { skip }, () => {
  test('two app instances on one PostgreSQL, 100 concurrent Approve clicks spread over both: exactly one PUT', (t) =>
    withHarness({ store: 'postgres', config: (cfg) => void (cfg.access.approve = ['S0APPROVERS']) }, async (h) => {
      h.slack.addUsergroup('S0APPROVERS', [USERS.bob, USERS.carol]);
      const second = await startReplica(h, { config: (cfg) => void (cfg.access.approve = ['S0APPROVERS']) });
      try {
        const id = await requestReplacement(h, newGheToken(h));
        const apps = [h.appUrl, second.appUrl];
        const clicks = await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            sendBlockAction(apps[i % 2] ?? '', SIGNING_SECRET, {
              user_id: i % 3 === 0 ? USERS.carol : USERS.bob,
              channel_id: CHANNEL,
              action_id: ACTION_IDS.secretApprove,
              value: id,
              response_url: h.slack.responseUrl({ channel: CHANNEL, user: i % 3 === 0 ? USERS.carol : USERS.bob }),
            }),
          ),
        );
        assert.ok(
          clicks.every((c) => c.status === 200),
          'every click acked',
        );
        await eventually(async () => (await h.store.secretChanges.get(id))?.status === 'done', 'applied', 20_000);
        // Give any (wrong) second writer time to show up before counting.
        await new Promise((r) => setTimeout(r, 500));
        // Each click's audit entry is written after its ack: wait for all of them.
        const approvalEntries = async () => (await h.store.audit.list({ limit: 5000 })).filter((e) => e.action === 'secret:approve');
        await eventually(async () => (await approvalEntries()).length >= 100, 'every click in the audit log', 20_000);
        const approvals = await approvalEntries();
        t.diagnostic(
          `100 concurrent Approve clicks over 2 replicas: ${approvals.filter((e) => e.outcome === 'approved').length} approval won, ${puts(h)} PUT (${putAttempts(h)} PUT attempts)`,
        );
        assert.equal(puts(h), 1);
        assert.equal(putAttempts(h), 1);
        assert.equal(approvals.filter((e) => e.outcome === 'approved').length, 1);
        assert.equal(approvals.length, 100, 'every click is in the audit log');
      } finally {
        await second.stop({ keepFiles: true });
      }
    }));
});
