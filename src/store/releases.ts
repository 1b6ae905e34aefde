import type { Kysely, Updateable, UpdateQueryBuilder, UpdateResult } from 'kysely';
import { z } from 'zod';
import { guard, ms } from './guard.js';
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
  status: z.enum(['pending', 'dispatching', 'dispatched', 'failed', 'cancelled']),
  createdAt: z.date(),
  expiresAt: z.date(),
  runId: z.number().nullable(),
  runUrl: z.string().nullable(),
  messageTs: z.string().nullable(),
  error: z.string().nullable(),
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
  run_id: z.coerce.number().nullable(),
  run_url: z.string().nullable(),
  message_ts: z.string().nullable(),
  error: z.string().nullable(),
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
    runId: r.run_id,
    runUrl: r.run_url,
    messageTs: r.message_ts,
    error: r.error,
  };
}

const ID = /^[A-Za-z0-9_-]{24}$/;

/**
 * Every decision on a release is one conditional UPDATE: it applies only from the
 * expected status, so however many clicks, retries or replicas race, exactly one
 * wins (the others see `false`). Same SQL on SQLite and PostgreSQL.
 */
export interface Releases {
  create(o: { repo: string; repoName: string; tag: string; sha: string; workflow: string; inputs: Record<string, string>; requestedBy: string; channel: string; ttlSeconds: number }, now?: Date): Promise<Release>;
  get(id: string): Promise<Release | null>;
  /** pending -> dispatching, by the requester, before expiry. True for exactly one caller. */
  claimForDispatch(id: string, user: string, now?: Date): Promise<boolean>;
  /** pending -> cancelled, by the requester. */
  cancel(id: string, user: string, now?: Date): Promise<boolean>;
  /** dispatching -> dispatched with the run (runId may be found later). */
  markDispatched(id: string, o: { runId: number | null; runUrl: string | null }): Promise<boolean>;
  /** dispatching -> failed. */
  markFailed(id: string, error: string): Promise<boolean>;
  setRun(id: string, o: { runId: number; runUrl: string }): Promise<void>;
  setMessage(id: string, channel: string, ts: string): Promise<void>;
  /** Releases of this tag still pending or under way. */
  active(repo: string, tag: string, now?: Date): Promise<Release[]>;
}

export function releases(db: Kysely<Database>): Releases {
  /** The one conditional UPDATE behind every decision: applies only from `from`, so exactly one caller wins. */
  const transition = async (
    id: string,
    from: ReleaseStatus,
    set: Updateable<ReleasesTable> & { status: ReleaseStatus },
    narrow: (q: UpdateQueryBuilder<Database, 'releases', 'releases', UpdateResult>) => UpdateQueryBuilder<Database, 'releases', 'releases', UpdateResult> = (q) => q,
  ) => {
    const res = await narrow(db.updateTable('releases').where('id', '=', id).where('status', '=', from)).set(set).executeTakeFirst();
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
        await db.insertInto('releases').values(row).execute();
        return fromRow({ ...row, run_id: null, run_url: null, message_ts: null, error: null });
      }),
    get: (id) =>
      guard('releases.get', async () => {
        if (!ID.test(id)) return null;
        const row = await db.selectFrom('releases').selectAll().where('id', '=', id).executeTakeFirst();
        return row ? fromRow(row) : null;
      }),
    claimForDispatch: (id, user, now = new Date()) =>
      guard('releases.claimForDispatch', () =>
        transition(id, 'pending', { status: 'dispatching', decided_at: ms(now) }, (q) => q.where('requested_by', '=', user).where('expires_at', '>', ms(now))),
      ),
    cancel: (id, user, now = new Date()) =>
      guard('releases.cancel', () => transition(id, 'pending', { status: 'cancelled', decided_at: ms(now) }, (q) => q.where('requested_by', '=', user))),
    markDispatched: (id, o) =>
      guard('releases.markDispatched', () => transition(id, 'dispatching', { status: 'dispatched', run_id: o.runId, run_url: o.runUrl })),
    markFailed: (id, error) => guard('releases.markFailed', () => transition(id, 'dispatching', { status: 'failed', error: error.slice(0, 500) })),
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
          .execute();
        return rows.map(fromRow);
      }),
  };
}
