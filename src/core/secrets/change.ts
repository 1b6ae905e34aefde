import { z } from 'zod';
import { ChangeFacts, ChangeOutcome } from './facts.js';

/*
 * A request to change a repo secret, as the store keeps it: domain data, so ui/ can word it
 * and the policy can judge it without importing the store (which re-exports these).
 */

export const SecretChangeAction = z.enum(['replace', 'revoke']);
export type SecretChangeAction = z.infer<typeof SecretChangeAction>;

/**
 * What GitHub showed just before the bot first sent an approved write: the secret's
 * `updated_at` (null: it did not exist), when the write went out, and who approved.
 * Kept until the change ends: a write that got no answer is judged against it.
 */
export const WriteCheck = z.object({ before: z.string().nullable(), at: z.number(), by: z.string().nullable() });
export type WriteCheck = z.infer<typeof WriteCheck>;

export const SecretChange = z.object({
  id: z.string(),
  repo: z.string(),
  repoName: z.string(),
  secret: z.string(),
  secretKind: z.string(),
  action: SecretChangeAction,
  requestedBy: z.string(),
  channel: z.string(),
  threadTs: z.string().nullable(),
  messageTs: z.string().nullable(),
  origin: z.string().nullable(),
  status: z.enum(['pending', 'approved', 'applying', 'done', 'failed', 'denied', 'cancelled', 'expired']),
  /** Only a sealed box GitHub alone can open; null once the request is void or applied. */
  ciphertext: z.string().nullable(),
  keyId: z.string().nullable(),
  facts: ChangeFacts,
  createdAt: z.date(),
  expiresAt: z.date(),
  decidedBy: z.string().nullable(),
  decidedAt: z.date().nullable(),
  applyingAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  outcome: ChangeOutcome.nullable(),
  error: z.string().nullable(),
  writeCheck: WriteCheck.nullable(),
});
export type SecretChange = z.infer<typeof SecretChange>;
