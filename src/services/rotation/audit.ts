import type { AppDeps } from '../../deps.js';
import type { Rotation } from '../../core/rotation/state.js';

export async function auditRotation(
  deps: AppDeps,
  actor: string,
  action: string,
  outcome: string,
  r: Pick<Rotation, 'id' | 'repo' | 'secret'> | null,
  detail: Record<string, unknown> = {},
): Promise<void> {
  await deps.store.audit.record(
    { actor, action, outcome, ...(r ? { repo: r.repo, detail: { rotation: r.id, secret: r.secret, ...detail } } : { detail }) },
    deps.now(),
  );
}
