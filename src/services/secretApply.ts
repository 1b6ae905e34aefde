import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import type { ChangeOutcome } from '../core/secrets/facts.js';
import { GitHubError, isChatOpsError, JobLeaseLostError } from '../errors.js';
import { DeployKeysGateway, SecretsGateway } from '../github/secretsGateway.js';
import { sameSshPublicKey } from '../core/secrets/sshKey.js';
import type { Job } from '../store/index.js';
import type { SecretChange } from '../store/index.js';
import type { JobContext, JobHandler, JobResult } from '../worker/runner.js';
import { APPLY_JOB, auditChange, EXPIRE_JOB, MESSAGE_JOB, syncMessage, tellApprover } from './secretChange.js';
import { syncReminderMessagesSoon } from './reminders.js';

const Payload = z.object({ changeId: z.string() });
const changeIdOf = (job: Job) => Payload.parse(job.payload).changeId;

/** GitHub failures worth trying again later: the request goes back to pending, still decidable. */
const TRANSIENT = new Set(['github_unavailable', 'github_rate_limited']);

type Applied = { kind: 'done'; outcome: ChangeOutcome } | { kind: 'failed'; error: string };

/**
 * Applies an approved change, once. A run that finds the change already `applying`
 * follows a replica that stopped mid-way: it first asks GitHub whether the write
 * happened (the secret's updated_at against the time applying began) and only
 * writes if it did not, so a crash can neither lose the change nor repeat it.
 */
export function secretApplier(deps: AppDeps, client: WebClient): JobHandler {
  return {
    kind: APPLY_JOB,
    leaseSeconds: 15,
    async run(job: Job, { signal }: JobContext): Promise<JobResult> {
      const changeId = changeIdOf(job);
      let change = await deps.store.secretChanges.get(changeId);
      if (!change) return { kind: 'done' };
      let resumed = false;
      if (change.status === 'approved') {
        if (!(await deps.store.secretChanges.startApplying(changeId, deps.now()))) return { kind: 'done' };
        change = (await deps.store.secretChanges.get(changeId)) ?? change;
        await syncMessage(deps, client, changeId);
      } else if (change.status === 'applying') {
        resumed = true;
      } else {
        return { kind: 'done' };
      }
      let result: Applied;
      try {
        result = await apply(deps, change, resumed, signal);
      } catch (e) {
        // Another replica took the job over: it carries on from what GitHub says; nothing is recorded here.
        if (e instanceof JobLeaseLostError) throw e;
        if (e instanceof GitHubError && TRANSIENT.has(e.code)) {
          await deps.store.secretChanges.reopen(changeId, e.userMessage);
          // The first expiry job may have passed while this was approved: schedule it again.
          await deps.store.jobs.enqueue({ kind: EXPIRE_JOB, payload: { changeId }, dedupeKey: `secret-expire:${changeId}`, runAt: change.expiresAt }, deps.now());
          await auditChange(deps, 'system', 'secret:apply', `reopened:${e.code}`, change, { status: e.status ?? null });
          await syncMessage(deps, client, changeId);
          await tellApprover(deps, client, change.decidedBy, changeId);
          return { kind: 'done' };
        }
        if (isChatOpsError(e)) result = { kind: 'failed', error: e.userMessage };
        else throw e; // unexpected: the worker retries with back-off; the change stays `applying` and is reconciled then
      }
      const finished =
        result.kind === 'done'
          ? await deps.store.secretChanges.finish(changeId, { status: 'done', outcome: result.outcome }, deps.now())
          : await deps.store.secretChanges.finish(changeId, { status: 'failed', error: result.error }, deps.now());
      if (finished) {
        await auditChange(deps, change.decidedBy ?? 'system', 'secret:apply', result.kind, change, result.kind === 'done' ? { ...result.outcome } : { error: result.error });
        await syncMessage(deps, client, changeId, { announce: true });
        await tellApprover(deps, client, change.decidedBy, changeId);
        // A reminder to rotate this secret no longer applies once it was set (or deleted).
        if (result.kind === 'done') await syncReminderMessagesSoon(deps, change.repo, change.secret);
      }
      return { kind: 'done' };
    },
  };
}

/** `signal`: aborted when this replica lost the job to another; checked before each write. */
async function apply(deps: AppDeps, change: SecretChange, resumed: boolean, signal: AbortSignal): Promise<Applied> {
  const [owner = '', name = ''] = change.repo.split('/');
  const ref = { owner, name };
  const secrets = new SecretsGateway(await deps.github.forRepo(owner, name));
  if (change.action === 'replace') {
    if (!change.ciphertext || !change.keyId) return { kind: 'failed', error: 'The encrypted value is gone, so there is nothing to write. Ask again.' };
    if (resumed && change.applyingAt) {
      // Did the write of a stopped replica reach GitHub? updated_at has second precision.
      const current = await secrets.secret(ref, change.secret);
      const since = Math.floor(change.applyingAt.getTime() / 1000) * 1000;
      if (current && Date.parse(current.updatedAt) >= since) return { kind: 'done', outcome: { updatedAt: current.updatedAt, recovered: true } };
    }
    const key = await secrets.publicKey(ref);
    if (key.keyId !== change.keyId) {
      return { kind: 'failed', error: `GitHub's encryption key for the secrets of ${change.repo} changed after the value was typed, so it cannot be written. Run \`/secret replace ${change.secret}\` again.` };
    }
    // A generated deploy key goes onto the mirror first: a secret holding a key the mirror refuses would break the sync.
    const deployKeyAdded = await addDeployKey(deps, change, signal);
    signal.throwIfAborted();
    await secrets.put(ref, change.secret, { encryptedValue: change.ciphertext, keyId: change.keyId });
    const after = await secrets.secret(ref, change.secret);
    return { kind: 'done', outcome: { updatedAt: after?.updatedAt ?? null, ...(deployKeyAdded !== null ? { deployKeyAdded } : {}) } };
  }
  // revoke: both deletions are idempotent (a 404 means already gone), so a resumed run simply repeats them.
  signal.throwIfAborted();
  await secrets.remove(ref, change.secret);
  let deployKeyDeleted: boolean | undefined;
  const target = change.facts.deployKey;
  if (target) {
    const mirror = deps.config.repos.map((r) => r.sync?.mirror).find((m) => m?.apiUrl === target.apiUrl && m.repo === target.repo);
    if (mirror) {
      const [mo = '', mn = ''] = target.repo.split('/');
      await new DeployKeysGateway(deps.github.forMirror(mirror)).remove({ owner: mo, name: mn }, target.id);
      deployKeyDeleted = true;
    }
  }
  const after = await secrets.secret(ref, change.secret);
  if (after) return { kind: 'failed', error: `GitHub still lists ${change.secret} after deleting it.` };
  return { kind: 'done', outcome: { updatedAt: null, ...(deployKeyDeleted !== undefined ? { deployKeyDeleted } : {}), ...(resumed ? { recovered: true } : {}) } };
}

/** Adds the change's new public key to the mirror as a write deploy key, unless it is there already (a resumed run). */
async function addDeployKey(deps: AppDeps, change: SecretChange, signal: AbortSignal): Promise<number | null> {
  const add = change.facts.addDeployKey;
  const publicKey = change.facts.publicKey;
  if (!add || !publicKey) return null;
  const mirror = deps.config.repos.map((r) => r.sync?.mirror).find((m) => m?.apiUrl === add.apiUrl && m.repo === add.repo);
  if (!mirror) throw new GitHubError('github_not_found', `The mirror ${add.repo} is no longer configured, so the new deploy key cannot be added.`, add.apiUrl, undefined);
  const [owner = '', name = ''] = add.repo.split('/');
  const keys = new DeployKeysGateway(deps.github.forMirror(mirror));
  const existing = (await keys.list({ owner, name })).find((k) => sameSshPublicKey(k.key, publicKey));
  if (existing) return existing.id;
  signal.throwIfAborted();
  return (await keys.add({ owner, name }, { title: add.title, key: publicKey, readOnly: false })).id;
}

/** Voids a request nobody decided in time. */
export function secretExpirer(deps: AppDeps, client: WebClient): JobHandler {
  return {
    kind: EXPIRE_JOB,
    leaseSeconds: 10,
    async run(job: Job): Promise<JobResult> {
      const changeId = changeIdOf(job);
      const change = await deps.store.secretChanges.get(changeId);
      const now = deps.now();
      if (change?.status === 'pending' && change.expiresAt > now) return { kind: 'again', at: change.expiresAt };
      // Voided here, or already by create()/open() making room for a new request: either
      // way this job is the one that records it and edits the message.
      const voided = change?.status === 'pending' ? await deps.store.secretChanges.expire(changeId, now) : change?.status === 'expired';
      if (change && voided) {
        await auditChange(deps, 'system', 'secret:expire', 'expired', change);
        await syncMessage(deps, client, changeId, { announce: true });
      }
      return { kind: 'done' };
    },
  };
}

/** Retries an approval message update that Slack refused earlier. */
export function secretMessenger(deps: AppDeps, client: WebClient): JobHandler {
  return {
    kind: MESSAGE_JOB,
    leaseSeconds: 10,
    async run(job: Job): Promise<JobResult> {
      const changeId = changeIdOf(job);
      return (await syncMessage(deps, client, changeId)) ? { kind: 'done' } : { kind: 'retry', error: 'Slack refused the message update' };
    },
  };
}
