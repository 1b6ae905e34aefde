import type { AppDeps } from '../deps.js';
import type { Rotation } from '../core/rotation/state.js';
import type { SecretChange } from '../store/index.js';

/**
 * The one way the bot writes an audit row (services/policy.ts's `authorise` and every surface
 * and service use it): `repo` and `detail` are left out when not given, as the chain's
 * readers (the audit CLI, the tests) expect.
 */
export interface AuditEntry {
  actor: string;
  action: string;
  outcome: string;
  repo?: string | null | undefined;
  detail?: Record<string, unknown> | undefined;
}

/** `at`: when it happened, if not now (a run that reads the clock once stamps its rows with that reading). */
export async function recordAudit(deps: Pick<AppDeps, 'store' | 'now'>, e: AuditEntry, at: Date = deps.now()): Promise<void> {
  await deps.store.audit.record(
    { actor: e.actor, action: e.action, outcome: e.outcome, ...(e.repo ? { repo: e.repo } : {}), ...(e.detail ? { detail: e.detail } : {}) },
    at,
  );
}

/** The audit of one person's action on a surface (`command:/secret`, `view:secret-value`): only the outcome varies. */
export function auditorFor(deps: Pick<AppDeps, 'store' | 'now'>, actor: string, action: string) {
  return (outcome: string, repo?: string, detail?: Record<string, unknown>): Promise<void> => recordAudit(deps, { actor, action, outcome, repo, detail });
}

/**
 * What a row about a rotation says of it: its repo, and its id and secret ahead of `detail`.
 * Without a rotation (a click that names none) the row still carries `detail`, empty or not.
 */
export function aboutRotation(r: Pick<Rotation, 'id' | 'repo' | 'secret'> | null, detail: Record<string, unknown> = {}): Pick<AuditEntry, 'repo' | 'detail'> {
  return r ? { repo: r.repo, detail: { rotation: r.id, secret: r.secret, ...detail } } : { detail };
}

/** What a row about a secret change request says of it: its repo, and its id, secret and action ahead of `detail`. */
export function aboutChange(
  c: Pick<SecretChange, 'id' | 'repo' | 'secret' | 'action'> | null,
  detail: Record<string, unknown> = {},
): Pick<AuditEntry, 'repo' | 'detail'> {
  return c ? { repo: c.repo, detail: { change: c.id, secret: c.secret, change_action: c.action, ...detail } } : { detail };
}
