import type { Kysely } from 'kysely';
import { guard, ms } from './guard.js';
import type { Database } from './schema.js';

/** Reminders sent (or being sent): see migrations/0006_reminders.ts. */
export interface Reminders {
  /** Takes the reminder for this replica: true for exactly one caller per key, ever (until `release`). */
  claim(o: { key: string; repo: string; secret: string }, now?: Date): Promise<boolean>;
  /** Gives a claimed reminder back (its post failed), so the next run sends it. */
  release(key: string): Promise<void>;
  /** Where the reminder went. */
  sent(key: string, channel: string, ts: string): Promise<void>;
  get(key: string): Promise<{ key: string; channel: string | null; messageTs: string | null } | null>;
}

export function reminders(db: Kysely<Database>): Reminders {
  return {
    claim: (o, now = new Date()) =>
      guard('reminders.claim', async () => {
        const r = await db
          .insertInto('reminders_sent')
          .values({ key: o.key, repo: o.repo, secret: o.secret, claimed_at: ms(now), channel: null, message_ts: null })
          .onConflict((oc) => oc.column('key').doNothing())
          .executeTakeFirst();
        return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
      }),
    release: (key) =>
      guard('reminders.release', async () => {
        await db.deleteFrom('reminders_sent').where('key', '=', key).where('message_ts', 'is', null).execute();
      }),
    sent: (key, channel, ts) =>
      guard('reminders.sent', async () => {
        await db.updateTable('reminders_sent').set({ channel, message_ts: ts }).where('key', '=', key).execute();
      }),
    get: (key) =>
      guard('reminders.get', async () => {
        const r = await db.selectFrom('reminders_sent').select(['key', 'channel', 'message_ts']).where('key', '=', key).executeTakeFirst();
        return r ? { key: r.key, channel: r.channel, messageTs: r.message_ts } : null;
      }),
  };
}
