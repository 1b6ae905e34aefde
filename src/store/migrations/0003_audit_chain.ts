import { createHash } from 'node:crypto';
import type { Kysely, Migration } from 'kysely';
import { z } from 'zod';

/** The `prev_hash` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an audit entry that its hash covers, as stored. */
export interface ChainedFields {
  prevHash: string;
  /** Epoch milliseconds (the `at` column). */
  at: number;
  actor: string;
  action: string;
  repo: string | null;
  /** The `detail` column's text exactly as stored (not re-serialised), or null. */
  detail: string | null;
  outcome: string;
}

/**
 * The hash of one audit entry: lowercase hex SHA-256 of the UTF-8 bytes of
 *
 *   JSON.stringify(["release-chatops/audit/v1", prevHash, at, actor, action, repo, detail, outcome])
 *
 * A JSON array is unambiguous (every string is quoted and escaped, null is not "null"),
 * and anyone can recompute it from an export. `at` is an integer (epoch ms), written as
 * a JSON number. The leading tag names the format so that another one can follow.
 *
 * The row's id is deliberately not covered: it is only known once inserted, and the
 * order of entries is already fixed by each one naming its predecessor's hash. What
 * the chain cannot show is renumbering, and the removal of the newest entries (no
 * successor names them): keep the head hash somewhere else to catch the latter.
 */
export function auditEntryHash(f: ChainedFields): string {
  const canonical = JSON.stringify(['release-chatops/audit/v1', f.prevHash, f.at, f.actor, f.action, f.repo, f.detail, f.outcome]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/** The columns the backfill reads; this migration's view of audit_log, frozen with it. */
type AuditChainTables = {
  audit_log: {
    id: number | string;
    at: number | string;
    actor: string;
    action: string;
    repo: string | null;
    detail: string | null;
    outcome: string;
    prev_hash: string | null;
    hash: string | null;
  };
};

const BackfillRow = z.object({
  id: z.coerce.number().int(),
  at: z.coerce.number().int(),
  actor: z.string(),
  action: z.string(),
  repo: z.string().nullable(),
  detail: z.string().nullable(),
  outcome: z.string(),
  hash: z.string().nullable(),
});

const PAGE = 500;

/**
 * Hashes the entries that have no hash yet, in id order, each chained to the entry
 * before it (its stored hash, or the genesis hash). Entries that already have a hash
 * are never rewritten. Returns how many were hashed. Run by the migration; run it
 * inside a transaction that holds the write lock (the migrator does) so that no entry
 * is recorded meanwhile.
 */
export async function backfillAuditChain(database: Kysely<unknown>): Promise<number> {
  const db = database.withTables<AuditChainTables>();
  const first = await db.selectFrom('audit_log').select('id').where('hash', 'is', null).orderBy('id').limit(1).executeTakeFirst();
  if (!first) return 0;
  const firstId = Number(first.id);
  const before = await db.selectFrom('audit_log').select('hash').where('id', '<', firstId).orderBy('id', 'desc').limit(1).executeTakeFirst();
  // A predecessor without a hash cannot happen (firstId is the first such row).
  let prevHash = before?.hash ?? GENESIS_HASH;
  let cursor = firstId - 1;
  let hashed = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .select(['id', 'at', 'actor', 'action', 'repo', 'detail', 'outcome', 'hash'])
      .where('id', '>', cursor)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    for (const raw of rows) {
      const r = BackfillRow.parse(raw);
      if (r.hash === null) {
        const hash = auditEntryHash({ prevHash, at: r.at, actor: r.actor, action: r.action, repo: r.repo, detail: r.detail, outcome: r.outcome });
        await db.updateTable('audit_log').set({ prev_hash: prevHash, hash }).where('id', '=', r.id).execute();
        prevHash = hash;
        hashed += 1;
      } else {
        prevHash = r.hash;
      }
      cursor = r.id;
    }
    if (rows.length < PAGE) return hashed;
  }
}

/**
 * Makes the audit log a hash chain: each entry stores its predecessor's hash and its
 * own (see auditEntryHash), so editing, deleting or reordering entries shows. Entries
 * written before this migration are chained here, in id order.
 */
export function auditChain(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      // One column per statement: SQLite's ALTER TABLE adds one at a time. Nullable,
      // because SQLite cannot add a NOT NULL column without a default; record() always
      // sets both, and verify() reports an entry without a hash as a break.
      await db.schema.alterTable('audit_log').addColumn('prev_hash', 'text').execute();
      await db.schema.alterTable('audit_log').addColumn('hash', 'text').execute();
      await backfillAuditChain(db);
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('audit_log').dropColumn('hash').execute();
      await db.schema.alterTable('audit_log').dropColumn('prev_hash').execute();
    },
  };
}
