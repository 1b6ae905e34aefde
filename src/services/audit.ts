import type { AppDeps } from '../deps.js';

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

export async function recordAudit(deps: Pick<AppDeps, 'store' | 'now'>, e: AuditEntry): Promise<void> {
  await deps.store.audit.record(
    { actor: e.actor, action: e.action, outcome: e.outcome, ...(e.repo ? { repo: e.repo } : {}), ...(e.detail ? { detail: e.detail } : {}) },
    deps.now(),
  );
}

/** The audit of one person's action on a surface (`command:/secret`, `view:secret-value`): only the outcome varies. */
export function auditorFor(deps: Pick<AppDeps, 'store' | 'now'>, actor: string, action: string) {
  return (outcome: string, repo?: string, detail?: Record<string, unknown>): Promise<void> => recordAudit(deps, { actor, action, outcome, repo, detail });
}
