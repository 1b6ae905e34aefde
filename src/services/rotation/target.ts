import type { AppDeps } from '../../deps.js';
import type { Rotation } from '../../core/rotation/state.js';
import type { RotationTarget } from '../../core/rotation/target.js';
import { findSecret } from '../../core/secrets/command.js';
import type { SecretSpec } from '../../ui/rotation.js';
import { secretTarget } from '../secretTargets.js';

/** The configured repository and secret of a rotation, or null when the configuration no longer has them. */
export function targetOf(deps: AppDeps, r: Pick<Rotation, 'repo' | 'secret'>): RotationTarget | null {
  const repo = deps.config.repos.find((x) => x.github === r.repo);
  const secret = repo ? findSecret(repo, r.secret) : undefined;
  return repo && secret ? { repo, secret } : null;
}

/** What the create instructions need: kind, host, scopes, and the repository the credential acts on. */
export function secretSpec(deps: AppDeps, t: RotationTarget): SecretSpec {
  const target = secretTarget(deps.config, t.repo, t.secret);
  return {
    kind: t.secret.kind,
    host: t.secret.host,
    scopes: t.secret.scopes,
    maxAgeDays: t.secret.maxAgeDays,
    target: target.repo ? `${target.repo.owner}/${target.repo.name}` : null,
    purpose: target.isMirror ? 'sync' : 'release',
  };
}
