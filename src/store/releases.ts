import type { Kysely, Updateable, UpdateQueryBuilder, UpdateResult } from 'kysely';
import { z } from 'zod';
import type { StoreDialect } from './connect.js';
import { guard, ms } from './guard.js';
import { jobs, type EnqueueOptions } from './jobs.js';
import { ACTIVE_RELEASE } from './migrations/0009_release_unique.js';
import { newReportId } from './reports.js';
import type { Database, ReleasesTable, ReleaseStatus } from './schema.js';

export const Release = z.object({
  id: z.string(),
  repo: z.string(),
  repoName: z.string(),
  tag: z.string(),
  sha: z.string(),
  workflow: z.string(),
  inputs: z.record(z.string(), z.string()),
  requestedBy: z.string(),
  channel: z.string(),
  status: z.enum(['pending', 'dispatching', 'dispatched', 'succeeded', 'run_failed', 'failed', 'cancelled', 'expired']),
  createdAt: z.date(),
  expiresAt: z.date(),
  /** When it was confirmed or cancelled; null while pending (and for one that expired). */
  decidedAt: z.date().nullable(),
  runId: z.number().nullable(),
  runUrl: z.string().nullable(),
  messageTs: z.string().nullable(),
  error: z.string().nullable(),
  /** When the dispatch request was sent; null while none was. */
  dispatchSentAt: z.date().nullable(),
  /** The run's conclusion once it ended (`succeeded` / `run_failed`). */
  conclusion: z.string().nullable(),
});
export type Release = z.infer<typeof Release>;

const Inputs = z.record(z.string(), z.string());

const Row = z.object({
  id: z.string(),
  repo: z.string(),
  repo_name: z.string(),
  tag: z.string(),
  sha: z.string(),
  workflow: z.string(),
  inputs: z.string(),
  requested_by: z.string(),
  channel: z.string(),
  status: Release.shape.status,
  created_at: z.coerce.number(),
  expires_at: z.coerce.number(),
  decided_at: z.coerce.number().nullable(),
  run_id: z.coerce.number().nullable(),
  run_url: z.string().nullable(),
  message_ts: z.string().nullable(),
  error: z.string().nullable(),
  dispatch_sent_at: z.coerce.number().nullable(),
  conclusion: z.string().nullable(),
});

function fromRow(raw: unknown): Release {
  const r = Row.parse(raw);
  return {
    id: r.id,
    repo: r.repo,
    repoName: r.repo_name,
    tag: r.tag,
    sha: r.sha,
    workflow: r.workflow,
    inputs: Inputs.parse(JSON.parse(r.inputs)),
    requestedBy: r.requested_by,
    channel: r.channel,
    status: r.status,
    createdAt: new Date(r.created_at),
    expiresAt: new Date(r.expires_at),
    decidedAt: r.decided_at === null ? null : new Date(r.decided_at),
    runId: r.run_id,
    runUrl: r.run_url,
    messageTs: r.message_ts,
    error: r.error,
    dispatchSentAt: r.dispatch_sent_at === null ? null : new Date(r.dispatch_sent_at),
    conclusion: r.conclusion,
  };
}

const ID = /^[A-Za-z0-9_-]{24}$/;

/**
 * Every decision on a release is one conditional UPDATE: it applies only from the
 * expected status, so however many clicks, retries or replicas race, exactly one
 * wins (the others see `false`). Same SQL on SQLite and PostgreSQL.
 */
export type NewRelease = {
  repo: string;
  repoName: string;
  tag: string;
  sha: string;
  workflow: string;
  inputs: Record<string, string>;
  requestedBy: string;
  channel: string;
  ttlSeconds: number;
};

/** A new release, or the release of that tag that is already active (the store allows one per repo and tag). */
export type CreateReleaseResult = { kind: 'created'; release: Release } | { kind: 'busy'; active: Release };

export interface Releases {
  /**
   * A pending release, unless one of the tag is already active (pending and not
   * expired, dispatching or dispatched): a partial unique index decides, so of two
   * `/release` of one tag at once, on any replicas, exactly one gets a confirmation.
   */
  create(o: NewRelease, now?: Date): Promise<CreateReleaseResult>;
  get(id: string): Promise<Release | null>;
  /**
   * pending -> dispatching, by the requester, before expiry, and `job` (the dispatch)
   * enqueued in the same transaction. True for exactly one caller.
   */
  claimForDispatch(id: string, user: string, now?: Date, job?: EnqueueOptions): Promise<boolean>;
  /** pending -> cancelled, by the requester. */
  cancel(id: string, user: string, now?: Date): Promise<boolean>;
  /** Records, while dispatching, that the dispatch request is about to be sent. True for exactly one caller. */
  markDispatchSent(id: string, now?: Date): Promise<boolean>;
  /** GitHub refused the request before acting on it (a rate limit): it may be sent again. */
  clearDispatchSent(id: string): Promise<boolean>;
  /** dispatching -> dispatched with the run (runId may be found later); `followJob` enqueued in the same transaction. */
  markDispatched(id: string, o: { runId: number | null; runUrl: string | null }, followJob?: EnqueueOptions, now?: Date): Promise<boolean>;
  /** dispatching or dispatched -> failed: nothing runs for it (refused, or no run ever appeared). The tag may be released again. */
  markFailed(id: string, error: string, o?: { onlyUnsent?: boolean }): Promise<boolean>;
  /** dispatched -> succeeded (conclusion success) or run_failed (any other conclusion: offered again). */
  markConcluded(id: string, conclusion: string): Promise<boolean>;
  setRun(id: string, o: { runId: number; runUrl: string }): Promise<void>;
  setMessage(id: string, channel: string, ts: string): Promise<void>;
  /** Releases of this tag still pending or under way. */
  active(repo: string, tag: string, now?: Date): Promise<Release[]>;
  /** The newest release someone confirmed (dispatched, or tried to), for the Home tab. */
  lastStarted(repo: string): Promise<Release | null>;
  /**
   * The releases that may have started these runs: those that know one of the run ids, and
   * those of one of the tags that sent a dispatch whose run is not known yet (the follower
   * finds it later). core/events/releaseAnnouncement.ts decides which run is whose.
   */
  forRuns(repo: string, runIds: readonly number[], tags: readonly string[]): Promise<Release[]>;
}

export function releases(db: Kysely<Database>, dialect: StoreDialect): Releases {
  /** The one conditional UPDATE behind every decision: applies only from `from`, so exactly one caller wins. */
  const transition = async (
    db: Kysely<Database>,
    id: string,
    from: ReleaseStatus | ReleaseStatus[],
    set: Updateable<ReleasesTable>,
    narrow: (q: UpdateQueryBuilder<Database, 'releases', 'releases', UpdateResult>) => UpdateQueryBuilder<Database, 'releases', 'releases', UpdateResult> = (
      q,
    ) => q,
  ) => {
    const res = await narrow(
      db
        .updateTable('releases')
        .where('id', '=', id)
        .where('status', 'in', Array.isArray(from) ? from : [from]),
    )
      .set(set)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  };
  return {
    create: (o, now = new Date()) =>
      guard('releases.create', async () => {
        const row = {
          id: newReportId(),
          repo: o.repo,
          repo_name: o.repoName,
          tag: o.tag,
          sha: o.sha,
          workflow: o.workflow,
          inputs: JSON.stringify(o.inputs),
          requested_by: o.requestedBy,
          channel: o.channel,
          status: 'pending' as const,
          created_at: ms(now),
          expires_at: ms(now) + o.ttlSeconds * 1000,
        };
        // One statement each, safe on any number of replicas: a pending release of the tag
        // that expired stops being active, then the insert happens unless another active one
        // has the tag. Should that one end between the two, the insert is simply tried again.
        for (let i = 0; i < 5; i++) {
          await db
            .updateTable('releases')
            .set({ status: 'expired' })
            .where('repo', '=', o.repo)
            .where('tag', '=', o.tag)
            .where('status', '=', 'pending')
            .where('expires_at', '<=', ms(now))
            .execute();
          const inserted = await db
            .insertInto('releases')
            .values(row)
            .onConflict((oc) => oc.columns(['repo', 'tag']).where(ACTIVE_RELEASE).doNothing())
            .returning('id')
            .executeTakeFirst();
          if (inserted)
            return {
              kind: 'created',
              release: fromRow({
                ...row,
                decided_at: null,
                run_id: null,
                run_url: null,
                message_ts: null,
                error: null,
                dispatch_sent_at: null,
                conclusion: null,
              }),
            };
          const active = await db
            .selectFrom('releases')
            .selectAll()
            .where('repo', '=', o.repo)
            .where('tag', '=', o.tag)
            .where(ACTIVE_RELEASE)
            .executeTakeFirst();
          if (active) return { kind: 'busy', active: fromRow(active) };
        }
        throw new Error('releases.create: could not settle the active release after 5 tries');
      }),
    get: (id) =>
      guard('releases.get', async () => {
        if (!ID.test(id)) return null;
        const row = await db.selectFrom('releases').selectAll().where('id', '=', id).executeTakeFirst();
        return row ? fromRow(row) : null;
      }),
    claimForDispatch: (id, user, now = new Date(), job) =>
      guard('releases.claimForDispatch', () =>
        db.transaction().execute(async (trx) => {
          const won = await transition(trx, id, 'pending', { status: 'dispatching', decided_at: ms(now) }, (q) =>
            q.where('requested_by', '=', user).where('expires_at', '>', ms(now)),
          );
          if (won && job) await jobs(trx, dialect).enqueue(job, now);
          return won;
        }),
      ),
    cancel: (id, user, now = new Date()) =>
      guard('releases.cancel', () => transition(db, id, 'pending', { status: 'cancelled', decided_at: ms(now) }, (q) => q.where('requested_by', '=', user))),
    markDispatchSent: (id, now = new Date()) =>
      guard('releases.markDispatchSent', () =>
        transition(db, id, 'dispatching', { dispatch_sent_at: ms(now) }, (q) => q.where('dispatch_sent_at', 'is', null)),
      ),
    clearDispatchSent: (id) => guard('releases.clearDispatchSent', () => transition(db, id, 'dispatching', { dispatch_sent_at: null })),
    markDispatched: (id, o, followJob, now = new Date()) =>
      guard('releases.markDispatched', () =>
        db.transaction().execute(async (trx) => {
          const won = await transition(trx, id, 'dispatching', { status: 'dispatched', run_id: o.runId, run_url: o.runUrl });
          if (won && followJob) await jobs(trx, dialect).enqueue(followJob, now);
          return won;
        }),
      ),
    markFailed: (id, error, o = {}) =>
      guard('releases.markFailed', () =>
        transition(db, id, ['dispatching', 'dispatched'], { status: 'failed', error: error.slice(0, 500) }, (q) =>
          o.onlyUnsent ? q.where('dispatch_sent_at', 'is', null) : q,
        ),
      ),
    markConcluded: (id, conclusion) =>
      guard('releases.markConcluded', () =>
        transition(db, id, 'dispatched', { status: conclusion === 'success' ? 'succeeded' : 'run_failed', conclusion: conclusion.slice(0, 50) }),
      ),
    setRun: (id, o) =>
      guard('releases.setRun', async () => {
        await db.updateTable('releases').set({ run_id: o.runId, run_url: o.runUrl }).where('id', '=', id).execute();
      }),
    setMessage: (id, channel, ts) =>
      guard('releases.setMessage', async () => {
        await db.updateTable('releases').set({ channel, message_ts: ts }).where('id', '=', id).execute();
      }),
    active: (repo, tag, now = new Date()) =>
      guard('releases.active', async () => {
        const rows = await db
          .selectFrom('releases')
          .selectAll()
          .where('repo', '=', repo)
          .where('tag', '=', tag)
          .where((eb) => eb.or([eb('status', 'in', ['dispatching', 'dispatched']), eb.and([eb('status', '=', 'pending'), eb('expires_at', '>', ms(now))])]))
          .orderBy('created_at')
          .execute();
        return rows.map(fromRow);
      }),
    lastStarted: (repo) =>
      guard('releases.lastStarted', async () => {
        const row = await db
          .selectFrom('releases')
          .selectAll()
          .where('repo', '=', repo)
          .where('status', 'in', ['dispatching', 'dispatched', 'succeeded', 'run_failed', 'failed'])
          .orderBy('created_at', 'desc')
          .limit(1)
          .executeTakeFirst();
        return row ? fromRow(row) : null;
      }),
    forRuns: (repo, runIds, tags) =>
      guard('releases.forRuns', async () => {
        if (runIds.length === 0 && tags.length === 0) return [];
        const rows = await db
          .selectFrom('releases')
          .selectAll()
          .where('repo', '=', repo)
          .where((eb) =>
            eb.or([
              ...(runIds.length > 0 ? [eb('run_id', 'in', [...runIds])] : []),
              ...(tags.length > 0 ? [eb.and([eb('tag', 'in', [...tags]), eb('run_id', 'is', null), eb('dispatch_sent_at', 'is not', null)])] : []),
            ]),
          )
          .orderBy('created_at', 'desc')
          .execute();
        return rows.map(fromRow);
      }),
  };
}
