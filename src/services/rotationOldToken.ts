import { setTimeout as sleep } from 'node:timers/promises';
import type { AppDeps } from '../deps.js';
import type { Rotation } from '../core/rotation/state.js';
import type { RevokeOutcome } from '../core/ports.js';
import { lastFour } from '../core/secrets/facts.js';
import { tokenShape } from '../core/secrets/tokenChecks.js';
import { CredentialsGateway } from '../github/credentialsGateway.js';
import type { GitHubClient } from '../github/octokit.js';
import { displayHost } from '../github/octokit.js';
import { TokenProbe } from '../github/tokenProbe.js';
import { rotationText } from '../ui/rotation.js';
import type { RotationTarget } from './rotation.js';
import { apiUrlForHost } from './secretTargets.js';

/** How often, after GitHub accepted the revocation, the bot asks whether the token is dead yet. */
export const PROOF_TRIES = 4;
export const PROOF_SPACING_MS = 750;

/** Problems found without asking anyone (for the modal's field error). Null: go on. */
export function precheckOldToken(value: string, newLast4: string | null): string | null {
  const v = value.trim();
  if (v.length > 300) return rotationText.oldToken.tooLong;
  if (tokenShape(v) === 'other') return rotationText.oldToken.notToken;
  if (newLast4 && lastFour(v) === newLast4) return rotationText.oldToken.isNew;
  return null;
}

export type OldTokenResult = { ok: true; text: string; detail: string } | { ok: false; text: string; outcome: string };

/**
 * Revokes the old token through GitHub's credential revocation API and proves it is
 * dead (GET /user with it answers 401). On github.com the API takes no
 * authentication; a GHES host (3.19+) wants the bot's credential for that host. The
 * token lives only in this call and is registered with the log sanitizer meanwhile.
 */
export async function revokeOldToken(deps: AppDeps, r: Rotation, t: RotationTarget, value: string): Promise<OldTokenResult> {
  const token = value.trim();
  const apiUrl = apiUrlForHost(deps.config, t.secret.host);
  const host = displayHost(apiUrl);
  const release = deps.sanitizer.register(value);
  try {
    const probe = new TokenProbe(deps.github.withToken(apiUrl, token));
    const before = await probe.identity();
    const detail = (login: string | null) => `token${login ? ` of ${login}` : ''} ending in ${lastFour(token) || '…'}`;
    if (!before.ok && before.reason === 'bad_credentials') {
      return { ok: true, text: rotationText.oldToken.alreadyDead(''), detail: `${detail(null)}, already rejected by GitHub` };
    }
    const login = before.ok ? before.value.login : null;
    const revoker = revokerFor(deps, apiUrl);
    if (!revoker) return { ok: false, text: rotationText.oldToken.unsupported(host), outcome: 'unsupported' };
    const outcome: RevokeOutcome = await new CredentialsGateway(revoker).revoke([token]);
    if (outcome.kind === 'rate_limited') return { ok: false, text: rotationText.oldToken.rateLimited, outcome: outcome.kind };
    if (outcome.kind === 'unsupported') return { ok: false, text: rotationText.oldToken.unsupported(host), outcome: outcome.kind };
    if (outcome.kind === 'failed') return { ok: false, text: rotationText.oldToken.failed, outcome: outcome.kind };
    // GitHub revokes asynchronously (202): look until /user rejects it, briefly.
    for (let i = 0; i < PROOF_TRIES; i++) {
      if (i > 0) await sleep(PROOF_SPACING_MS);
      const after = await probe.identity();
      if (!after.ok && after.reason === 'bad_credentials') return { ok: true, text: rotationText.oldToken.revoked(` (${detail(login)})`), detail: detail(login) };
    }
    return { ok: false, text: rotationText.oldToken.stillAlive(host), outcome: 'still_alive' };
  } finally {
    release();
  }
}

/** Who sends the revocation: nobody on github.com (it must be unauthenticated), the bot's credential on a GHES host. */
export function revokerFor(deps: AppDeps, apiUrl: string): GitHubClient | null {
  const ghes = /\/api\/v3\/?$/.test(apiUrl);
  if (!ghes) return deps.github.anonymous(apiUrl);
  const mirror = deps.config.repos.map((x) => x.sync?.mirror).find((m) => m?.apiUrl === apiUrl);
  if (mirror) return deps.github.forMirror(mirror);
  return null;
}
