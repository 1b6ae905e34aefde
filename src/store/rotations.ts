import type { Kysely } from 'kysely';
import { z } from 'zod';
import { Rotation, RotationState, RotationStatus } from '../core/rotation/state.js';
import type { StoreDialect } from './connect.js';
import { guard, ms } from './guard.js';
import { jobs, type EnqueueOptions } from './jobs.js';
import { ACTIVE_ROTATION } from './migrations/0005_rotations.js';
import { newReportId } from './reports.js';
import type { Database } from './schema.js';

const Row = z.object({
  id: z.string(),
  repo: z.string(),
  repo_name: z.string(),
  secret: z.string(),
  secret_kind: Rotation.shape.secretKind,
  requested_by: z.string(),
  channel: z.string(),
  message_ts: z.string().nullable(),
  status: RotationStatus,
  state: z.string(),
  version: z.coerce.number().int(),
  created_at: z.coerce.number(),
  updated_at: z.coerce.number(),
  finished_at: z.coerce.number().nullable(),
  finished_by: z.string().nullable(),
});

function fromRow(raw: unknown): Rotation {
  const r = Row.parse(raw);
  return {
    id: r.id,
    repo: r.repo,
    repoName: r.repo_name,
    secret: r.secret,
    secretKind: r.secret_kind,
    requestedBy: r.requested_by,
    channel: r.channel,
    messageTs: r.message_ts,
    status: r.status,
    state: RotationState.parse(JSON.parse(r.state)),
    version: r.version,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    finishedAt: r.finished_at === null ? null : new Date(r.finished_at),
    finishedBy: r.finished_by,
  };
}

const ID = /^[A-Za-z0-9_-]{24}$/;

export interface NewRotation {
  repo: string;
  repoName: string;
  secret: string;
  secretKind: Rotation['secretKind'];
  requestedBy: string;
  channel: string;
  state: RotationState;
}

export type StartResult = { kind: 'created'; rotation: Rotation } | { kind: 'busy'; active: Rotation | null };

/**
 * Rotations, one active per secret (a partial unique index). Every write names the
 * version it read and succeeds only if nobody wrote in between: the caller re-reads
 * and decides again, so a step is taken once whatever the clicks, jobs and replicas.
 */
export interface Rotations {
  create(o: NewRotation, now?: Date): Promise<StartResult>;
  get(id: string): Promise<Rotation | null>;
  active(repo: string, secret: string): Promise<Rotation | null>;
  /**
   * Compare-and-set on `version`; false when someone else wrote first. `job`: the step's
   * follow-up job (its watch), enqueued in the same transaction, so a crash cannot leave
   * a step written that nothing follows up.
   */
  write(
    id: string,
    version: number,
    o: { status: RotationStatus; state: RotationState; finishedBy?: string | null },
    now?: Date,
    job?: EnqueueOptions,
  ): Promise<boolean>;
  setMessage(id: string, ts: string): Promise<void>;
  /** The rotation of this secret that ended last (done or cancelled). */
  lastFinished(repo: string, secret: string): Promise<Rotation | null>;
}

export function rotations(db: Kysely<Database>, dialect: StoreDialect): Rotations {
  const activeOf = async (repo: string, secret: string) => {
    const row = await db.selectFrom('rotations').selectAll().where('repo', '=', repo).where('secret', '=', secret).where(ACTIVE_ROTATION).executeTakeFirst();
    return row ? fromRow(row) : null;
  };
  return {
    create: (o, now = new Date()) =>
      guard('rotations.create', async () => {
        const row = {
          id: newReportId(),
          repo: o.repo,
          repo_name: o.repoName,
          secret: o.secret,
          secret_kind: o.secretKind,
          requested_by: o.requestedBy,
          channel: o.channel,
          message_ts: null,
          status: 'active' as const,
          state: JSON.stringify(RotationState.parse(o.state)),
          version: 1,
          created_at: ms(now),
          updated_at: ms(now),
          finished_at: null,
          finished_by: null,
        };
        const inserted = await db
          .insertInto('rotations')
          .values(row)
          .onConflict((oc) => oc.columns(['repo', 'secret']).where(ACTIVE_ROTATION).doNothing())
          .returning('id')
          .executeTakeFirst();
        if (!inserted) return { kind: 'busy', active: await activeOf(o.repo, o.secret) };
        return { kind: 'created', rotation: fromRow(row) };
      }),

    get: (id) =>
      guard('rotations.get', async () => {
        if (!ID.test(id)) return null;
        const row = await db.selectFrom('rotations').selectAll().where('id', '=', id).executeTakeFirst();
        return row ? fromRow(row) : null;
      }),

    active: (repo, secret) => guard('rotations.active', () => activeOf(repo, secret)),

    write: (id, version, o, now = new Date(), job) =>
      guard('rotations.write', () =>
        db.transaction().execute(async (trx) => {
          if (!ID.test(id)) return false;
          const finished = o.status !== 'active';
          const res = await trx
            .updateTable('rotations')
            .set({
              status: o.status,
              state: JSON.stringify(RotationState.parse(o.state)),
              version: version + 1,
              updated_at: ms(now),
              ...(finished ? { finished_at: ms(now), finished_by: o.finishedBy ?? null } : {}),
            })
            .where('id', '=', id)
            .where('version', '=', version)
            .executeTakeFirst();
          const won = Number(res.numUpdatedRows) === 1;
          if (won && job) await jobs(trx, dialect).enqueue(job, now);
          return won;
        }),
      ),

    setMessage: (id, ts) =>
      guard('rotations.setMessage', async () => {
        if (!ID.test(id)) return;
        await db.updateTable('rotations').set({ message_ts: ts }).where('id', '=', id).execute();
      }),

    lastFinished: (repo, secret) =>
      guard('rotations.lastFinished', async () => {
        const row = await db
          .selectFrom('rotations')
          .selectAll()
          .where('repo', '=', repo)
          .where('secret', '=', secret)
          .where('status', '!=', 'active')
          .orderBy('finished_at', 'desc')
          .limit(1)
          .executeTakeFirst();
        return row ? fromRow(row) : null;
      }),
  };
}
