import { createHash, randomBytes } from 'node:crypto';
import type { ExpressionBuilder, Kysely } from 'kysely';
import { z } from 'zod';
import { guard, ms } from './guard.js';
import type { Database } from './schema.js';

/** How many refused submissions one link takes before it is void (guessing values through it is pointless, but cheap to stop). */
export const ENTRY_LINK_MAX_ATTEMPTS = 5;

/** The link's secret part as it appears in its URL: 32 random bytes, base64url. */
const LinkSecret = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

export const EntryLink = z.object({
  tokenHash: z.string(),
  rotationId: z.string(),
  userId: z.string(),
  createdAt: z.date(),
  expiresAt: z.date(),
  attempts: z.number().int(),
});
export type EntryLink = z.infer<typeof EntryLink>;

export type PeekResult = { kind: 'open'; link: EntryLink } | { kind: 'gone' };

/** One-time masked entry pages: see migrations/0007_entry_links.ts. */
export interface EntryLinks {
  /** A new link for this rotation and person; any unused earlier one of theirs for it is void. Returns the secret part of the URL. */
  mint(o: { rotationId: string; userId: string; ttlMs: number }, now: Date): Promise<string>;
  /** The link a URL names, if it can still be used (for showing the page: no change). */
  peek(secret: string, now: Date): Promise<PeekResult>;
  /** Takes the link for one submission: exactly one caller wins, and only while it is unused, unexpired and has attempts left. */
  claim(secret: string, now: Date): Promise<EntryLink | null>;
  /**
   * The claimed submission was refused: the link is free again, with one attempt fewer;
   * `spendTry: false` when nothing was judged (GitHub did not answer): the same tries left.
   */
  release(link: EntryLink, o?: { spendTry?: boolean }): Promise<void>;
  /** The claimed submission went through: the link is spent for good. */
  finish(link: EntryLink, now: Date): Promise<void>;
}

const hashOf = (secret: string) => createHash('sha256').update(secret).digest('hex');

type Row = { token_hash: string; rotation_id: string; user_id: string; created_at: number | string; expires_at: number | string; attempts: number };
const toLink = (r: Row): EntryLink =>
  EntryLink.parse({
    tokenHash: r.token_hash,
    rotationId: r.rotation_id,
    userId: r.user_id,
    createdAt: new Date(Number(r.created_at)),
    expiresAt: new Date(Number(r.expires_at)),
    attempts: Number(r.attempts),
  });

const COLUMNS = ['token_hash', 'rotation_id', 'user_id', 'created_at', 'expires_at', 'attempts'] as const;

/** The link a URL names, while it can still be used: unclaimed, not spent, unexpired, with attempts left. */
const usable = (secret: string, now: Date) => (eb: ExpressionBuilder<Database, 'entry_links'>) =>
  eb.and([
    eb('token_hash', '=', hashOf(secret)),
    eb('used_at', 'is', null),
    eb('done_at', 'is', null),
    eb('expires_at', '>', ms(now)),
    eb('attempts', '<', ENTRY_LINK_MAX_ATTEMPTS),
  ]);

export function entryLinks(db: Kysely<Database>): EntryLinks {
  return {
    mint: (o, now) =>
      guard('entryLinks.mint', async () => {
        const secret = randomBytes(32).toString('base64url');
        await db.transaction().execute(async (tx) => {
          await tx
            .updateTable('entry_links')
            .set({ expires_at: ms(now) })
            .where('rotation_id', '=', o.rotationId)
            .where('user_id', '=', o.userId)
            .where('done_at', 'is', null)
            .execute();
          await tx
            .insertInto('entry_links')
            .values({
              token_hash: hashOf(secret),
              rotation_id: o.rotationId,
              user_id: o.userId,
              created_at: ms(now),
              expires_at: ms(now) + o.ttlMs,
              used_at: null,
              done_at: null,
              attempts: 0,
            })
            .execute();
        });
        return secret;
      }),
    peek: (secret, now) =>
      guard('entryLinks.peek', async () => {
        if (!LinkSecret.safeParse(secret).success) return { kind: 'gone' as const };
        const r = await db.selectFrom('entry_links').select(COLUMNS).where(usable(secret, now)).executeTakeFirst();
        return r ? { kind: 'open' as const, link: toLink(r) } : { kind: 'gone' as const };
      }),
    claim: (secret, now) =>
      guard('entryLinks.claim', async () => {
        if (!LinkSecret.safeParse(secret).success) return null;
        // A compare-and-set on used_at: two submissions at once, on one replica or two, cannot both pass.
        const r = await db
          .updateTable('entry_links')
          .set({ used_at: ms(now) })
          .where(usable(secret, now))
          .returning(COLUMNS)
          .executeTakeFirst();
        return r ? toLink(r) : null;
      }),
    release: (link, o = {}) =>
      guard('entryLinks.release', async () => {
        const update = db.updateTable('entry_links').where('token_hash', '=', link.tokenHash).where('done_at', 'is', null);
        if (o.spendTry === false) await update.set({ used_at: null }).execute();
        else await update.set((eb) => ({ used_at: null, attempts: eb('attempts', '+', 1) })).execute();
      }),
    finish: (link, now) =>
      guard('entryLinks.finish', async () => {
        await db
          .updateTable('entry_links')
          .set({ done_at: ms(now) })
          .where('token_hash', '=', link.tokenHash)
          .execute();
      }),
  };
}
