import type { Kysely } from 'kysely';
import { z } from 'zod';
import { guard, ms } from './guard.js';
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
}

export interface AuditLog {
  record(entry: AuditRecord, now?: Date): Promise<void>;
  /** Oldest first: the first `limit` (default 500, at most 10 000) entries at or after `since`. */
  list(o?: { since?: Date; limit?: number }): Promise<AuditEntry[]>;
}

const AuditRow = z.object({
  id: z.coerce.string(),
  at: z.coerce.number().int(),
  actor: z.string(),
  action: z.string(),
  repo: z.string().nullable(),
  detail: z.string().nullable(),
  outcome: z.string(),
});
type AuditRow = z.infer<typeof AuditRow>;

const AuditDetail = z.record(z.string(), z.unknown());
type AuditDetail = z.infer<typeof AuditDetail>;

export function auditLog(db: Kysely<Database>): AuditLog {
  return {
    record: (entry, now = new Date()) =>
      guard('audit.record', async () => {
        await db
          .insertInto('audit_log')
          .values({
            at: ms(now),
            actor: entry.actor,
            action: entry.action,
            repo: entry.repo ?? null,
            detail: entry.detail === undefined ? null : JSON.stringify(redactSecrets(entry.detail)),
            outcome: entry.outcome,
          })
          .execute();
      }),

    list: (o = {}) =>
      guard('audit.list', async () => {
        const limit = Math.min(Math.max(Math.trunc(o.limit ?? 500), 1), 10_000);
        let q = db.selectFrom('audit_log').selectAll().orderBy('at').orderBy('id').limit(limit);
        if (o.since) q = q.where('at', '>=', ms(o.since));
        const rows = await q.execute();
        return rows.map((r) => toEntry(AuditRow.parse(r)));
      }),
  };
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

/** Keys whose values are credentials by name, at any depth. */
const SECRET_KEY = /^(value|secret_?value|token|access_?token|refresh_?token|password|passphrase|private_?key|client_?secret|signing_?secret|authorization)$/i;
/** Values that look like GitHub or Slack credentials, wherever they appear. */
const SECRET_TEXT = /\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abpers]-[A-Za-z0-9-]{10,}|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$))/g;

/**
 * Safety net only: callers must not put secrets in the audit detail. This catches
 * the obvious mistakes (a `token` field, a pasted PAT) before they are stored forever.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(SECRET_TEXT, '[redacted]');
  if (depth > 20 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : redactSecrets(v, depth + 1)]),
  );
}
