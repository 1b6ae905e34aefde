import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import { z } from 'zod';
import type { StoreDialect } from './connect.js';
import { guard, ms } from './guard.js';
import { UNFINISHED_JOB } from './migrations/0001_init.js';
import type { Database } from './schema.js';

export const JobStatus = z.enum(['pending', 'running', 'done', 'failed']);
export type JobStatus = z.infer<typeof JobStatus>;

export interface Job {
  id: string;
  kind: string;
  /** As enqueued; the consumer validates it (zod) before acting on it. */
  payload: unknown;
  status: JobStatus;
  runAt: Date;
  dedupeKey: string | null;
  /** Failed attempts so far (fail() calls and leases that expired). */
  attempts: number;
  maxAttempts: number;
  leaseOwner: string | null;
  leaseUntil: Date | null;
  lastError: string | null;
  createdAt: Date;
}

export interface EnqueueOptions {
  kind: string;
  payload: unknown;
  /** Default: now. */
  runAt?: Date;
  /** Unique among unfinished jobs: enqueueing it again returns the existing job's id. */
  dedupeKey?: string;
  /** Default 5. */
  maxAttempts?: number;
  /**
   * With `dedupeKey`: a pending job that has the key is moved forward to `runAt` if it was due
   * later; a running one is marked to run again by then (see `reschedule`).
   */
  sooner?: boolean;
}

/**
 * Background work any replica may take, each job by one replica at a time: a claim
 * leases the job to its owner until `leaseUntil`; a replica that dies simply lets the
 * lease expire and another one takes the job again. Every mutation names the owner
 * and applies only while that owner still holds the job (returns false otherwise).
 */
export interface Jobs {
  enqueue(o: EnqueueOptions, now?: Date): Promise<string>;
  /**
   * A wake for the unfinished job with this dedupe key: a pending one is moved to `at` if it
   * was due later; a running one keeps the wake in its run time (raised above the run time it
   * was claimed with), so `reschedule` with that claimed time makes it due again at once
   * instead of at the time its run asks for: a wake that came while it ran (perhaps after it
   * read what the wake is about) is not lost. Creates nothing when there is none (a wake for
   * work that has ended). True when a job was moved or its wake kept.
   */
  bringForward(dedupeKey: string, at: Date, now?: Date): Promise<boolean>;
  /** As bringForward, for every pending job of `kind` (e.g. each person's Home republish); returns how many moved. */
  bringForwardKind(kind: string, at: Date, now?: Date): Promise<number>;
  /**
   * Replaces the payload of the unfinished job with this dedupe key, pending or running (a
   * running handler that reschedules without a payload keeps this one). False when there is none.
   */
  replacePayload(dedupeKey: string, payload: unknown, now?: Date): Promise<boolean>;
  /**
   * Takes one due job (oldest run time first), or null when none is due. `leaseSeconds`
   * is one lease for every kind, or each kind's own (kind → seconds; `kinds` defaults
   * to its keys): the job is leased for its own kind's time, set in the same statement.
   */
  claim(o: { owner: string; kinds?: string[]; leaseSeconds: number | Readonly<Record<string, number>>; now?: Date }): Promise<Job | null>;
  complete(id: string, owner: string, now?: Date): Promise<boolean>;
  /**
   * Counts a failed attempt. The job runs again at `retryAt` (default: an exponential
   * backoff, 30 s × 2^(attempts−1), at most 1 h) unless it has now failed
   * `maxAttempts` times, or `final` is set: then its status becomes 'failed'.
   * `transient`: the failure was not the job's (a host that did not answer): it runs
   * again at `retryAt` and the attempt is not counted, so an outage cannot use up its
   * attempts.
   */
  fail(id: string, owner: string, o: { error: string; retryAt?: Date; final?: boolean; transient?: boolean; now?: Date }): Promise<boolean>;
  /**
   * For polling: the run went fine and the job wants to run again at `runAt`. Releases
   * the lease, optionally replaces the payload, and resets the failed-attempt count.
   * `claimedRunAt` (the job's run time when it was claimed): a wake that came meanwhile
   * (bringForward on the running job) makes it due at the wake instead, if that is sooner.
   */
  reschedule(id: string, owner: string, runAt: Date, payload?: unknown, now?: Date, claimedRunAt?: Date): Promise<boolean>;
  /**
   * The heartbeat of a running job: its lease now ends `seconds` from `now`. False
   * when `owner` no longer holds the job (another replica took it over after the lease
   * ran out, or it finished): the owner must then stop before doing anything more.
   */
  extendLease(id: string, owner: string, seconds: number, now?: Date): Promise<boolean>;
  get(id: string): Promise<Job | null>;
  /** Deletes done and failed jobs last updated before `before`; returns how many. */
  purgeFinished(before: Date): Promise<number>;
}

const JobRow = z.object({
  id: z.coerce.string(),
  kind: z.string(),
  payload: z.string(),
  status: JobStatus,
  run_at: z.coerce.number().int(),
  dedupe_key: z.string().nullable(),
  attempts: z.coerce.number().int(),
  max_attempts: z.coerce.number().int(),
  lease_owner: z.string().nullable(),
  lease_until: z.coerce.number().int().nullable(),
  last_error: z.string().nullable(),
  created_at: z.coerce.number().int(),
});
type JobRow = z.infer<typeof JobRow>;

const MAX_ERROR_CHARS = 2000;
const LEASE_EXPIRED = 'lease expired (the replica running it stopped or stalled)';

function toJob(row: unknown): Job {
  const r: JobRow = JobRow.parse(row);
  return {
    id: r.id,
    kind: r.kind,
    payload: JSON.parse(r.payload) as unknown,
    status: r.status,
    runAt: new Date(r.run_at),
    dedupeKey: r.dedupe_key,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    leaseOwner: r.lease_owner,
    leaseUntil: r.lease_until === null ? null : new Date(r.lease_until),
    lastError: r.last_error,
    createdAt: new Date(r.created_at),
  };
}

/** Job ids are the table's integer keys, as strings; anything else matches no job. */
function jobId(id: string): number | null {
  return /^[1-9][0-9]{0,15}$/.test(id) ? Number(id) : null;
}

type JobsEb = ExpressionBuilder<Database, 'jobs'>;

/** Due: pending and its time has come, or running under a lease that has expired. */
function isDue(eb: JobsEb, now: number) {
  return eb.or([eb.and([eb('status', '=', 'pending'), eb('run_at', '<=', now)]), eb.and([eb('status', '=', 'running'), eb('lease_until', '<=', now)])]);
}

/**
 * The jobs a wake for `at` changes: a pending one due later, and any running one. A running
 * job's run time is not read while it runs (an expired lease makes it due), so it keeps the
 * wake there for `reschedule` (given the run time it was claimed with) to find.
 */
function wakeable(eb: JobsEb, at: number) {
  return eb.or([eb.and([eb('status', '=', 'pending'), eb('run_at', '>', at)]), eb('status', '=', 'running')]);
}

/**
 * The run time a wake for `at` leaves: `at` for a pending job; for a running one always above
 * the time it was claimed with, even within the same millisecond, so reschedule() can tell.
 */
function wakeRunAt(at: number) {
  return sql<number>`case when status = 'pending' then ${at} when run_at >= ${at} then run_at + 1 else ${at} end`;
}

/** The job is running and leased to `owner` (whether or not the lease has run out). */
function heldBy(eb: JobsEb, id: number, owner: string) {
  return eb.and([eb('id', '=', id), eb('status', '=', 'running'), eb('lease_owner', '=', owner)]);
}

export function jobs(db: Kysely<Database>, dialect: StoreDialect): Jobs {
  const get = (id: string) =>
    guard('jobs.get', async () => {
      const n = jobId(id);
      if (n === null) return null;
      const row = await db.selectFrom('jobs').selectAll().where('id', '=', n).executeTakeFirst();
      return row ? toJob(row) : null;
    });

  return {
    get,

    enqueue: (o, now = new Date()) =>
      guard('jobs.enqueue', async () => {
        const t = ms(now);
        const values = {
          kind: o.kind,
          payload: JSON.stringify(o.payload ?? null),
          status: 'pending' as const,
          run_at: ms(o.runAt ?? now),
          dedupe_key: o.dedupeKey ?? null,
          max_attempts: o.maxAttempts ?? 5,
          created_at: t,
          updated_at: t,
        };
        if (o.dedupeKey === undefined) {
          const row = await db.insertInto('jobs').values(values).returning('id').executeTakeFirstOrThrow();
          return String(row.id);
        }
        const dedupeKey = o.dedupeKey;
        // Insert unless an unfinished job has the key, then read that job's id. If it
        // finished in between (no row either way), the insert is simply tried again.
        for (let i = 0; i < 5; i++) {
          const inserted = await db
            .insertInto('jobs')
            .values(values)
            .onConflict((oc) => oc.column('dedupe_key').where(UNFINISHED_JOB).doNothing())
            .returning('id')
            .executeTakeFirst();
          if (inserted) return String(inserted.id);
          const existing = await db.selectFrom('jobs').select('id').where('dedupe_key', '=', dedupeKey).where(UNFINISHED_JOB).executeTakeFirst();
          if (existing) {
            if (o.sooner) {
              await db
                .updateTable('jobs')
                .set({ run_at: wakeRunAt(values.run_at), updated_at: t })
                .where('id', '=', existing.id)
                .where((eb) => wakeable(eb, values.run_at))
                .execute();
            }
            return String(existing.id);
          }
        }
        throw new Error(`enqueue: could not settle dedupe key after 5 tries`);
      }),

    bringForward: (dedupeKey, at, now = new Date()) =>
      guard('jobs.bringForward', async () => {
        const moved = await db
          .updateTable('jobs')
          .set({ run_at: wakeRunAt(ms(at)), updated_at: ms(now) })
          .where('dedupe_key', '=', dedupeKey)
          .where((eb) => wakeable(eb, ms(at)))
          .executeTakeFirst();
        return Number(moved.numUpdatedRows) > 0;
      }),

    bringForwardKind: (kind, at, now = new Date()) =>
      guard('jobs.bringForwardKind', async () => {
        const moved = await db
          .updateTable('jobs')
          .set({ run_at: wakeRunAt(ms(at)), updated_at: ms(now) })
          .where('kind', '=', kind)
          .where((eb) => wakeable(eb, ms(at)))
          .executeTakeFirst();
        return Number(moved.numUpdatedRows);
      }),

    replacePayload: (dedupeKey, payload, now = new Date()) =>
      guard('jobs.replacePayload', async () => {
        const res = await db
          .updateTable('jobs')
          .set({ payload: JSON.stringify(payload), updated_at: ms(now) })
          .where('dedupe_key', '=', dedupeKey)
          .where(UNFINISHED_JOB)
          .executeTakeFirst();
        return Number(res.numUpdatedRows) > 0;
      }),

    claim: (o) =>
      guard('jobs.claim', async () => {
        const perKind = typeof o.leaseSeconds === 'number' ? null : Object.entries(o.leaseSeconds);
        const kinds = o.kinds ?? (perKind ? perKind.map(([k]) => k) : undefined);
        if (kinds && kinds.length === 0) return null;
        const now = ms(o.now ?? new Date());
        const leaseMs = (seconds: number) => Math.round(seconds * 1000);
        // Each kind's lease, chosen by the row's kind inside the claiming UPDATE (numbers only: inlined).
        const leaseUntil =
          perKind === null
            ? now + leaseMs(o.leaseSeconds as number)
            : sql<number>`case ${sql.join(
                perKind.map(([k, s]) => sql`when kind = ${k} then ${sql.lit(now + leaseMs(s))}`),
                sql` `,
              )} else ${sql.lit(now + leaseMs(Math.max(...perKind.map(([, s]) => s))))} end`;

        // A job whose lease expired once too often is not retried again: it failed.
        await db
          .updateTable('jobs')
          .set((eb) => ({
            status: 'failed',
            attempts: eb('attempts', '+', 1),
            last_error: LEASE_EXPIRED,
            lease_owner: null,
            lease_until: null,
            updated_at: now,
          }))
          .where('status', '=', 'running')
          .where('lease_until', '<=', now)
          .where((eb) => eb(eb('attempts', '+', 1), '>=', eb.ref('max_attempts')))
          .execute();

        let pick = db
          .selectFrom('jobs')
          .select('id')
          .where((eb) => isDue(eb, now))
          .orderBy('run_at')
          .orderBy('id')
          .limit(1);
        if (kinds) pick = pick.where('kind', 'in', kinds);
        // The one dialect difference in the queries. PostgreSQL: lock the picked row
        // and skip rows other claimers have locked, so concurrent claims take different
        // jobs instead of queueing behind one another. SQLite has no row locks and
        // needs none: this whole UPDATE is a single statement, which SQLite runs as its
        // own write transaction and takes the database write lock before reading
        // (like BEGIN IMMEDIATE; busy_timeout waits for other processes), so no other
        // writer can slip between the pick and the update.
        if (dialect === 'postgres') pick = pick.forUpdate().skipLocked();

        const row = await db
          .updateTable('jobs')
          .set((eb) => ({
            status: 'running',
            lease_owner: o.owner,
            lease_until: leaseUntil,
            // Taking over an expired lease counts as a failed attempt of the previous owner.
            attempts: eb
              .case()
              .when('status', '=', 'running')
              .then(eb('attempts', '+', 1))
              .else(eb.ref('attempts'))
              .end(),
            last_error: eb
              .case()
              .when('status', '=', 'running')
              .then(sql<string>`${LEASE_EXPIRED}`)
              .else(eb.ref('last_error'))
              .end(),
            updated_at: now,
          }))
          // Re-checking "due" here is belt and braces: PostgreSQL re-evaluates it on
          // the latest row version should a concurrent transaction have changed it.
          .where((eb) => eb.and([eb('id', '=', pick), isDue(eb, now)]))
          .returningAll()
          .executeTakeFirst();
        return row ? toJob(row) : null;
      }),

    complete: (id, owner, now = new Date()) =>
      guard('jobs.complete', async () => {
        const n = jobId(id);
        if (n === null) return false;
        const res = await db
          .updateTable('jobs')
          .set({ status: 'done', lease_until: null, updated_at: ms(now) })
          .where((eb) => heldBy(eb, n, owner))
          .executeTakeFirst();
        return res.numUpdatedRows > 0n;
      }),

    fail: (id, owner, o) =>
      guard('jobs.fail', async () => {
        const n = jobId(id);
        if (n === null) return false;
        const now = ms(o.now ?? new Date());
        const job = await get(id);
        if (!job || job.status !== 'running' || job.leaseOwner !== owner) return false;
        const attempts = o.transient && !o.final ? job.attempts : job.attempts + 1;
        const final = o.final === true || (!o.transient && attempts >= job.maxAttempts);
        const backoff = Math.min(30_000 * 2 ** (attempts - 1), 3_600_000);
        const res = await db
          .updateTable('jobs')
          .set({
            status: final ? 'failed' : 'pending',
            attempts,
            last_error: o.error.slice(0, MAX_ERROR_CHARS),
            run_at: final ? job.runAt.getTime() : o.retryAt ? ms(o.retryAt) : now + backoff,
            lease_owner: null,
            lease_until: null,
            updated_at: now,
          })
          // attempts unchanged since we read it: nobody else moved the job meanwhile.
          .where((eb) => eb.and([heldBy(eb, n, owner), eb('attempts', '=', job.attempts)]))
          .executeTakeFirst();
        return res.numUpdatedRows > 0n;
      }),

    reschedule: (id, owner, runAt, payload, now = new Date(), claimedRunAt) =>
      guard('jobs.reschedule', async () => {
        const n = jobId(id);
        if (n === null) return false;
        const wanted = ms(runAt);
        // Raised above the claimed time: woken while it ran (bringForward), so due at the wake if sooner.
        const next =
          claimedRunAt === undefined ? wanted : sql<number>`case when run_at > ${ms(claimedRunAt)} and run_at < ${wanted} then run_at else ${wanted} end`;
        const res = await db
          .updateTable('jobs')
          .set({
            status: 'pending',
            run_at: next,
            attempts: 0,
            lease_owner: null,
            lease_until: null,
            updated_at: ms(now),
            ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
          })
          .where((eb) => heldBy(eb, n, owner))
          .executeTakeFirst();
        return res.numUpdatedRows > 0n;
      }),

    extendLease: (id, owner, seconds, now = new Date()) =>
      guard('jobs.extendLease', async () => {
        const n = jobId(id);
        if (n === null) return false;
        const t = ms(now);
        const res = await db
          .updateTable('jobs')
          .set({ lease_until: t + Math.round(seconds * 1000), updated_at: t })
          .where((eb) => heldBy(eb, n, owner))
          .executeTakeFirst();
        return res.numUpdatedRows > 0n;
      }),

    purgeFinished: (before) =>
      guard('jobs.purgeFinished', async () => {
        const res = await db.deleteFrom('jobs').where('status', 'in', ['done', 'failed']).where('updated_at', '<', ms(before)).executeTakeFirst();
        return Number(res.numDeletedRows);
      }),
  };
}
