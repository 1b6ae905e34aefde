import type { Kysely } from 'kysely';
import { guard, ms } from './guard.js';
import type { Database } from './schema.js';

/** A posted reminder, with what it said (for editing it later). */
export interface SentReminder {
  key: string;
  repo: string;
  secret: string;
  claimedAt: Date;
  channel: string;
  messageTs: string;
  basis: string | null;
  deadline: Date | null;
  threshold: number | null;
  daysLeft: number | null;
  /** The offer state it was last rendered in (core/reminders/offer.ts offerKey). */
  offer: string | null;
}

/** Reminders sent (or being sent): see migrations/0006_reminders.ts and 0010_reminder_messages.ts. */
export interface Reminders {
  /** Takes the reminder for this replica: true for exactly one caller per key, ever (until `release`). */
  claim(o: { key: string; repo: string; secret: string }, now?: Date): Promise<boolean>;
  /** Gives a claimed reminder back (its post failed), so the next run sends it. */
  release(key: string): Promise<void>;
  /** Where the reminder went, what it said, and the offer it was rendered with. */
  sent(key: string, channel: string, ts: string, o?: { basis: string; deadline: Date; threshold: number; daysLeft: number; offer: string }): Promise<void>;
  get(key: string): Promise<{ key: string; channel: string | null; messageTs: string | null } | null>;
  /** Every posted reminder of a secret, oldest first. */
  ofSecret(repo: string, secret: string): Promise<SentReminder[]>;
  /** The reminder posted as this message, if it is one. */
  byMessage(channel: string, ts: string): Promise<SentReminder | null>;
  /** The secrets that have a posted reminder whose offer may still change. */
  unsettled(): Promise<Array<{ repo: string; secret: string }>>;
  /** Records the offer a message was edited to. */
  setOffer(key: string, offer: string): Promise<void>;
}

type Row = Database['reminders_sent'] extends infer T ? { [K in keyof T]: unknown } : never;

function fromRow(r: Row): SentReminder {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const deadline = num(r.deadline);
  return {
    key: String(r.key),
    repo: String(r.repo),
    secret: String(r.secret),
    claimedAt: new Date(Number(r.claimed_at)),
    channel: String(r.channel ?? ''),
    messageTs: String(r.message_ts ?? ''),
    basis: r.basis === null ? null : String(r.basis),
    deadline: deadline === null ? null : new Date(deadline),
    threshold: num(r.threshold),
    daysLeft: num(r.days_left),
    offer: r.offer === null ? null : String(r.offer),
  };
}

export function reminders(db: Kysely<Database>): Reminders {
  return {
    claim: (o, now = new Date()) =>
      guard('reminders.claim', async () => {
        const r = await db
          .insertInto('reminders_sent')
          .values({
            key: o.key,
            repo: o.repo,
            secret: o.secret,
            claimed_at: ms(now),
            channel: null,
            message_ts: null,
            basis: null,
            deadline: null,
            threshold: null,
            days_left: null,
            offer: null,
          })
          .onConflict((oc) => oc.column('key').doNothing())
          .executeTakeFirst();
        return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
      }),
    release: (key) =>
      guard('reminders.release', async () => {
        await db.deleteFrom('reminders_sent').where('key', '=', key).where('message_ts', 'is', null).execute();
      }),
    sent: (key, channel, ts, o) =>
      guard('reminders.sent', async () => {
        await db
          .updateTable('reminders_sent')
          .set({
            channel,
            message_ts: ts,
            ...(o ? { basis: o.basis, deadline: ms(o.deadline), threshold: o.threshold, days_left: o.daysLeft, offer: o.offer } : {}),
          })
          .where('key', '=', key)
          .execute();
      }),
    get: (key) =>
      guard('reminders.get', async () => {
        const r = await db.selectFrom('reminders_sent').select(['key', 'channel', 'message_ts']).where('key', '=', key).executeTakeFirst();
        return r ? { key: r.key, channel: r.channel, messageTs: r.message_ts } : null;
      }),
    ofSecret: (repo, secret) =>
      guard('reminders.ofSecret', async () => {
        const rows = await db
          .selectFrom('reminders_sent')
          .selectAll()
          .where('repo', '=', repo)
          .where('secret', '=', secret)
          .where('message_ts', 'is not', null)
          .where('channel', 'is not', null)
          .orderBy('claimed_at')
          .execute();
        return rows.map((r) => fromRow(r as Row));
      }),
    byMessage: (channel, ts) =>
      guard('reminders.byMessage', async () => {
        const r = await db.selectFrom('reminders_sent').selectAll().where('channel', '=', channel).where('message_ts', '=', ts).executeTakeFirst();
        return r ? fromRow(r as Row) : null;
      }),
    unsettled: () =>
      guard('reminders.unsettled', async () => {
        const rows = await db
          .selectFrom('reminders_sent')
          .select(['repo', 'secret'])
          .distinct()
          .where('message_ts', 'is not', null)
          .where((eb) => eb.or([eb('offer', 'is', null), eb.and([eb('offer', 'not like', 'rotated:%'), eb('offer', 'not like', 'replaced:%')])]))
          .execute();
        return rows.map((r) => ({ repo: r.repo, secret: r.secret }));
      }),
    setOffer: (key, offer) =>
      guard('reminders.setOffer', async () => {
        await db.updateTable('reminders_sent').set({ offer }).where('key', '=', key).execute();
      }),
  };
}
