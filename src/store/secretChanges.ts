import type { Kysely, Updateable, UpdateQueryBuilder, UpdateResult } from 'kysely';
import { z } from 'zod';
import { ChangeFacts, ChangeOutcome } from '../core/secrets/facts.js';
import { SecretChange, SecretChangeAction, WriteCheck } from '../core/secrets/change.js';
import type { StoreDialect } from './connect.js';
import { guard, ms } from './guard.js';
import { jobs, type EnqueueOptions } from './jobs.js';
import { OPEN_CHANGE } from './migrations/0004_secret_changes.js';
import { newReportId } from './reports.js';
import type { Database, SecretChangesTable, SecretChangeStatus } from './schema.js';

export { SecretChange, SecretChangeAction, WriteCheck } from '../core/secrets/change.js';

const msOrNull = z.coerce.number().nullable();
const Row = z.object({
  id: z.string(),
  repo: z.string(),
  repo_name: z.string(),
  secret: z.string(),
  secret_kind: z.string(),
  action: SecretChangeAction,
  requested_by: z.string(),
  channel: z.string(),
  thread_ts: z.string().nullable(),
  message_ts: z.string().nullable(),
  origin: z.string().nullable(),
  status: SecretChange.shape.status,
  ciphertext: z.string().nullable(),
  key_id: z.string().nullable(),
  facts: z.string(),
  created_at: z.coerce.number(),
  expires_at: z.coerce.number(),
  decided_by: z.string().nullable(),
  decided_at: msOrNull,
  applying_at: msOrNull,
  finished_at: msOrNull,
  outcome: z.string().nullable(),
  error: z.string().nullable(),
  write_check: z.string().nullable().optional(),
});

const date = (n: number | null) => (n === null ? null : new Date(n));

function fromRow(raw: unknown): SecretChange {
  const r = Row.parse(raw);
  return {
    id: r.id,
    repo: r.repo,
    repoName: r.repo_name,
    secret: r.secret,
    secretKind: r.secret_kind,
    action: r.action,
    requestedBy: r.requested_by,
    channel: r.channel,
    threadTs: r.thread_ts,
    messageTs: r.message_ts,
    origin: r.origin,
    status: r.status,
    ciphertext: r.ciphertext,
    keyId: r.key_id,
    facts: ChangeFacts.parse(JSON.parse(r.facts)),
    createdAt: new Date(r.created_at),
    expiresAt: new Date(r.expires_at),
    decidedBy: r.decided_by,
    decidedAt: date(r.decided_at),
    applyingAt: date(r.applying_at),
    finishedAt: date(r.finished_at),
    outcome: r.outcome === null ? null : ChangeOutcome.parse(JSON.parse(r.outcome)),
    error: r.error,
    writeCheck: r.write_check ? WriteCheck.parse(JSON.parse(r.write_check)) : null,
  };
}

const ID = /^[A-Za-z0-9_-]{24}$/;

export interface NewSecretChange {
  repo: string;
  repoName: string;
  secret: string;
  secretKind: string;
  action: SecretChangeAction;
  requestedBy: string;
  channel: string;
  threadTs?: string | null;
  origin?: string | null;
  ciphertext?: string | null;
  keyId?: string | null;
  facts: ChangeFacts;
  ttlSeconds: number;
}

export type CreateResult = { kind: 'created'; change: SecretChange } | { kind: 'busy'; open: SecretChange | null };

/** Statuses in which a request still holds its secret (one at a time). */
export const OPEN_STATUSES: readonly SecretChangeStatus[] = ['pending', 'approved', 'applying'];

/**
 * Every decision on a secret change is one conditional UPDATE from the expected
 * status: whatever the number of clicks, replicas or retries, exactly one caller
 * wins. An approval and the job that applies it are written in one transaction, so a
 * crash cannot leave an approved change that nothing will apply; so is every status
 * change and the follow-up job of whatever the request belongs to (a rotation's tick),
 * so no transition can leave it waiting.
 */
export interface SecretChanges {
  /** Inserts a pending request, unless one is already open for this secret (then `busy`). Voids expired ones first. */
  create(o: NewSecretChange, now?: Date): Promise<CreateResult>;
  get(id: string): Promise<SecretChange | null>;
  /** The open request for this secret, if any (expired ones are voided first). */
  open(repo: string, secret: string, now?: Date): Promise<SecretChange | null>;
  /** The most recent applied change of this kind for the secret (`before`: requested before that time). */
  lastDone(repo: string, secret: string, action: SecretChangeAction, o?: { before?: Date }): Promise<SecretChange | null>;
  /** pending -> approved, by someone other than the requester, before expiry; enqueues `job` in the same transaction. */
  approve(id: string, user: string, job: EnqueueOptions, now?: Date): Promise<boolean>;
  /** pending -> denied, by someone other than the requester, before expiry. Drops the ciphertext. */
  deny(id: string, user: string, now?: Date): Promise<boolean>;
  /** pending -> cancelled, by the requester. Drops the ciphertext. */
  cancel(id: string, user: string, now?: Date): Promise<boolean>;
  /** pending -> cancelled by whoever stops what started it (a rotation cancelled by its requester or an approver). */
  withdraw(id: string, by: string, now?: Date): Promise<boolean>;
  /**
   * pending -> expired once past expires_at. Drops the ciphertext. `o`: what GitHub
   * showed when the expiry job looked (for a request with an unanswered write).
   */
  expire(id: string, now?: Date, o?: { outcome?: ChangeOutcome; error?: string }): Promise<boolean>;
  /**
   * pending -> done: a write that got no answer turned out to have reached GitHub
   * (seen by the expiry job). `by`: who had approved it.
   */
  concludeWritten(id: string, by: string | null, outcome: ChangeOutcome, now?: Date): Promise<boolean>;
  /** Records, while applying, what GitHub showed before the first write; kept if already set. */
  noteWrite(id: string, check: WriteCheck): Promise<boolean>;
  /** While applying: what went wrong last and what happens next (shown on the request). */
  noteProblem(id: string, text: string | null): Promise<boolean>;
  /** approved -> applying. */
  startApplying(id: string, now?: Date): Promise<boolean>;
  /** applying -> done | failed. Drops the ciphertext. */
  finish(id: string, o: { status: 'done' | 'failed'; outcome?: ChangeOutcome; error?: string }, now?: Date): Promise<boolean>;
  /** applying -> pending after a transient failure: the request can be approved again (or denied) until it expires. */
  reopen(id: string, error: string, now?: Date): Promise<boolean>;
  setMessage(id: string, channel: string, ts: string): Promise<void>;
}

/** The job to enqueue with a request's status change (in the same transaction), or null. */
export type ChangeFollowUp = (c: { id: string; origin: string | null; status: SecretChangeStatus }) => EnqueueOptions | null;

export function secretChanges(db: Kysely<Database>, dialect: StoreDialect, followUp: ChangeFollowUp = () => null): SecretChanges {
  type Narrow = (
    q: UpdateQueryBuilder<Database, 'secret_changes', 'secret_changes', UpdateResult>,
  ) => UpdateQueryBuilder<Database, 'secret_changes', 'secret_changes', UpdateResult>;
  const enqueueFollowUp = async (trx: Kysely<Database>, changes: readonly { id: string; origin: string | null }[], status: SecretChangeStatus, now: Date) => {
    for (const c of changes) {
      const job = followUp({ id: c.id, origin: c.origin, status });
      if (job) await jobs(trx, dialect).enqueue(job, now);
    }
  };
  /** One conditional UPDATE and the follow-up job, in `on` (an open transaction) or a transaction of its own. */
  const transition = async (
    on: Kysely<Database> | null,
    id: string,
    from: SecretChangeStatus,
    set: Updateable<SecretChangesTable> & { status: SecretChangeStatus },
    now: Date,
    narrow: Narrow = (q) => q,
  ): Promise<boolean> => {
    if (!ID.test(id)) return false;
    const run = async (trx: Kysely<Database>) => {
      const row = await narrow(trx.updateTable('secret_changes').where('id', '=', id).where('status', '=', from))
        .set(set)
        .returning(['id', 'origin'])
        .executeTakeFirst();
      if (!row) return false;
      await enqueueFollowUp(trx, [row], set.status, now);
      return true;
    };
    return on ? run(on) : db.transaction().execute(run);
  };
  const VOID = { ciphertext: null, key_id: null } as const;

  // A request with an unanswered write is left to the expiry job, which asks GitHub first.
  const expireDue = (repo: string, secret: string, now: Date) =>
    db.transaction().execute(async (trx) => {
      const voided = await trx
        .updateTable('secret_changes')
        .set({ status: 'expired', ...VOID, finished_at: ms(now) })
        .where('repo', '=', repo)
        .where('secret', '=', secret)
        .where('status', '=', 'pending')
        .where('expires_at', '<=', ms(now))
        .where('write_check', 'is', null)
        .returning(['id', 'origin'])
        .execute();
      await enqueueFollowUp(trx, voided, 'expired', now);
    });

  const openOf = async (repo: string, secret: string) => {
    const row = await db.selectFrom('secret_changes').selectAll().where('repo', '=', repo).where('secret', '=', secret).where(OPEN_CHANGE).executeTakeFirst();
    return row ? fromRow(row) : null;
  };

  return {
    create: (o, now = new Date()) =>
      guard('secretChanges.create', async () => {
        await expireDue(o.repo, o.secret, now);
        const row = {
          id: newReportId(),
          repo: o.repo,
          repo_name: o.repoName,
          secret: o.secret,
          secret_kind: o.secretKind,
          action: o.action,
          requested_by: o.requestedBy,
          channel: o.channel,
          thread_ts: o.threadTs ?? null,
          message_ts: null,
          origin: o.origin ?? null,
          status: 'pending' as const,
          ciphertext: o.ciphertext ?? null,
          key_id: o.keyId ?? null,
          facts: JSON.stringify(ChangeFacts.parse(o.facts)),
          created_at: ms(now),
          expires_at: ms(now) + o.ttlSeconds * 1000,
          decided_by: null,
          decided_at: null,
          applying_at: null,
          finished_at: null,
          outcome: null,
          error: null,
          write_check: null,
        };
        const inserted = await db
          .insertInto('secret_changes')
          .values(row)
          .onConflict((oc) => oc.columns(['repo', 'secret']).where(OPEN_CHANGE).doNothing())
          .returning('id')
          .executeTakeFirst();
        if (!inserted) return { kind: 'busy', open: await openOf(o.repo, o.secret) };
        return { kind: 'created', change: fromRow(row) };
      }),

    get: (id) =>
      guard('secretChanges.get', async () => {
        if (!ID.test(id)) return null;
        const row = await db.selectFrom('secret_changes').selectAll().where('id', '=', id).executeTakeFirst();
        return row ? fromRow(row) : null;
      }),

    open: (repo, secret, now = new Date()) =>
      guard('secretChanges.open', async () => {
        await expireDue(repo, secret, now);
        return openOf(repo, secret);
      }),

    lastDone: (repo, secret, action, o = {}) =>
      guard('secretChanges.lastDone', async () => {
        let q = db
          .selectFrom('secret_changes')
          .selectAll()
          .where('repo', '=', repo)
          .where('secret', '=', secret)
          .where('action', '=', action)
          .where('status', '=', 'done');
        if (o.before) q = q.where('created_at', '<', ms(o.before));
        const row = await q.orderBy('created_at', 'desc').limit(1).executeTakeFirst();
        return row ? fromRow(row) : null;
      }),

    approve: (id, user, job, now = new Date()) =>
      guard('secretChanges.approve', () =>
        db.transaction().execute(async (trx) => {
          const won = await transition(trx, id, 'pending', { status: 'approved', decided_by: user, decided_at: ms(now), error: null }, now, (q) =>
            q.where('requested_by', '<>', user).where('expires_at', '>', ms(now)),
          );
          if (won) await jobs(trx, dialect).enqueue(job, now);
          return won;
        }),
      ),

    deny: (id, user, now = new Date()) =>
      guard('secretChanges.deny', () =>
        transition(null, id, 'pending', { status: 'denied', ...VOID, decided_by: user, decided_at: ms(now), finished_at: ms(now) }, now, (q) =>
          q.where('requested_by', '<>', user).where('expires_at', '>', ms(now)),
        ),
      ),

    cancel: (id, user, now = new Date()) =>
      guard('secretChanges.cancel', () =>
        transition(null, id, 'pending', { status: 'cancelled', ...VOID, decided_by: user, decided_at: ms(now), finished_at: ms(now) }, now, (q) =>
          q.where('requested_by', '=', user),
        ),
      ),

    withdraw: (id, by, now = new Date()) =>
      guard('secretChanges.withdraw', () =>
        transition(null, id, 'pending', { status: 'cancelled', ...VOID, decided_by: by, decided_at: ms(now), finished_at: ms(now) }, now),
      ),

    expire: (id, now = new Date(), o = {}) =>
      guard('secretChanges.expire', () =>
        transition(
          null,
          id,
          'pending',
          {
            status: 'expired',
            ...VOID,
            finished_at: ms(now),
            ...(o.outcome ? { outcome: JSON.stringify(ChangeOutcome.parse(o.outcome)) } : {}),
            ...(o.error ? { error: o.error.slice(0, 500) } : {}),
          },
          now,
          (q) => q.where('expires_at', '<=', ms(now)),
        ),
      ),

    concludeWritten: (id, by, outcome, now = new Date()) =>
      guard('secretChanges.concludeWritten', () =>
        transition(
          null,
          id,
          'pending',
          { status: 'done', ...VOID, decided_by: by, finished_at: ms(now), outcome: JSON.stringify(ChangeOutcome.parse(outcome)), error: null },
          now,
          (q) => q.where('write_check', 'is not', null),
        ),
      ),

    noteWrite: (id, check) =>
      guard('secretChanges.noteWrite', async () => {
        if (!ID.test(id)) return false;
        const res = await db
          .updateTable('secret_changes')
          .set({ write_check: JSON.stringify(WriteCheck.parse(check)) })
          .where('id', '=', id)
          .where('status', '=', 'applying')
          .where('write_check', 'is', null)
          .executeTakeFirst();
        return Number(res.numUpdatedRows) === 1;
      }),

    noteProblem: (id, text) =>
      guard('secretChanges.noteProblem', async () => {
        if (!ID.test(id)) return false;
        const res = await db
          .updateTable('secret_changes')
          .set({ error: text === null ? null : text.slice(0, 500) })
          .where('id', '=', id)
          .where('status', '=', 'applying')
          .executeTakeFirst();
        return Number(res.numUpdatedRows) === 1;
      }),

    startApplying: (id, now = new Date()) =>
      guard('secretChanges.startApplying', () => transition(null, id, 'approved', { status: 'applying', applying_at: ms(now) }, now)),

    finish: (id, o, now = new Date()) =>
      guard('secretChanges.finish', () =>
        transition(
          null,
          id,
          'applying',
          {
            status: o.status,
            ...VOID,
            finished_at: ms(now),
            outcome: o.outcome ? JSON.stringify(ChangeOutcome.parse(o.outcome)) : null,
            error: o.error?.slice(0, 500) ?? null,
          },
          now,
        ),
      ),

    reopen: (id, error, now = new Date()) =>
      guard('secretChanges.reopen', () =>
        transition(null, id, 'applying', { status: 'pending', decided_by: null, decided_at: null, applying_at: null, error: error.slice(0, 500) }, now),
      ),

    setMessage: (id, channel, ts) =>
      guard('secretChanges.setMessage', async () => {
        if (!ID.test(id)) return;
        await db.updateTable('secret_changes').set({ channel, message_ts: ts }).where('id', '=', id).execute();
      }),
  };
}
