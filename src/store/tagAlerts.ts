import type { Kysely } from 'kysely';
import { TagAlertState } from '../core/events/tagWithoutRelease.js';
import { guard, ms } from './guard.js';
import type { Database, Ms } from './schema.js';

/** The table of migration 0016 (only this module reads it). */
type TagAlertTables = {
  tag_alerts: { repo: string; tag: string; state: string; due_at: Ms; channel: string | null; message_ts: string | null; updated_at: Ms };
};

export interface TagAlertRow {
  repo: string;
  tag: string;
  state: TagAlertState;
  dueAt: Date;
  channel: string | null;
  messageTs: string | null;
  updatedAt: Date;
}

export interface TagAlerts {
  get(repo: string, tag: string): Promise<TagAlertRow | null>;
  /** Writes the row of a newly scheduled check; false when the tag has one already (a redelivery). */
  schedule(a: { repo: string; tag: string; dueAt: Date }, now: Date): Promise<boolean>;
  /**
   * Moves the row to `to` (with the channel and ts given) only while it is in one of `from`:
   * of the check job and the apply job, whichever moves it first acts. True when it moved.
   */
  move(
    repo: string,
    tag: string,
    from: readonly TagAlertState[],
    to: { state: TagAlertState; channel?: string | null; messageTs?: string | null },
    now: Date,
  ): Promise<boolean>;
}

export function tagAlerts(base: Kysely<Database>): TagAlerts {
  const db = base.withTables<TagAlertTables>();
  const toRow = (r: {
    repo: string;
    tag: string;
    state: string;
    due_at: unknown;
    channel: string | null;
    message_ts: string | null;
    updated_at: unknown;
  }): TagAlertRow => ({
    repo: r.repo,
    tag: r.tag,
    state: TagAlertState.parse(r.state),
    dueAt: new Date(Number(r.due_at)),
    channel: r.channel,
    messageTs: r.message_ts,
    updatedAt: new Date(Number(r.updated_at)),
  });
  return {
    get: (repo, tag) =>
      guard('tagAlerts.get', async () => {
        const r = await db.selectFrom('tag_alerts').selectAll().where('repo', '=', repo).where('tag', '=', tag).executeTakeFirst();
        return r ? toRow(r) : null;
      }),
    schedule: (a, now) =>
      guard('tagAlerts.schedule', async () => {
        const r = await db
          .insertInto('tag_alerts')
          .values({ repo: a.repo, tag: a.tag, state: 'scheduled', due_at: ms(a.dueAt), channel: null, message_ts: null, updated_at: ms(now) })
          .onConflict((oc) => oc.columns(['repo', 'tag']).doNothing())
          .executeTakeFirst();
        return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
      }),
    move: (repo, tag, from, to, now) =>
      guard('tagAlerts.move', async () => {
        const r = await db
          .updateTable('tag_alerts')
          .set({
            state: to.state,
            updated_at: ms(now),
            ...(to.channel !== undefined ? { channel: to.channel } : {}),
            ...(to.messageTs !== undefined ? { message_ts: to.messageTs } : {}),
          })
          .where('repo', '=', repo)
          .where('tag', '=', tag)
          .where('state', 'in', [...from])
          .executeTakeFirst();
        return Number(r.numUpdatedRows) > 0;
      }),
  };
}
