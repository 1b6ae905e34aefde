import type { Kysely } from 'kysely';
import { guard, ms } from './guard.js';
import type { Database, Ms } from './schema.js';

/** The table of migration 0017 (only this module reads it). */
type Tables = {
  release_announcements: { repo: string; run_id: number; channel: string; message_ts: string | null; shown: string; updated_at: Ms };
};

/** One announced release run (services/events/releaseAnnouncements.ts). */
export interface ReleaseAnnouncementRow {
  repo: string;
  runId: number;
  channel: string;
  /** Null between the claim and Slack's answer (and for good when the bot stopped between the two). */
  messageTs: string | null;
  /** What the message shows (core/events/releaseAnnouncement.ts shownKey). */
  shown: string;
  updatedAt: Date;
}

export interface ReleaseAnnouncements {
  get(repo: string, runId: number): Promise<ReleaseAnnouncementRow | null>;
  /** Claims the run's one message before it is posted: true for exactly one caller, ever (until `unclaim`). */
  claim(a: { repo: string; runId: number; channel: string; shown: string }, now: Date): Promise<boolean>;
  /** Slack refused the post: nothing was posted, so the claim goes and a retry may post. */
  unclaim(repo: string, runId: number): Promise<void>;
  setMessage(repo: string, runId: number, ts: string): Promise<void>;
  /** Claims an edit: the row moves from `from` to `to` (true for exactly one caller). */
  advance(repo: string, runId: number, from: string, to: string, now: Date): Promise<boolean>;
}

export function releaseAnnouncements(base: Kysely<Database>): ReleaseAnnouncements {
  const db = base.withTables<Tables>();
  return {
    get: (repo, runId) =>
      guard('releaseAnnouncements.get', async () => {
        const r = await db.selectFrom('release_announcements').selectAll().where('repo', '=', repo).where('run_id', '=', runId).executeTakeFirst();
        if (!r) return null;
        return {
          repo: r.repo,
          runId: Number(r.run_id),
          channel: r.channel,
          messageTs: r.message_ts,
          shown: r.shown,
          updatedAt: new Date(Number(r.updated_at)),
        };
      }),
    claim: (a, now) =>
      guard('releaseAnnouncements.claim', async () => {
        const r = await db
          .insertInto('release_announcements')
          .values({ repo: a.repo, run_id: a.runId, channel: a.channel, message_ts: null, shown: a.shown, updated_at: ms(now) })
          .onConflict((oc) => oc.columns(['repo', 'run_id']).doNothing())
          .executeTakeFirst();
        return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
      }),
    unclaim: (repo, runId) =>
      guard('releaseAnnouncements.unclaim', async () => {
        await db.deleteFrom('release_announcements').where('repo', '=', repo).where('run_id', '=', runId).where('message_ts', 'is', null).execute();
      }),
    setMessage: (repo, runId, ts) =>
      guard('releaseAnnouncements.setMessage', async () => {
        await db.updateTable('release_announcements').set({ message_ts: ts }).where('repo', '=', repo).where('run_id', '=', runId).execute();
      }),
    advance: (repo, runId, from, to, now) =>
      guard('releaseAnnouncements.advance', async () => {
        const r = await db
          .updateTable('release_announcements')
          .set({ shown: to, updated_at: ms(now) })
          .where('repo', '=', repo)
          .where('run_id', '=', runId)
          .where('shown', '=', from)
          .executeTakeFirst();
        return Number(r.numUpdatedRows) === 1;
      }),
  };
}
