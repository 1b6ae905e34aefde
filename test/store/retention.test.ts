import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RETENTION, type Store } from '../../src/store/index.js';
import { storeBackends } from '../helpers/backends.js';
import { RETENTION_JOB } from '../../src/services/retention.js';
import { eventually, withHarness } from '../helpers/harness.js';

const DAY = 86_400_000;
const T0 = new Date('2026-12-04T12:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

for (const backend of storeBackends('retention')) {
  describe(`store retention on ${backend.name}`, () => {
    let stores: Store[] = [];
    after(async () => {
      await Promise.all(stores.map((s) => s.close()));
      await backend.cleanup();
    });

    test('purges exactly what is past its retention: expired reports, old finished jobs, spent links, year-old reminders', async () => {
      stores = await backend.open();
      const [s, other = s] = stores as [Store, Store?];
      const expiredReport = await s.reports.save({ kind: 'sync-status', ownerUser: 'U1', payload: { a: 1 }, ttlSeconds: 60 }, at(-2 * DAY));
      const liveReport = await s.reports.save({ kind: 'sync-status', ownerUser: 'U1', payload: { a: 2 }, ttlSeconds: 3600 }, at(-60_000));

      const finishedJob = async (finishedAt: Date, outcome: 'done' | 'failed', kind: string) => {
        const id = await s.jobs.enqueue({ kind, payload: {}, maxAttempts: 1 }, finishedAt);
        const claimed = await s.jobs.claim({ owner: 'w', kinds: [kind], leaseSeconds: 30, now: finishedAt });
        assert.equal(claimed?.id, id);
        if (outcome === 'done') await s.jobs.complete(id, 'w', finishedAt);
        else await s.jobs.fail(id, 'w', { error: 'x', final: true, now: finishedAt });
        return id;
      };
      const oldDone = await finishedJob(at(-(RETENTION.finishedJobsDays + 1) * DAY), 'done', 'k.old-done');
      const oldFailed = await finishedJob(at(-(RETENTION.finishedJobsDays + 1) * DAY), 'failed', 'k.old-failed');
      const recentDone = await finishedJob(at(-DAY), 'done', 'k.recent');
      const oldPending = await s.jobs.enqueue({ kind: 'k.pending', payload: {}, runAt: at(DAY) }, at(-30 * DAY));

      const oldLink = await s.entryLinks.mint({ rotationId: 'r1', userId: 'U1', ttlMs: 600_000 }, at(-3 * DAY));
      const freshLink = await s.entryLinks.mint({ rotationId: 'r2', userId: 'U1', ttlMs: 600_000 }, at(-60_000));

      assert.ok(await s.reminders.claim({ key: 'old', repo: 'o/r', secret: 'S' }, at(-(RETENTION.remindersSentDays + 1) * DAY)));
      assert.ok(await s.reminders.claim({ key: 'recent', repo: 'o/r', secret: 'S' }, at(-200 * DAY)));

      const leak = (ts: string, postedAt: Date) => ({
        channel: 'C1',
        message_ts: ts,
        posted_at: postedAt.getTime(),
        author: 'U1',
        kinds: '[]',
        unchecked: 0,
        offers: '[]',
        outcomes: null,
        shown: null,
      });
      await s.db
        .insertInto('leak_messages')
        .values([leak('1.1', at(-(RETENTION.leakMessagesDays + 1) * DAY)), leak('2.2', at(-DAY))])
        .execute();
      await s.db
        .insertInto('slack_deliveries')
        .values([
          { key: 'event:old', seen_at: at(-2 * DAY).getTime() },
          { key: 'event:recent', seen_at: at(-60_000).getTime() },
        ])
        .execute();

      // GitHub deliveries: one applied long ago (purged), one applied a day ago, one old but never applied (both stay).
      const gh = s.githubEvents;
      const old = at(-(RETENTION.githubDeliveriesDays + 1) * DAY);
      assert.ok(await gh.store({ deliveryId: 'gh-old-applied', repo: 'o/r', event: 'create', payload: {} }, old));
      assert.ok(await gh.store({ deliveryId: 'gh-old-pending', repo: 'o/r', event: 'create', payload: {} }, old));
      assert.ok(await gh.store({ deliveryId: 'gh-recent', repo: 'o/r', event: 'create', payload: {} }, at(-DAY)));
      const seqOf = async (id: string) => (await gh.pending('o/r', 10)).find((d) => d.deliveryId === id)?.seq ?? -1;
      await gh.markApplied(await seqOf('gh-old-applied'), old);
      await gh.markApplied(await seqOf('gh-recent'), at(-DAY));

      // Another replica runs the purge: same database.
      const counts = await other.retention.purge(T0);
      assert.deepEqual(counts, {
        reports: 1,
        jobs: 2,
        entryLinks: 1,
        remindersSent: 1,
        leakMessages: 1,
        slackDeliveries: 1,
        githubDeliveries: 1,
        // The projection's own (test/store/projectionRetention.test.ts): nothing of it here.
        tagAlerts: 0,
        releaseAnnouncements: 0,
        ghRuns: 0,
        ghJobs: 0,
        workflowJobNames: 0,
      });
      assert.deepEqual(
        (await s.db.selectFrom('leak_messages').select('message_ts').execute()).map((r) => r.message_ts),
        ['2.2'],
        'a recent leak warning stays',
      );
      assert.deepEqual(
        (await s.db.selectFrom('slack_deliveries').select('key').execute()).map((r) => r.key),
        ['event:recent'],
      );

      assert.deepEqual(
        (await gh.pending('o/r', 10)).map((d) => d.deliveryId),
        ['gh-old-pending'],
        'a delivery not applied is never purged',
      );
      assert.equal(await gh.deliveryCount(), 2, 'the recently applied delivery stays');
      assert.equal(await gh.store({ deliveryId: 'gh-recent', repo: 'o/r', event: 'create', payload: {} }, T0), false, 'and its id is still a duplicate');

      const reportRows = async (id: string) => (await s.db.selectFrom('reports').select('id').where('id', '=', id).execute()).length;
      assert.equal(await reportRows(expiredReport), 0, 'the expired report is deleted, not just hidden');
      assert.equal(await reportRows(liveReport), 1, 'an unexpired report stays');
      assert.equal(await s.jobs.get(oldDone), null);
      assert.equal(await s.jobs.get(oldFailed), null);
      assert.ok(await s.jobs.get(recentDone), 'a job finished a day ago stays');
      assert.equal((await s.jobs.get(oldPending))?.status, 'pending', 'unfinished work is never purged');
      assert.equal((await s.entryLinks.peek(oldLink, T0)).kind, 'gone');
      assert.equal((await s.entryLinks.peek(freshLink, T0)).kind, 'open', 'a link still in use stays');
      assert.equal(await s.reminders.claim({ key: 'recent', repo: 'o/r', secret: 'S' }, T0), false, 'a recent reminder is still recorded: not sent twice');
      assert.equal(await s.reminders.claim({ key: 'old', repo: 'o/r', secret: 'S' }, T0), true, 'the year-old record is gone');

      // Nothing left to purge: a second run deletes nothing.
      assert.deepEqual(await s.retention.purge(T0), {
        reports: 0,
        jobs: 0,
        entryLinks: 0,
        remindersSent: 0,
        leakMessages: 0,
        slackDeliveries: 0,
        githubDeliveries: 0,
        tagAlerts: 0,
        releaseAnnouncements: 0,
        ghRuns: 0,
        ghJobs: 0,
        workflowJobNames: 0,
      });
    });
  });
}

describe('the retention job', () => {
  test('runs at start, then every hour on its own, without a restart', () =>
    withHarness({}, async (h) => {
      const job = async () => h.store.db.selectFrom('jobs').selectAll().where('kind', '=', RETENTION_JOB).execute();
      await eventually(
        async () =>
          (await job()).length === 1 && (await job())[0]?.status === 'pending' && Number((await job())[0]?.run_at) > h.bot.deps.now().getTime() + 3_000_000,
        'the first run, rescheduled an hour on',
      );
      // A report saved now expires within the hour; the next run purges it.
      const id = await h.store.reports.save({ kind: 'sync-status', ownerUser: 'U1', payload: {}, ttlSeconds: 60 }, h.bot.deps.now());
      const before = Number((await job())[0]?.run_at);
      h.bot.advance(3_600_000 + 1000);
      h.bot.chatops.worker.kick();
      await eventually(async () => Number((await job())[0]?.run_at) > before, 'the hourly run', 10_000);
      const rows = await h.store.db.selectFrom('reports').select('id').where('id', '=', id).execute();
      assert.equal(rows.length, 0, 'the expired report was purged by the hourly run');
      assert.equal((await job()).length, 1, 'one job for all replicas');
      assert.ok(h.logs.some((l) => l.includes('store retention: purged')));
    }));
});
