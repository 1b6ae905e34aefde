import type { Kysely } from 'kysely';
import { guard, ms } from './guard.js';
import type { Database } from './schema.js';

/** Slack deliveries already taken (see migrations/0008_slack_deliveries.ts). */
export interface SlackDeliveries {
  /** True for exactly one caller per key, on any replica, until the key is purged. */
  claim(key: string, now: Date): Promise<boolean>;
  /** Forgets keys first seen before `before`; returns how many. */
  purgeBefore(before: Date): Promise<number>;
}

export function slackDeliveries(db: Kysely<Database>): SlackDeliveries {
  return {
    claim: (key, now) =>
      guard('slackDeliveries.claim', async () => {
        const r = await db
          .insertInto('slack_deliveries')
          .values({ key, seen_at: ms(now) })
          .onConflict((oc) => oc.column('key').doNothing())
          .executeTakeFirst();
        return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
      }),
    purgeBefore: (before) =>
      guard('slackDeliveries.purgeBefore', async () => {
        const r = await db.deleteFrom('slack_deliveries').where('seen_at', '<', ms(before)).executeTakeFirst();
        return Number(r.numDeletedRows);
      }),
  };
}
