import type { WebClient } from '@slack/web-api';
import type { ResolvedRepo } from '../config/load.js';
import type { SecretConfig } from '../config/schema.js';
import type { AppDeps } from '../deps.js';
import { principalsFor, secretChangeBlock, type ChangeBlock, type ChangeVia } from '../core/policy.js';
import type { PolicyAction, Refusal } from '../core/refusal.js';
import { nextStep } from '../core/rotation/decide.js';
import type { Rotation } from '../core/rotation/state.js';
import type { AuditRecord } from '../store/index.js';
import { recordAudit } from './audit.js';

/**
 * Who may do what to which repo and secret, and why not: core/policy.ts's rules with the
 * lookups they need (Slack user-group members through deps.access, the store's open
 * request and active rotation). Every access check of the bot goes through here.
 */

/** Whether `user` is in the `access` list that `action` needs. A SlackApiError says Slack did not answer in time (`deadlineMs`). */
export function isAllowed(deps: AppDeps, client: WebClient, user: string, action: PolicyAction, o: { deadlineMs?: number } = {}): Promise<boolean> {
  return deps.access.allowed(client, user, principalsFor(action, deps.config.file.access), o.deadlineMs === undefined ? {} : { deadlineMs: o.deadlineMs });
}

/**
 * The refusal for `user` taking `action` on `repo`, or null when allowed. `exclude`: a person
 * the refusal does not name as one who can (an approver asked to approve their own request).
 */
export async function mayAct(
  deps: AppDeps,
  client: WebClient,
  o: { user: string; action: PolicyAction; repo: ResolvedRepo; exclude?: string; deadlineMs?: number },
): Promise<Extract<Refusal, { code: 'not_allowed' }> | null> {
  if (await isAllowed(deps, client, o.user, o.action, o)) return null;
  const principals = principalsFor(o.action, deps.config.file.access).filter((p) => p !== o.exclude);
  return { code: 'not_allowed', action: o.action, repo: o.repo.shortName, principals };
}

/**
 * Checks access and, when refused, records the refusal in the audit log (`audit` is the entry,
 * its actor and repo filled in): one call instead of a check, an answer and an audit closure.
 */
export async function authorise(
  deps: AppDeps,
  client: WebClient,
  o: { user: string; action: PolicyAction; repo: ResolvedRepo },
  audit: Omit<AuditRecord, 'actor' | 'repo'>,
): Promise<{ ok: true } | { ok: false; refusal: Refusal }> {
  const refusal = await mayAct(deps, client, o);
  if (!refusal) return { ok: true };
  await recordAudit(deps, { ...audit, actor: o.user, repo: o.repo.github });
  return { ok: false, refusal };
}

/**
 * May this secret change now? The one answer for a `/secret` request, a value entered for a
 * rotation (`rotation`: its id) and the start of a rotation; null when it may.
 */
export async function secretMayChange(
  deps: AppDeps,
  repo: ResolvedRepo,
  secret: SecretConfig,
  via: { kind: 'request' } | { kind: 'rotation_start' } | { kind: 'rotation_value'; rotation: string; user: string },
): Promise<{ block: ChangeBlock | null; rotation: Rotation | null }> {
  let core: ChangeVia;
  let rotation: Rotation | null = null;
  if (via.kind === 'rotation_value') {
    rotation = await deps.store.rotations.get(via.rotation);
    core = { kind: 'rotation_value', rotation, user: via.user, enterOpen: rotation !== null && nextStep(rotation).kind === 'enter' };
  } else core = via;
  // Asked in this order, as each answer may end the check (the value of a rotation is judged on the rotation first).
  const early = secretChangeBlock(secret.name, core, { rotationActive: false, openChange: false });
  if (early) return { block: early, rotation };
  const rotationActive = via.kind === 'request' && (await deps.store.rotations.active(repo.github, secret.name)) !== null;
  if (rotationActive) return { block: secretChangeBlock(secret.name, core, { rotationActive, openChange: false }), rotation };
  const openChange = (await deps.store.secretChanges.open(repo.github, secret.name, deps.now())) !== null;
  return { block: secretChangeBlock(secret.name, core, { rotationActive: false, openChange }), rotation };
}
