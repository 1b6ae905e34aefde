import { z } from 'zod';
import { DeployKeyTarget } from '../secrets/facts.js';

/**
 * A guided rotation's progress, as stored (JSON) and as the pure core reads and
 * writes it. It never holds a credential: the new value lives only as the sealed box
 * of its secret change, the old one only in memory while it is being revoked.
 */

const Iso = z.string();

/** The credential being replaced: what becomes of it once the new one is in place. */
export const OldCredentialState = z.enum([
  /** Not yet dealt with. */
  'waiting',
  /** Revoked through GitHub's credential revocation API and proven dead (/user answers 401). */
  'revoked',
  /** GitHub rejected the pasted token before anything was revoked, and it is shown to be the recorded old value. */
  'dead',
  /** The requester says they revoked it by hand (recorded with who). */
  'confirmed',
  /** deploy-key: the old deploy key was deleted from the mirror. */
  'deleted',
  /** Nothing to revoke (no old deploy key could be matched, or the requester said none of the mirror's keys is it). */
  'none',
]);
export type OldCredentialState = z.infer<typeof OldCredentialState>;

export const OldCredential = z.object({
  state: OldCredentialState,
  by: z.string().nullable().default(null),
  at: Iso.nullable().default(null),
  /** Safe detail for the checklist, e.g. "token of wats-bot ending in 1a2b". */
  detail: z.string().nullable().default(null),
  /** deploy-key: the key to delete once the new one is verified. */
  deployKey: DeployKeyTarget.nullable().default(null),
  /**
   * token: how the pasted token compared with what the bot recorded of the value it set:
   * `matched`, or `unrecorded` (the secret was set outside the bot: nothing to compare with).
   */
  record: z.enum(['matched', 'unrecorded']).nullable().default(null),
  /**
   * deploy-key: neither the recorded public key nor a title said which key the secret
   * holds, so the requester is asked once, in the thread (the question's message ts).
   */
  pick: z
    .object({
      state: z.enum(['asked', 'picked', 'none']),
      messageTs: z.string().nullable().default(null),
      by: z.string().nullable().default(null),
      at: Iso.nullable().default(null),
    })
    .nullable()
    .default(null),
});
export type OldCredential = z.infer<typeof OldCredential>;

export const VerifyMethod = z.enum(['rerun', 'dispatch']);
export type VerifyMethod = z.infer<typeof VerifyMethod>;

export const VerifyState = z.enum([
  /** The new secret is not in place yet. */
  'waiting',
  /** The re-run or dispatch was asked for (or is being asked for). */
  'starting',
  'running',
  'passed',
  'failed',
  /** Nothing the bot can run to test it (no `verify:` and no sync job uses the secret). */
  'skipped',
]);
export type VerifyState = z.infer<typeof VerifyState>;

export const Verification = z.object({
  state: VerifyState,
  /** How the bot tests the new secret; null: it cannot (the next run will tell). */
  method: VerifyMethod.nullable(),
  /** File name of the workflow that runs (dispatch) or whose job is re-run. */
  workflow: z.string().nullable().default(null),
  /** rerun: the job that is re-run, and the run's attempt before the re-run. */
  jobId: z.number().int().nullable().default(null),
  runId: z.number().int().nullable().default(null),
  attemptBefore: z.number().int().nullable().default(null),
  runUrl: z.string().nullable().default(null),
  startedAt: Iso.nullable().default(null),
  finishedAt: Iso.nullable().default(null),
  /** Plain-text summary of a failure (cause found in the log) and what to check. */
  detail: z.string().nullable().default(null),
  advice: z.array(z.string()).default([]),
  /** How many times verification was started (a retry after a failure counts). */
  tries: z.number().int().default(0),
});
export type Verification = z.infer<typeof Verification>;

export const RotationState = z.object({
  /** The approval request (secret change) of the current attempt, if one was made. */
  changeId: z.string().nullable().default(null),
  /** How many values were entered (a denied or expired request lets the requester try again). */
  attempts: z.number().int().default(0),
  /** Where the current approval request stands, as last seen. */
  changeStatus: z.enum(['pending', 'approved', 'applying']).nullable().default(null),
  /** How the last attempt that did not go through ended, for the checklist and the prompt. */
  lastOutcome: z
    .object({
      status: z.enum(['failed', 'denied', 'expired', 'cancelled']),
      by: z.string().nullable(),
      error: z.string().nullable(),
      writeUnknown: z.boolean().optional(),
    })
    .nullable()
    .default(null),
  /** The secret's updated_at after the bot wrote it; null until replaced. */
  replacedAt: Iso.nullable().default(null),
  /** deploy-key: the key the bot generated (its public half and fingerprint are not secret). */
  newKey: z.object({ fingerprint: z.string(), title: z.string() }).nullable().default(null),
  old: OldCredential,
  verify: Verification,
});
export type RotationState = z.infer<typeof RotationState>;

export const RotationStatus = z.enum(['active', 'done', 'cancelled']);
export type RotationStatus = z.infer<typeof RotationStatus>;

export const Rotation = z.object({
  id: z.string(),
  repo: z.string(),
  repoName: z.string(),
  secret: z.string(),
  secretKind: z.enum(['classic-pat', 'fine-grained-pat', 'deploy-key']),
  requestedBy: z.string(),
  channel: z.string(),
  messageTs: z.string().nullable(),
  status: RotationStatus,
  state: RotationState,
  version: z.number().int(),
  createdAt: z.date(),
  updatedAt: z.date(),
  finishedAt: z.date().nullable(),
  finishedBy: z.string().nullable(),
});
export type Rotation = z.infer<typeof Rotation>;

/** The state a new rotation starts in. */
export function initialState(o: {
  verifyMethod: VerifyMethod | null;
  verifyWorkflow: string | null;
  oldDeployKey?: DeployKeyTarget | null;
  isDeployKey: boolean;
  askOldKey?: boolean;
}): RotationState {
  const deployKeyOld = o.oldDeployKey
    ? { state: 'waiting', deployKey: o.oldDeployKey }
    : o.askOldKey
      ? { state: 'waiting', pick: { state: 'asked' } }
      : { state: 'none' };
  return RotationState.parse({
    old: o.isDeployKey ? deployKeyOld : { state: 'waiting' },
    verify: { state: 'waiting', method: o.verifyMethod, workflow: o.verifyWorkflow },
  });
}
