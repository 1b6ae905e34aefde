import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The predicate of the partial unique index that allows one open request per secret.
 * `secretChanges.create` relies on it (ON CONFLICT DO NOTHING); literals, not
 * parameters, so both dialects accept it in an index.
 */
export const OPEN_CHANGE = sql<boolean>`status in ('pending', 'approved', 'applying')`;

/** Requests to replace or revoke an Actions secret, and their single decision. */
export function secretChanges(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('secret_changes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('repo', 'text', (c) => c.notNull())
        .addColumn('repo_name', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('secret_kind', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('thread_ts', 'text')
        .addColumn('message_ts', 'text')
        .addColumn('origin', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('ciphertext', 'text')
        .addColumn('key_id', 'text')
        .addColumn('facts', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', 'bigint')
        .addColumn('applying_at', 'bigint')
        .addColumn('finished_at', 'bigint')
        .addColumn('outcome', 'text')
        .addColumn('error', 'text')
        .addCheckConstraint('secret_changes_action', sql`action in ('replace', 'revoke')`)
        .addCheckConstraint('secret_changes_status', sql`status in ('pending', 'approved', 'applying', 'done', 'failed', 'denied', 'cancelled', 'expired')`)
        .execute();
      await db.schema.createIndex('secret_changes_one_open').on('secret_changes').columns(['repo', 'secret']).unique().where(OPEN_CHANGE).execute();
      await db.schema.createIndex('secret_changes_repo_secret').on('secret_changes').columns(['repo', 'secret', 'created_at']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('secret_changes').execute();
    },
  };
}
