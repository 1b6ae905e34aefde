import { setTimeout as sleep } from 'node:timers/promises';
import type { AppDeps } from '../deps.js';
import type { Rotation } from '../core/rotation/state.js';
import type { CredentialRevokerPort, RevokeOutcome } from '../core/ports.js';
import { judgeOldToken, type OldValueRecord, type PastedToken } from '../core/rotation/oldToken.js';
import { lastFour } from '../core/secrets/facts.js';
import { matchesDigest } from '../core/secrets/tokenDigest.js';
import { tokenShape } from '../core/secrets/tokenChecks.js';
import { displayHost } from '../github/octokit.js';
import { rotationText } from '../ui/rotationText.js';
import type { RotationTarget } from '../core/rotation/target.js';
import { apiUrlForHost, secretTarget } from './secretTargets.js';
import type { Refusal } from '../core/refusal.js';

/** How often, after GitHub accepted the revocation, the bot asks whether the token is dead yet. */
export const PROOF_TRIES = 4;
export const PROOF_SPACING_MS = 750;

/** Problems found without asking anyone (for the modal's field error). Null: go on. */
export function precheckOldToken(value: string, newValue: { last4?: string | undefined; digest?: string | undefined } | null): string | null {
  const v = value.trim();
  if (v.length > 300) return rotationText.oldToken.tooLong;
  if (tokenShape(v) === 'other') return rotationText.oldToken.notToken;
  const isNew = newValue?.digest ? matchesDigest(v, newValue.digest) : !!newValue?.last4 && lastFour(v) === newValue.last4;
  if (isNew) return rotationText.oldToken.isNew;
  return null;
}

/** Not revoked: refused (ui/refusal.ts words it), or GitHub could not be asked or did not revoke it (`text`); `outcome`: the audit's. */
export type OldTokenResult =
  | { ok: true; text: string; detail: string; how: 'revoked' | 'already_dead'; record: 'matched' | 'unrecorded' }
  | { ok: false; refusal: Refusal; outcome: string }
  | { ok: false; refusal?: undefined; text: string; outcome: string };

/**
 * What the bot recorded of the value the secret held before this rotation wrote it:
 * the facts of the bot's own last write (login, last four, salted digest), but only if
 * the secret had not changed since (its updated_at just before this rotation's write
 * is the one read back after the bot's). Null: the value was set outside the bot.
 */
export async function oldValueRecord(deps: AppDeps, r: Rotation): Promise<OldValueRecord | null> {
  const change = r.state.changeId ? await deps.store.secretChanges.get(r.state.changeId) : null;
  const before = change?.facts.previousUpdatedAt;
  if (!change || !before) return null;
  const prior = await deps.store.secretChanges.lastDone(r.repo, r.secret, 'replace', { before: change.createdAt });
  const setAt = prior?.outcome?.updatedAt;
  if (!prior || !setAt || Date.parse(setAt) !== Date.parse(before)) return null;
  return { login: prior.facts.login, last4: prior.facts.last4 || undefined, digest: prior.facts.digest, setAt };
}

/**
 * The old token step: first shows whether the pasted token is the value the secret held
 * (compared with the record, after asking GitHub whose it is); only then revokes it
 * through GitHub's credential revocation API and proves it dead (GET /user with it
 * answers 401). On github.com the API takes no authentication; a GHES host (3.19+)
 * wants the bot's credential for that host. The token lives only in this call and is
 * registered with the log sanitizer meanwhile.
 */
export async function revokeOldToken(deps: AppDeps, r: Rotation, t: RotationTarget, value: string): Promise<OldTokenResult> {
  const token = value.trim();
  const apiUrl = apiUrlForHost(deps.config, t.secret.host);
  const host = displayHost(apiUrl);
  const release = deps.sanitizer.register(value);
  try {
    const record = await oldValueRecord(deps, r);
    const probe = deps.gateways.tokenProbe(apiUrl, token);
    const before = await probe.identity();
    const identity: PastedToken['identity'] = before.ok
      ? { kind: 'live', login: before.value.login }
      : before.reason === 'bad_credentials'
        ? { kind: 'rejected' }
        : { kind: 'unknown' };
    // Without a record, a live token is only taken for the old one if it could have done the secret's job.
    const target = secretTarget(deps.config, t.repo, t.secret).repo;
    let canPush: boolean | null = null;
    if (!record && identity.kind === 'live' && target) {
      const access = await probe.repoAccess(target);
      canPush = access.ok ? access.value.push : access.reason === 'not_visible' ? false : null;
    }
    const verdict = judgeOldToken(record, {
      last4: lastFour(token),
      matchesDigest: record?.digest ? matchesDigest(token, record.digest) : null,
      identity,
      canPush,
    });
    const login = identity.kind === 'live' ? identity.login : (record?.login ?? null);
    const last4 = lastFour(token);
    const detail = rotationText.oldToken.tokenOf(login, last4);
    const recorded = record ? rotationText.oldToken.recordOf(record) : '';
    // What a refusal may say of the record: not its digest.
    const shown = record && { login: record.login, last4: record.last4, setAt: record.setAt };
    const targetName = target ? `${target.owner}/${target.name}` : host;
    switch (verdict.kind) {
      case 'unknown':
        return { ok: false, text: rotationText.oldToken.unknown(host), outcome: 'unknown' };
      case 'not_held':
        return {
          ok: false,
          refusal: { code: 'old_token_not_held', secret: r.secret, record: shown, pasted: { login: identity.kind === 'live' ? identity.login : null, last4 } },
          outcome: `not_held:${verdict.why}`,
        };
      case 'not_capable':
        return {
          ok: false,
          refusal: { code: 'old_token_not_capable', secret: r.secret, pasted: { login, last4 }, target: targetName },
          outcome: 'not_capable',
        };
      case 'cannot_show':
        return {
          ok: false,
          refusal: { code: 'old_token_cannot_show', secret: r.secret, why: verdict.why, record: shown },
          outcome: `cannot_show:${verdict.why}`,
        };
      case 'already_dead':
        return { ok: true, how: 'already_dead', record: 'matched', text: rotationText.oldToken.alreadyDead(detail, recorded), detail };
      case 'revoke':
        break;
    }
    const revoker = revokerFor(deps, apiUrl);
    if (!revoker) return { ok: false, text: rotationText.oldToken.unsupported(host), outcome: 'unsupported' };
    const outcome: RevokeOutcome = await revoker.revoke([token]);
    if (outcome.kind === 'rate_limited') return { ok: false, text: rotationText.oldToken.rateLimited, outcome: outcome.kind };
    if (outcome.kind === 'unsupported') return { ok: false, text: rotationText.oldToken.unsupported(host), outcome: outcome.kind };
    if (outcome.kind === 'failed') return { ok: false, text: rotationText.oldToken.failed, outcome: outcome.kind };
    // GitHub revokes asynchronously (202): look until /user rejects it, briefly.
    for (let i = 0; i < PROOF_TRIES; i++) {
      if (i > 0) await sleep(PROOF_SPACING_MS);
      const after = await probe.identity();
      if (!after.ok && after.reason === 'bad_credentials') {
        return {
          ok: true,
          how: 'revoked',
          record: verdict.record,
          text: rotationText.oldToken.revoked(detail, verdict.record === 'matched' ? recorded : null, r.secret),
          detail,
        };
      }
    }
    return { ok: false, text: rotationText.oldToken.stillAlive(host), outcome: 'still_alive' };
  } finally {
    release();
  }
}

/** Who sends the revocation: nobody on github.com (it must be unauthenticated), the bot's credential on a GHES host. */
export function revokerFor(deps: AppDeps, apiUrl: string): CredentialRevokerPort | null {
  const ghes = /\/api\/v3\/?$/.test(apiUrl);
  if (!ghes) return deps.gateways.anonymousRevoker(apiUrl);
  const mirror = deps.config.repos.map((x) => x.sync?.mirror).find((m) => m?.apiUrl === apiUrl);
  if (mirror) return deps.gateways.mirror(mirror).revoker;
  return null;
}
