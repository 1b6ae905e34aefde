import type { AppDeps } from '../../deps.js';
import type { ChangeView } from '../../core/rotation/decide.js';
import type { Rotation } from '../../core/rotation/state.js';
import type { SecretChange } from '../../store/index.js';

/** The current approval request of a rotation, as the core sees it. */
export async function changeOf(deps: AppDeps, r: Rotation): Promise<{ view: ChangeView | null; change: SecretChange | null }> {
  if (!r.state.changeId) return { view: null, change: null };
  const c = await deps.store.secretChanges.get(r.state.changeId);
  if (!c) return { view: null, change: null };
  return {
    view: {
      id: c.id,
      status: c.status,
      updatedAt: c.outcome?.updatedAt ?? null,
      decidedBy: c.decidedBy,
      error: c.error,
      writeUnknown: c.outcome?.writeUnknown === true,
    },
    change: c,
  };
}
