import type { ResolvedRepo } from '../config/load.js';
import type { MirrorConfig, SecretConfig } from '../config/schema.js';
import type { AppDeps } from '../deps.js';
import type { DeployKeyTarget, ChangeFacts, SecretCheck } from '../core/secrets/facts.js';
import { describeImpact, secretUsage } from '../core/secrets/secretUsage.js';
import { publicKeyFingerprint, sameSshPublicKey } from '../core/secrets/sshKey.js';
import type { DeployKeyInfo, ReleasePort } from '../core/ports.js';
import { isChatOpsError } from '../errors.js';
import type { Refusal } from '../core/refusal.js';

export type RevokePreparation = { ok: false; refusal: Refusal } | { ok: true; facts: ChangeFacts };

/**
 * What a revoke would do, for the approvers: that the secret exists, which jobs stop
 * working (read from the configured workflows), and for a deploy-key secret which
 * deploy key on the mirror goes with it.
 */
export async function prepareRevoke(deps: AppDeps, repo: ResolvedRepo, secret: SecretConfig): Promise<RevokePreparation> {
  const ref = { owner: repo.owner, name: repo.repo };
  const github = await deps.gateways.repo(ref);
  const [current, impact, deployKey] = await Promise.all([
    github.secrets.secret(ref, secret.name),
    impactOf(github.release, repo, secret.name),
    secret.kind === 'deploy-key' ? matchingDeployKey(deps, repo, secret) : Promise.resolve(null),
  ]);
  if (!current) return { ok: false, refusal: { code: 'revoke_nothing', secret: secret.name, repo: repo.github } };
  const checks: SecretCheck[] = [];
  if (deployKey && 'unavailable' in deployKey) checks.push({ id: 'deploy-key', level: 'warn', text: deployKey.unavailable });
  return {
    ok: true,
    facts: {
      checks,
      impact,
      previousUpdatedAt: current.updatedAt,
      deployKey: deployKey && !('unavailable' in deployKey) ? deployKey : null,
    },
  };
}

async function impactOf(port: ReleasePort, repo: ResolvedRepo, name: string): Promise<string[]> {
  const ref = { owner: repo.owner, name: repo.repo };
  const refs = [...new Set([repo.release?.workflow, repo.sync?.workflow].filter((w): w is string | number => w !== undefined))];
  const uses = [];
  for (const w of refs) {
    try {
      const wf = await port.workflow(ref, w);
      const yaml = wf ? await port.fileOnDefaultBranch(ref, wf.path) : null;
      if (wf && yaml) uses.push(...secretUsage(yaml, name).map((u) => ({ ...u, workflow: wf.path.split('/').pop() ?? wf.path })));
    } catch (e) {
      if (!isChatOpsError(e)) throw e;
      // The impact is advice; a workflow that cannot be read is simply not listed.
    }
  }
  const lines = describeImpact(uses, name);
  return lines.length ? lines : [`No configured workflow of ${repo.github} uses ${name}; anything else that does will fail once it is deleted.`];
}

/**
 * The deploy key that goes with a deploy-key secret: the public key recorded when the
 * bot last replaced it, else the one key whose title names the secret.
 */
export async function matchingDeployKey(deps: AppDeps, repo: ResolvedRepo, secret: SecretConfig): Promise<DeployKeyTarget | { unavailable: string } | null> {
  const found = await findDeployKey(deps, repo, secret);
  if ('unavailable' in found) return found;
  return found.match ?? { unavailable: `No deploy key of ${found.mirror.repo} could be matched to ${secret.name}; delete it there by hand.` };
}

export type DeployKeySearch = { mirror: MirrorConfig; match: DeployKeyTarget | null; keys: DeployKeyInfo[] } | { unavailable: string };

/** The mirror's deploy keys and the one that goes with the secret, if the recorded public key or a title tells. */
export async function findDeployKey(deps: AppDeps, repo: ResolvedRepo, secret: SecretConfig): Promise<DeployKeySearch> {
  const mirror = repo.sync?.mirror;
  if (!mirror) return { unavailable: 'No mirror is configured, so no deploy key will be deleted.' };
  const [owner = '', name = ''] = mirror.repo.split('/');
  let keys;
  try {
    keys = await deps.gateways.mirror(mirror).deployKeys.list({ owner, name });
  } catch (e) {
    if (!isChatOpsError(e)) throw e;
    return { unavailable: `I could not list the deploy keys of ${mirror.repo} (${e.userMessage}), so none will be deleted.` };
  }
  const last = await deps.store.secretChanges.lastDone(repo.github, secret.name, 'replace');
  const recorded = last?.facts.publicKey;
  const byKey = recorded ? keys.filter((k) => sameSshPublicKey(k.key, recorded)) : [];
  const byTitle = keys.filter((k) => k.title.toUpperCase().includes(secret.name.toUpperCase()));
  const match = byKey[0] ?? (byTitle.length === 1 ? byTitle[0] : undefined);
  return { mirror, keys, match: match ? deployKeyTarget(mirror, match) : null };
}

export function deployKeyTarget(mirror: MirrorConfig, k: DeployKeyInfo): DeployKeyTarget {
  const fingerprint = publicKeyFingerprint(k.key);
  return { apiUrl: mirror.apiUrl, repo: mirror.repo, id: k.id, title: k.title, ...(fingerprint ? { fingerprint } : {}) };
}
