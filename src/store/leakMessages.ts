import type { Kysely } from 'kysely';
import { guard, ms } from './guard.js';
import type { Database } from './schema.js';

/** A posted leak warning: what it said (never a token), and the offer states it shows. */
export interface LeakMessage {
  channel: string;
  messageTs: string;
  postedAt: Date;
  author: string | null;
  /** Parsed by the service (zod): the store keeps them as JSON. */
  kinds: unknown;
  unchecked: number;
  offers: unknown;
  outcomes: unknown;
  shown: string | null;
}

/** Leak warnings posted: see migrations/0012_leak_messages.ts. */
export interface LeakMessages {
  add(m: {
    channel: string;
    messageTs: string;
    postedAt: Date;
    author: string | null;
    kinds: unknown;
    unchecked: number;
    offers: unknown;
    shown: string;
  }): Promise<void>;
  get(channel: string, ts: string): Promise<LeakMessage | null>;
  /** The warnings posted in a channel, oldest first. */
  inChannel(channel: string): Promise<LeakMessage[]>;
  setOutcomes(channel: string, ts: string, outcomes: unknown): Promise<void>;
  setShown(channel: string, ts: string, shown: string): Promise<void>;
}

type Row = Database['leak_messages'] extends infer T ? { [K in keyof T]: unknown } : never;

const parse = (v: unknown): unknown => (v === null || v === undefined ? null : JSON.parse(String(v)));

function fromRow(r: Row): LeakMessage {
  return {
    channel: String(r.channel),
    messageTs: String(r.message_ts),
    postedAt: new Date(Number(r.posted_at)),
    author: r.author === null ? null : String(r.author),
    kinds: parse(r.kinds),
    unchecked: Number(r.unchecked),
    offers: parse(r.offers),
    outcomes: parse(r.outcomes),
    shown: r.shown === null ? null : String(r.shown),
  };
}

export function leakMessages(db: Kysely<Database>): LeakMessages {
  return {
    add: (m) =>
      guard('leakMessages.add', async () => {
        await db
          .insertInto('leak_messages')
          .values({
            channel: m.channel,
            message_ts: m.messageTs,
            posted_at: ms(m.postedAt),
            author: m.author,
            kinds: JSON.stringify(m.kinds),
            unchecked: m.unchecked,
            offers: JSON.stringify(m.offers),
            outcomes: null,
            shown: m.shown,
          })
          .onConflict((oc) => oc.columns(['channel', 'message_ts']).doNothing())
          .execute();
      }),
    get: (channel, ts) =>
      guard('leakMessages.get', async () => {
        const r = await db.selectFrom('leak_messages').selectAll().where('channel', '=', channel).where('message_ts', '=', ts).executeTakeFirst();
        return r ? fromRow(r as Row) : null;
      }),
    inChannel: (channel) =>
      guard('leakMessages.inChannel', async () => {
        const rows = await db.selectFrom('leak_messages').selectAll().where('channel', '=', channel).orderBy('posted_at').execute();
        return rows.map((r) => fromRow(r as Row));
      }),
    setOutcomes: (channel, ts, outcomes) =>
      guard('leakMessages.setOutcomes', async () => {
        await db
          .updateTable('leak_messages')
          .set({ outcomes: JSON.stringify(outcomes) })
          .where('channel', '=', channel)
          .where('message_ts', '=', ts)
          .execute();
      }),
    setShown: (channel, ts, shown) =>
      guard('leakMessages.setShown', async () => {
        await db.updateTable('leak_messages').set({ shown }).where('channel', '=', channel).where('message_ts', '=', ts).execute();
      }),
  };
}
