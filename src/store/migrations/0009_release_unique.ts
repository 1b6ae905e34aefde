import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The predicate of the partial unique index on releases (repo, tag): a release is
 * active while it waits for its confirmation, is being dispatched, or its run is
 * followed. `releases.create` names the very same text in its ON CONFLICT target
 * (both dialects match a partial index only when the WHERE texts imply each other,
 * which needs literals, not bound parameters).
 */
export const ACTIVE_RELEASE = sql<boolean>`status in ('pending', 'dispatching', 'dispatched')`;

/**
 * One active release per repository and tag, enforced by the store: two `/release`
 * of one tag at once (two people, a double submit, two replicas) cannot both get a
 * confirmation. Also records when a dispatch was sent, so a dispatch job resumed
 * after a crash knows to look for the run instead of dispatching again.
 */
export function releaseUnique(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('releases').addColumn('dispatch_sent_at', 'bigint').execute();
      await db.schema.alterTable('releases').addColumn('conclusion', 'text').execute();
      // Rows written before this migration may break the new rule; settle them first.
      // A pending release past its expiry can no longer be confirmed: it is expired.
      await sql`update releases set status = 'expired' where status = 'pending' and expires_at <= ${Date.now()}`.execute(db);
      // Of several active releases of one tag, the most advanced (then the newest) stays active.
      const rank = (t: string) => sql.raw(`(case ${t}.status when 'dispatched' then 3 when 'dispatching' then 2 else 1 end)`);
      await sql`
        update releases set
          status = case status when 'pending' then 'expired' else 'failed' end,
          error = coalesce(error, 'superseded by a later release of the same tag')
        where ${ACTIVE_RELEASE} and exists (
          select 1 from releases r2
          where r2.repo = releases.repo and r2.tag = releases.tag and r2.id <> releases.id
            and r2.status in ('pending', 'dispatching', 'dispatched')
            and (${rank('r2')} > ${rank('releases')}
              or (${rank('r2')} = ${rank('releases')} and (r2.created_at > releases.created_at or (r2.created_at = releases.created_at and r2.id > releases.id))))
        )`.execute(db);
      await db.schema.createIndex('releases_one_active').on('releases').columns(['repo', 'tag']).unique().where(ACTIVE_RELEASE).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('releases_one_active').execute();
      await db.schema.alterTable('releases').dropColumn('conclusion').execute();
      await db.schema.alterTable('releases').dropColumn('dispatch_sent_at').execute();
    },
  };
}
