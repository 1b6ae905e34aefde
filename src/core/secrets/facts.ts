import { z } from 'zod';

/**
 * What the bot knows about a requested secret change that is safe to show and to
 * keep: check results, the token's login, scopes and expiry, its last four
 * characters, a deploy key's public half. Never the value itself.
 */

export const CheckLevel = z.enum(['ok', 'warn', 'fail']);
export type CheckLevel = z.infer<typeof CheckLevel>;

export const SecretCheck = z.object({
  /** Stable id of the check (e.g. 'scopes'), for tests and the audit log. */
  id: z.string(),
  level: CheckLevel,
  /** One plain-text sentence (the UI escapes it). */
  text: z.string(),
});
export type SecretCheck = z.infer<typeof SecretCheck>;

export const DeployKeyTarget = z.object({
  apiUrl: z.string(),
  repo: z.string(),
  id: z.number().int(),
  title: z.string(),
  /** `SHA256:…`, to tell keys of the same title apart. */
  fingerprint: z.string().optional(),
});
export type DeployKeyTarget = z.infer<typeof DeployKeyTarget>;

export const ChangeFacts = z.object({
  checks: z.array(SecretCheck).default([]),
  /** Whose token it is (classic and fine-grained PATs). */
  login: z.string().optional(),
  scopes: z.array(z.string()).optional(),
  /** ISO date, or null for a token that never expires. */
  expiresAt: z.string().nullable().optional(),
  last4: z.string().optional(),
  /** A salted digest of the token (core/secrets/tokenDigest), never the value: shows later whether a pasted token is this one. */
  digest: z.string().optional(),
  /** deploy-key: the public half (`ssh-ed25519 AAAA…`) and its fingerprint. */
  publicKey: z.string().optional(),
  fingerprint: z.string().optional(),
  /** What stops working when the secret goes (revoke). */
  impact: z.array(z.string()).default([]),
  /** revoke of a deploy-key secret: the deploy key on the mirror that goes with it. */
  deployKey: DeployKeyTarget.nullable().optional(),
  /** replace of a deploy-key secret in a rotation: the bot adds the new public key to the mirror (write access) before writing the secret. */
  addDeployKey: z.object({ apiUrl: z.string(), repo: z.string(), title: z.string() }).optional(),
  /** The secret's updated_at before the change, if it existed. */
  previousUpdatedAt: z.string().nullable().optional(),
});
export type ChangeFacts = z.infer<typeof ChangeFacts>;

export const ChangeOutcome = z.object({
  /** The secret's updated_at read back after a replace; null after a revoke. */
  updatedAt: z.string().nullable().optional(),
  deployKeyDeleted: z.boolean().optional(),
  /** The id of the deploy key the bot added (rotation of a deploy-key secret). */
  deployKeyAdded: z.number().int().optional(),
  /** The PUT or DELETE had already reached GitHub before a restart; it was not repeated. */
  recovered: z.boolean().optional(),
  /** The write got no answer; reading the secret back showed that it had landed. */
  unanswered: z.boolean().optional(),
  /** A write got no answer and GitHub could not be read back: whether it landed is not known. */
  writeUnknown: z.boolean().optional(),
});
export type ChangeOutcome = z.infer<typeof ChangeOutcome>;

/** The last four characters of a value, the only part of it ever shown. */
export function lastFour(value: string): string {
  const v = value.trim();
  return v.length >= 12 ? v.slice(-4) : '';
}
