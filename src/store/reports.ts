import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { guard, ms } from './guard.js';
import type { Database } from './schema.js';

export interface SavedReport {
  kind: string;
  ownerUser: string;
  payload: unknown;
  createdAt: Date;
}

/**
 * Short-lived copies of what a user was shown, so "Share in channel" reposts exactly
 * that (not a fresh, possibly different, answer).
 */
export interface Reports {
  /** Returns an opaque, url-safe id (144 random bits). */
  save(o: { kind: string; ownerUser: string; payload: unknown; ttlSeconds: number }, now?: Date): Promise<string>;
  /** Null when the id is unknown or the report expired. */
  load(id: string, now?: Date): Promise<SavedReport | null>;
  /** Deletes expired reports; returns how many. */
  purgeExpired(now?: Date): Promise<number>;
}

const ReportRow = z.object({
  kind: z.string(),
  owner_user: z.string(),
  payload: z.string(),
  created_at: z.coerce.number().int(),
  expires_at: z.coerce.number().int(),
});

/** What newReportId() produces: 18 random bytes in base64url. */
const REPORT_ID = /^[A-Za-z0-9_-]{24}$/;

export function newReportId(): string {
  return randomBytes(18).toString('base64url');
}

export function reports(db: Kysely<Database>): Reports {
  return {
    save: async (o, now = new Date()) => {
      if (!(o.ttlSeconds > 0)) throw new RangeError('ttlSeconds must be positive');
      return guard('reports.save', async () => {
        const id = newReportId();
        const createdAt = ms(now);
        await db
          .insertInto('reports')
          .values({
            id,
            kind: o.kind,
            owner_user: o.ownerUser,
            payload: JSON.stringify(o.payload ?? null),
            created_at: createdAt,
            expires_at: createdAt + Math.round(o.ttlSeconds * 1000),
          })
          .execute();
        return id;
      });
    },

    load: (id, now = new Date()) =>
      guard('reports.load', async () => {
        // Ids come back from Slack button values: anything else is simply unknown.
        if (!REPORT_ID.test(id)) return null;
        const row = await db.selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirst();
        if (!row) return null;
        const r = ReportRow.parse(row);
        if (r.expires_at <= ms(now)) return null;
        return { kind: r.kind, ownerUser: r.owner_user, payload: JSON.parse(r.payload) as unknown, createdAt: new Date(r.created_at) };
      }),

    purgeExpired: (now = new Date()) =>
      guard('reports.purgeExpired', async () => {
        const res = await db.deleteFrom('reports').where('expires_at', '<=', ms(now)).executeTakeFirst();
        return Number(res.numDeletedRows);
      }),
  };
}
