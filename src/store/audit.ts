import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { StoreDialect } from './connect.js';
import { guard, ms } from './guard.js';
import { GENESIS_HASH, auditEntryHash } from './migrations/0003_audit_chain.js';
import type { Database } from './schema.js';

export interface AuditRecord {
  /** Slack user id, or 'system'. */
  actor: string;
  /** e.g. 'command:/sync-status'. */
  action: string;
  /** `owner/name`, when the action concerns one repository. */
  repo?: string;
  /** JSON-serialisable context. Never secrets (a safety net redacts the obvious ones). */
  detail?: Record<string, unknown>;
  /** 'ok' | 'usage' | 'error:<code>' | … */
  outcome: string;
}

export interface AuditEntry {
  id: string;
  /** ISO-8601 UTC. */
  at: string;
  actor: string;
  action: string;
  repo: string | null;
  detail: Record<string, unknown> | null;
  outcome: string;
  /** This entry's hash (see auditEntryHash); null only for a row written behind the bot's back. */
  hash: string | null;
  /** The previous entry's hash, 64 zeros for the first entry. */
  prevHash: string | null;
}

/**
 * The result of walking the whole chain. `count` is how many entries were found
 * intact (before the break, when there is one). `head` is the newest entry's hash
 * (64 zeros for an empty log): keep it elsewhere to notice, later, that the newest
 * entries were removed, which the chain alone cannot show.
 */
export type AuditVerification = { ok: true; count: number; head: string } | { ok: false; count: number; brokenAt: string; reason: string };

export interface AuditExportOptions {
  /** Entries whose `at` is at or after this. */
  since?: Date;
  /** Entries whose `at` is before this. */
  until?: Date;
}

export interface AuditLog {
  /** Appends an entry to the hash chain (serialised with every other writer of the database). */
  record(entry: AuditRecord, now?: Date): Promise<void>;
  /** Oldest first: the first `limit` (default 500, at most 10 000) entries at or after `since`. */
  list(o?: { since?: Date; limit?: number }): Promise<AuditEntry[]>;
  /** Recomputes every entry's hash, oldest first, a page at a time. */
  verify(): Promise<AuditVerification>;
  /** Every entry in the time range, in chain (id) order, read a page at a time as it is consumed. */
  export(o?: AuditExportOptions): AsyncIterable<AuditEntry>;
}

const AuditRow = z.object({
  id: z.coerce.string(),
  at: z.coerce.number().int(),
  actor: z.string(),
  action: z.string(),
  repo: z.string().nullable(),
  detail: z.string().nullable(),
  outcome: z.string(),
  prev_hash: z.string().nullable(),
  hash: z.string().nullable(),
});
type AuditRow = z.infer<typeof AuditRow>;

const AuditDetail = z.record(z.string(), z.unknown());
type AuditDetail = z.infer<typeof AuditDetail>;

/** Rows read per query by verify() and export(). */
const PAGE = 500;

/** PostgreSQL: the transaction-scoped advisory lock that serialises appends to the chain. */
const AUDIT_LOCK = 'release-chatops:audit';

export function auditLog(db: Kysely<Database>, dialect: StoreDialect): AuditLog {
  return {
    record: (entry, now = new Date()) =>
      guard('audit.record', async () => {
        const fields = {
          at: ms(now),
          actor: wellFormed(entry.actor),
          action: wellFormed(entry.action),
          repo: entry.repo === undefined ? null : wellFormed(entry.repo),
          // JSON.stringify escapes lone surrogates, so the text is stored as hashed.
          detail: entry.detail === undefined ? null : JSON.stringify(redactSecrets(entry.detail)),
          outcome: wellFormed(entry.outcome),
        };
        await withAppendLock(db, dialect, async (tx) => {
          // The one extra read: the newest entry, by primary key.
          const last = await tx.selectFrom('audit_log').select('hash').orderBy('id', 'desc').limit(1).executeTakeFirst();
          // A newest row without a hash was written behind our back: verify() reports it,
          // and the audit trail goes on regardless (losing entries would be worse).
          const prevHash = last?.hash ?? GENESIS_HASH;
          await tx
            .insertInto('audit_log')
            .values({ ...fields, prev_hash: prevHash, hash: auditEntryHash({ prevHash, ...fields }) })
            .execute();
        });
      }),

    list: (o = {}) =>
      guard('audit.list', async () => {
        const limit = Math.min(Math.max(Math.trunc(o.limit ?? 500), 1), 10_000);
        let q = db.selectFrom('audit_log').selectAll().orderBy('at').orderBy('id').limit(limit);
        if (o.since) q = q.where('at', '>=', ms(o.since));
        const rows = await q.execute();
        return rows.map((r) => toEntry(AuditRow.parse(r)));
      }),

    verify: () => guard('audit.verify', () => verifyChain(db)),

    export: (o = {}) => exportEntries(db, o),
  };
}

/**
 * Runs `fn` while this process alone may append to audit_log, so that "read the newest
 * hash, insert the next entry" cannot interleave with another writer (another
 * replica, or another Store on the same database).
 */
async function withAppendLock(db: Kysely<Database>, dialect: StoreDialect, fn: (tx: Kysely<Database>) => Promise<void>): Promise<void> {
  if (dialect === 'postgres') {
    // Held until commit or rollback. Under READ COMMITTED the next statement sees
    // the entry the previous holder committed.
    await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext(${AUDIT_LOCK}))`.execute(trx);
      await fn(trx);
    });
    return;
  }
  // SQLite: Kysely's one connection, kept for the whole transaction, and the file's
  // write lock taken up front (BEGIN IMMEDIATE): a plain BEGIN would read under a
  // shared lock and could then fail to upgrade when another process wrote meanwhile.
  await db.connection().execute(async (conn) => {
    await beginImmediate(conn);
    try {
      await fn(conn);
      await sql`commit`.execute(conn);
    } catch (e) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw e;
    }
  });
}

/**
 * BEGIN IMMEDIATE, retried asynchronously (as migrate.ts does): better-sqlite3's busy
 * handler sleeps the whole thread, which would also stall another connection of this
 * same process that holds the lock while awaiting. So the busy timeout is off while we
 * ask, and its value bounds how long we keep asking.
 */
async function beginImmediate(conn: Kysely<Database>): Promise<void> {
  const { rows } = await sql<{ timeout: number }>`pragma busy_timeout`.execute(conn);
  const busyTimeout = rows[0]?.timeout ?? 5000;
  const deadline = Date.now() + busyTimeout;
  for (let wait = 1; ; wait = Math.min(wait * 2, 25)) {
    await sql`pragma busy_timeout = 0`.execute(conn);
    try {
      await sql`begin immediate`.execute(conn);
      return;
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY') || Date.now() > deadline) throw e;
    } finally {
      await sql`pragma busy_timeout = ${sql.lit(busyTimeout)}`.execute(conn);
    }
    await sleep(wait);
  }
}

async function verifyChain(db: Kysely<Database>): Promise<AuditVerification> {
  let expected = GENESIS_HASH;
  let previousId: string | null = null;
  let count = 0;
  let cursor: number | null = null;
  for (;;) {
    let q = db.selectFrom('audit_log').selectAll().orderBy('id').limit(PAGE);
    if (cursor !== null) q = q.where('id', '>', cursor);
    const rows = await q.execute();
    for (const raw of rows) {
      const parsed = AuditRow.safeParse(raw);
      if (!parsed.success) {
        const id = String(raw.id);
        return { ok: false, count, brokenAt: id, reason: `entry ${id} cannot be read (a column holds a value of the wrong type)` };
      }
      const r = parsed.data;
      const link = checkLink(r, expected, previousId);
      if (!link.ok) return { ok: false, count, brokenAt: r.id, reason: link.reason };
      expected = link.hash;
      previousId = r.id;
      count += 1;
      cursor = Number(r.id);
    }
    if (rows.length < PAGE) return { ok: true, count, head: expected };
  }
}

/** Whether `r` continues the chain whose newest hash is `expected`, and if so its (verified) hash. */
function checkLink(r: AuditRow, expected: string, previousId: string | null): { ok: true; hash: string } | { ok: false; reason: string } {
  if (r.prev_hash === null || r.hash === null) return { ok: false, reason: `entry ${r.id} has no hash (it was written without the chain)` };
  if (r.prev_hash !== expected) {
    const reason =
      previousId === null
        ? `entry ${r.id} is the oldest but does not start the chain: older entries were deleted`
        : `entry ${r.id} does not follow entry ${previousId}: entries between them were deleted or inserted, or entries were reordered`;
    return { ok: false, reason };
  }
  const recomputed = auditEntryHash({ prevHash: r.prev_hash, at: r.at, actor: r.actor, action: r.action, repo: r.repo, detail: r.detail, outcome: r.outcome });
  if (recomputed !== r.hash) return { ok: false, reason: `entry ${r.id} does not match its hash: it was changed after it was written` };
  return { ok: true, hash: r.hash };
}

async function* exportEntries(db: Kysely<Database>, o: AuditExportOptions): AsyncGenerator<AuditEntry> {
  const since = o.since ? ms(o.since) : null;
  const until = o.until ? ms(o.until) : null;
  let cursor: number | null = null;
  for (;;) {
    const rows = await guard('audit.export', () => {
      let q = db.selectFrom('audit_log').selectAll().orderBy('id').limit(PAGE);
      if (cursor !== null) q = q.where('id', '>', cursor);
      if (since !== null) q = q.where('at', '>=', since);
      if (until !== null) q = q.where('at', '<', until);
      return q.execute();
    });
    for (const raw of rows) {
      const entry = toEntry(AuditRow.parse(raw));
      cursor = Number(entry.id);
      yield entry;
    }
    if (rows.length < PAGE) return;
  }
}

function toEntry(r: AuditRow): AuditEntry {
  return {
    id: r.id,
    at: new Date(r.at).toISOString(),
    actor: r.actor,
    action: r.action,
    repo: r.repo,
    detail: r.detail === null ? null : parseDetail(r.detail),
    outcome: r.outcome,
    hash: r.hash,
    prevHash: r.prev_hash,
  };
}

function parseDetail(text: string): AuditDetail {
  try {
    const parsed = AuditDetail.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through: one unreadable row must not hide the rest of the log
  }
  return { unreadable: true };
}

/**
 * Lone UTF-16 surrogates cannot be stored (both drivers write U+FFFD instead), so they
 * are replaced before hashing: the hash must cover the text as it will be read back.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
function wellFormed(s: string): string {
  return s.replace(LONE_SURROGATE, '\uFFFD');
}

/** Keys whose values are credentials by name, at any depth. */
const SECRET_KEY = /^(value|secret_?value|token|access_?token|refresh_?token|password|passphrase|private_?key|client_?secret|signing_?secret|authorization)$/i;
/** Values that look like GitHub or Slack credentials, wherever they appear. */
const SECRET_TEXT =
  /\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abpers]-[A-Za-z0-9-]{10,}|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$))/g;

/**
 * Safety net only: callers must not put secrets in the audit detail. This catches
 * the obvious mistakes (a `token` field, a pasted PAT) before they are stored forever.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(SECRET_TEXT, '[redacted]');
  if (depth > 20 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : redactSecrets(v, depth + 1)]));
}
