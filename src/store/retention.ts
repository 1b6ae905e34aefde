import type { Kysely } from 'kysely';
import { guard, ms } from './guard.js';
import { jobs } from './jobs.js';
import { reports } from './reports.js';
import { githubEvents } from './githubEvents.js';
import { purgeProjection, type ProjectionPurgeCounts } from './projectionRetention.js';
import type { StoreDialect } from './connect.js';
import type { Database } from './schema.js';

/**
 * How long the store keeps what no longer serves anything (stated in the README,
 * Operating). The audit log, secret changes, rotations and releases are history and
 * are kept; a saved report goes when it expires.
 */
export const RETENTION = {
  /** Done and failed jobs, after they finished. */
  finishedJobsDays: 7,
  /** One-time entry links, after they expired or were used. */
  entryLinksDays: 1,
  /** Reminders sent: long enough that no deadline's reminder is sent twice (secrets live up to a year or so). */
  remindersSentDays: 400,
  /** Leak warnings whose offers are kept current: a secret is rotated long before this. */
  leakMessagesDays: 400,
  /** Slack deliveries seen (redeliveries come within minutes; the intake also purges as it goes). */
  slackDeliveriesDays: 1,
  /**
   * GitHub deliveries once applied (the projection keeps their facts). GitHub redelivers
   * on request for 3 days; 7 keeps a replayed id recognised as a duplicate well past that.
   * Deliveries not applied yet are never purged.
   */
  githubDeliveriesDays: 7,
  /**
   * The projection (store/projectionRetention.ts), after its last change: tag alerts that are
   * over (resolved, or settled with nothing posted), release announcements of runs no longer
   * in progress, completed runs and their jobs, then the job names no run kept refers to.
   * Never purged: runs not completed, the runs of a tag whose alert is open, and the newest
   * `runsKeptPerWorkflow` runs of each workflow file.
   */
  projectionDays: 90,
  /** At least what a reader takes of a workflow's newest runs: the App Home 5 release runs, the sync projection 1. */
  runsKeptPerWorkflow: 5,
} as const;

export interface PurgeCounts extends ProjectionPurgeCounts {
  reports: number;
  jobs: number;
  entryLinks: number;
  remindersSent: number;
  leakMessages: number;
  slackDeliveries: number;
  githubDeliveries: number;
}

export interface Retention {
  /** Deletes everything past its retention at `now`; returns how many rows of each. */
  purge(now?: Date): Promise<PurgeCounts>;
}

const DAY = 86_400_000;

export function retention(db: Kysely<Database>, dialect: StoreDialect): Retention {
  return {
    purge: (now = new Date()) =>
      guard('retention.purge', async () => {
        const t = now.getTime();
        const counts: PurgeCounts = {
          reports: await reports(db).purgeExpired(now),
          jobs: await jobs(db, dialect).purgeFinished(new Date(t - RETENTION.finishedJobsDays * DAY)),
          entryLinks: 0,
          remindersSent: 0,
          leakMessages: 0,
          slackDeliveries: 0,
          githubDeliveries: 0,
          ...(await purgeProjection(db, new Date(t - RETENTION.projectionDays * DAY), RETENTION.runsKeptPerWorkflow)),
        };
        const linksBefore = ms(new Date(t - RETENTION.entryLinksDays * DAY));
        const links = await db
          .deleteFrom('entry_links')
          .where((eb) => eb.or([eb('expires_at', '<', linksBefore), eb('done_at', '<', linksBefore)]))
          .executeTakeFirst();
        counts.entryLinks = Number(links.numDeletedRows);
        const reminders = await db
          .deleteFrom('reminders_sent')
          .where('claimed_at', '<', ms(new Date(t - RETENTION.remindersSentDays * DAY)))
          .executeTakeFirst();
        counts.remindersSent = Number(reminders.numDeletedRows);
        const leaks = await db
          .deleteFrom('leak_messages')
          .where('posted_at', '<', ms(new Date(t - RETENTION.leakMessagesDays * DAY)))
          .executeTakeFirst();
        counts.leakMessages = Number(leaks.numDeletedRows);
        const deliveries = await db
          .deleteFrom('slack_deliveries')
          .where('seen_at', '<', ms(new Date(t - RETENTION.slackDeliveriesDays * DAY)))
          .executeTakeFirst();
        counts.slackDeliveries = Number(deliveries.numDeletedRows);
        counts.githubDeliveries = await githubEvents(db).purgeApplied(new Date(t - RETENTION.githubDeliveriesDays * DAY));
        return counts;
      }),
  };
}
