import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import type { ChangeOutcome } from '../core/secrets/facts.js';
import { GitHubError, isChatOpsError, JobLeaseLostError } from '../errors.js';
import type { SecretMeta } from '../core/ports.js';
import { writeLanded } from '../core/secrets/writeCheck.js';
import { waitSecondsOf } from '../github/translateError.js';
import { secretText } from '../ui/secretChange.js';
import { sameSshPublicKey } from '../core/secrets/sshKey.js';
import type { Job } from '../store/index.js';
import type { SecretChange } from '../store/index.js';
import type { JobContext, JobHandler, JobResult } from '../worker/runner.js';
import { APPLY_JOB, EXPIRE_JOB, MESSAGE_JOB, syncMessage, tellApprover } from './secretChange.js';
import { syncReminderMessagesSoon } from './reminders.js';
import { aboutChange, recordAudit } from './audit.js';

const Payload = z.object({
  changeId: z.string(),
  /** GitHub failures (5xx, timeouts) in a row so far, and rate limits waited out, for this change. */
  tries: z.number().int().nonnegative().optional(),
  waits: z.number().int().nonnegative().optional(),
});
const changeIdOf = (job: Job) => Payload.parse(job.payload).changeId;

/** GitHub failures worth trying again later. */
const TRANSIENT = new Set(['github_unavailable', 'github_rate_limited']);
const isTransient = (e: unknown): e is GitHubError => e instanceof GitHubError && TRANSIENT.has(e.code);

/** 5xx or timeouts in a row that are waited through (1, 2, 4 s apart) before the request goes back to pending. */
const MAX_TRIES = 4;
/** Rate limits waited out for one change, each for as long as GitHub asks, up to MAX_WAIT_SECONDS. */
const MAX_WAITS = 8;
const MAX_WAIT_SECONDS = 15 * 60;
/** A write that got no answer is read back until GitHub answers, for this long; then the bot says it cannot tell. */
const UNKNOWN_AFTER_MS = 30 * 60_000;
const backoffMs = (tries: number) => Math.min(60_000, 1000 * 2 ** tries);

type Applied =
  | { kind: 'done'; outcome: ChangeOutcome }
  | { kind: 'failed'; error: string }
  /** GitHub failed for now. `written`: 'no' when nothing was sent or GitHub was read back unchanged; 'unknown' when a write went out unanswered and GitHub could not be read. */
  | { kind: 'blocked'; error: GitHubError; written: 'no' | 'unknown' };

/**
 * Applies an approved change, once. Before the first write it records what GitHub
 * shows (the secret's updated_at); every later look (a retry, a replica taking over
 * after a crash, the expiry job) reads the secret back and compares before any
 * verdict, so a write that got no answer but landed is neither repeated nor reported
 * as "nothing changed". GitHub failures are waited out in the job (rate limits for as
 * long as GitHub asks), each one shown on the request while it lasts.
 */
export function secretApplier(deps: AppDeps, client: WebClient): JobHandler {
  return {
    kind: APPLY_JOB,
    leaseSeconds: 15,
    async run(job: Job, { signal }: JobContext): Promise<JobResult> {
      const { changeId, tries = 0, waits = 0 } = Payload.parse(job.payload);
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
        result = change.action === 'replace' ? await applyReplace(deps, change, signal) : await applyRevoke(deps, change, resumed, signal);
      } catch (e) {
        // Another replica took the job over: it carries on from what GitHub says; nothing is recorded here.
        if (e instanceof JobLeaseLostError) throw e;
        if (isChatOpsError(e)) result = { kind: 'failed', error: e.userMessage };
        else throw e; // unexpected: the worker retries with back-off; the change stays `applying` and is reconciled then
      }
      if (result.kind === 'blocked') return blocked(deps, client, change, result, { tries, waits });
      const finished =
        result.kind === 'done'
          ? await deps.store.secretChanges.finish(changeId, { status: 'done', outcome: result.outcome }, deps.now())
          : await deps.store.secretChanges.finish(changeId, { status: 'failed', error: result.error }, deps.now());
      if (finished) {
        await recordAudit(deps, {
          actor: change.decidedBy ?? 'system',
          action: 'secret:apply',
          outcome: result.kind,
          ...aboutChange(change, result.kind === 'done' ? { ...result.outcome } : { error: result.error }),
        });
        await syncMessage(deps, client, changeId, { announce: true });
        await tellApprover(deps, client, change.decidedBy, changeId);
        // A reminder to rotate this secret no longer applies once it was set (or deleted).
        if (result.kind === 'done') await syncReminderMessagesSoon(deps, change.repo, change.secret);
      }
      return { kind: 'done' };
    },
  };
}

/**
 * A GitHub failure: wait it out (shown on the request) and run again; past the limits,
 * send the request back to pending when nothing was written, or say that GitHub could
 * not confirm the write.
 */
async function blocked(
  deps: AppDeps,
  client: WebClient,
  change: SecretChange,
  r: Extract<Applied, { kind: 'blocked' }>,
  o: { tries: number; waits: number },
): Promise<JobResult> {
  const changeId = change.id;
  const now = deps.now().getTime();
  const e = r.error;
  const limited = e.code === 'github_rate_limited';
  const waitSeconds = limited ? (waitSecondsOf(e, now) ?? 60) : null;
  const unknownFor = now - (change.writeCheck?.at ?? change.applyingAt?.getTime() ?? now);
  const keepGoing =
    r.written === 'unknown' ? unknownFor < UNKNOWN_AFTER_MS : limited ? o.waits < MAX_WAITS && (waitSeconds ?? 0) <= MAX_WAIT_SECONDS : o.tries + 1 < MAX_TRIES;
  if (keepGoing) {
    const at = new Date(now + (waitSeconds !== null ? Math.max(1, waitSeconds) * 1000 : backoffMs(o.tries)));
    await deps.store.secretChanges.noteProblem(changeId, secretText.applyWaiting(e.userMessage, at, r.written === 'unknown'));
    await recordAudit(deps, {
      actor: 'system',
      action: 'secret:apply',
      outcome: `waiting:${e.code}`,
      ...aboutChange(change, { status: e.status ?? null, until: at.toISOString() }),
    });
    await syncMessage(deps, client, changeId);
    return { kind: 'again', at, payload: { changeId, tries: limited ? o.tries : o.tries + 1, waits: limited ? o.waits + 1 : o.waits } };
  }
  if (r.written === 'no') {
    await deps.store.secretChanges.reopen(changeId, e.userMessage, deps.now());
    // The first expiry job may have passed while this was approved: schedule it again.
    await deps.store.jobs.enqueue({ kind: EXPIRE_JOB, payload: { changeId }, dedupeKey: `secret-expire:${changeId}`, runAt: change.expiresAt }, deps.now());
    await recordAudit(deps, { actor: 'system', action: 'secret:apply', outcome: `reopened:${e.code}`, ...aboutChange(change, { status: e.status ?? null }) });
    await syncMessage(deps, client, changeId);
    await tellApprover(deps, client, change.decidedBy, changeId);
    // Approved again while this job was still finishing: the approval's own job was merged into this one
    // (one apply job per change at a time), so this one carries the new approval out.
    if ((await deps.store.secretChanges.get(changeId))?.status === 'approved') return { kind: 'again', at: deps.now(), payload: { changeId } };
    return { kind: 'done' };
  }
  const error =
    change.action === 'replace'
      ? secretText.writeUnknown(change.secret, change.repo, change.writeCheck?.before ?? null)
      : secretText.revokeUnknown(change.secret);
  if (await deps.store.secretChanges.finish(changeId, { status: 'failed', outcome: { writeUnknown: true }, error }, deps.now())) {
    await recordAudit(deps, {
      actor: change.decidedBy ?? 'system',
      action: 'secret:apply',
      outcome: 'unknown',
      ...aboutChange(change, { status: e.status ?? null }),
    });
    await syncMessage(deps, client, changeId, { announce: true });
    await tellApprover(deps, client, change.decidedBy, changeId);
  }
  return { kind: 'done' };
}

const refOf = (change: SecretChange) => {
  const [owner = '', name = ''] = change.repo.split('/');
  return { owner, name };
};

/** `signal`: aborted when this replica lost the job to another; checked before each write. */
async function applyReplace(deps: AppDeps, change: SecretChange, signal: AbortSignal): Promise<Applied> {
  const ref = refOf(change);
  // Every retry is this job's own, so an unanswered PUT is read back before it is ever sent again.
  const secrets = (await deps.gateways.repo(ref)).secretsOwnRetries;
  if (!change.ciphertext || !change.keyId) return { kind: 'failed', error: 'The encrypted value is gone, so there is nothing to write. Ask again.' };
  const check = change.writeCheck;
  let current: SecretMeta | null;
  try {
    current = await secrets.secret(ref, change.secret);
  } catch (e) {
    if (isTransient(e)) return { kind: 'blocked', error: e, written: check ? 'unknown' : 'no' };
    throw e;
  }
  // An earlier write of this change (before a crash, a timeout, or a reopen) that reached GitHub after all.
  if (check && writeLanded(current, check)) return { kind: 'done', outcome: { updatedAt: current?.updatedAt ?? null, recovered: true, unanswered: true } };
  let deployKeyAdded: number | null;
  try {
    const key = await secrets.publicKey(ref);
    if (key.keyId !== change.keyId) {
      return {
        kind: 'failed',
        error: `GitHub's encryption key for the secrets of ${change.repo} changed after the value was typed, so it cannot be written. Run \`/secret replace ${change.secret}\` again.`,
      };
    }
    // A generated deploy key goes onto the mirror first: a secret holding a key the mirror refuses would break the sync.
    deployKeyAdded = await addDeployKey(deps, change, signal);
  } catch (e) {
    if (isTransient(e)) return { kind: 'blocked', error: e, written: 'no' };
    throw e;
  }
  const before = check ?? { before: current?.updatedAt ?? null, at: deps.now().getTime(), by: change.decidedBy };
  // Stored before the PUT goes out: whoever looks next can judge the write against it.
  if (!check) await deps.store.secretChanges.noteWrite(change.id, before);
  signal.throwIfAborted();
  try {
    await secrets.put(ref, change.secret, { encryptedValue: change.ciphertext, keyId: change.keyId });
  } catch (e) {
    if (!isTransient(e)) throw e; // 4xx: GitHub refused it, nothing was written
    if (e.code === 'github_rate_limited') return { kind: 'blocked', error: e, written: 'no' }; // a limited request is not carried out
    // No answer, or a 5xx: it may have landed. Ask GitHub before any verdict.
    let back: SecretMeta | null;
    try {
      back = await secrets.secret(ref, change.secret);
    } catch (e2) {
      if (isTransient(e2)) return { kind: 'blocked', error: e2.code === 'github_rate_limited' ? e2 : e, written: 'unknown' };
      throw e2;
    }
    if (writeLanded(back, before))
      return { kind: 'done', outcome: { updatedAt: back?.updatedAt ?? null, unanswered: true, ...(deployKeyAdded !== null ? { deployKeyAdded } : {}) } };
    return { kind: 'blocked', error: e, written: 'no' };
  }
  // Written (GitHub said so); the date is shown if it can be read.
  const after = await secrets.secret(ref, change.secret).catch((e: unknown) => {
    if (isTransient(e)) return null;
    throw e;
  });
  return { kind: 'done', outcome: { updatedAt: after?.updatedAt ?? null, ...(deployKeyAdded !== null ? { deployKeyAdded } : {}) } };
}

async function applyRevoke(deps: AppDeps, change: SecretChange, resumed: boolean, signal: AbortSignal): Promise<Applied> {
  const ref = refOf(change);
  const { secrets } = await deps.gateways.repo(ref);
  // Both deletions are idempotent (a 404 means already gone), so a resumed run simply repeats them.
  signal.throwIfAborted();
  try {
    await secrets.remove(ref, change.secret);
    let deployKeyDeleted: boolean | undefined;
    const target = change.facts.deployKey;
    if (target) {
      const mirror = deps.config.repos.map((r) => r.sync?.mirror).find((m) => m?.apiUrl === target.apiUrl && m.repo === target.repo);
      if (mirror) {
        const [mo = '', mn = ''] = target.repo.split('/');
        await deps.gateways.mirror(mirror).deployKeys.remove({ owner: mo, name: mn }, target.id);
        deployKeyDeleted = true;
      }
    }
    const after = await secrets.secret(ref, change.secret);
    if (after) return { kind: 'failed', error: `GitHub still lists ${change.secret} after deleting it.` };
    return {
      kind: 'done',
      outcome: { updatedAt: null, ...(deployKeyDeleted !== undefined ? { deployKeyDeleted } : {}), ...(resumed ? { recovered: true } : {}) },
    };
  } catch (e) {
    // A deletion that got no answer may have happened; repeating it is harmless, so the job tries again until GitHub answers.
    if (isTransient(e)) return { kind: 'blocked', error: e, written: 'unknown' };
    throw e;
  }
}

/** Adds the change's new public key to the mirror as a write deploy key, unless it is there already (a resumed run). */
async function addDeployKey(deps: AppDeps, change: SecretChange, signal: AbortSignal): Promise<number | null> {
  const add = change.facts.addDeployKey;
  const publicKey = change.facts.publicKey;
  if (!add || !publicKey) return null;
  const mirror = deps.config.repos.map((r) => r.sync?.mirror).find((m) => m?.apiUrl === add.apiUrl && m.repo === add.repo);
  if (!mirror)
    throw new GitHubError('github_not_found', `The mirror ${add.repo} is no longer configured, so the new deploy key cannot be added.`, add.apiUrl, undefined);
  const [owner = '', name = ''] = add.repo.split('/');
  const keys = deps.gateways.mirror(mirror).deployKeys;
  const existing = (await keys.list({ owner, name })).find((k) => sameSshPublicKey(k.key, publicKey));
  if (existing) return existing.id;
  signal.throwIfAborted();
  return (await keys.add({ owner, name }, { title: add.title, key: publicKey, readOnly: false })).id;
}

/**
 * Voids a request nobody decided in time. A request whose approved write went out
 * unanswered is judged by GitHub first: if the secret was written after all, the
 * change is done; "nothing changed" is said only when GitHub shows it.
 */
export function secretExpirer(deps: AppDeps, client: WebClient): JobHandler {
  return {
    kind: EXPIRE_JOB,
    leaseSeconds: 10,
    async run(job: Job): Promise<JobResult> {
      const changeId = changeIdOf(job);
      const change = await deps.store.secretChanges.get(changeId);
      const now = deps.now();
      if (change?.status === 'pending' && change.expiresAt > now) return { kind: 'again', at: change.expiresAt };
      let voided: boolean;
      if (change?.status === 'pending' && change.writeCheck && change.action === 'replace') {
        const check = change.writeCheck;
        const ref = refOf(change);
        let current: SecretMeta | null;
        try {
          current = await (await deps.gateways.repo(ref)).secrets.secret(ref, change.secret);
        } catch (e) {
          if (!isChatOpsError(e)) throw e;
          // Asked again with the worker's back-off; on the last attempt, say that GitHub could not be asked.
          if (job.attempts + 1 < job.maxAttempts) return { kind: 'retry', error: e.userMessage };
          voided = await deps.store.secretChanges.expire(changeId, now, {
            outcome: { writeUnknown: true },
            error: secretText.writeUnknown(change.secret, change.repo, check.before),
          });
          if (voided) {
            await recordAudit(deps, { actor: 'system', action: 'secret:expire', outcome: 'expired:unknown', ...aboutChange(change) });
            await syncMessage(deps, client, changeId, { announce: true });
          }
          return { kind: 'done' };
        }
        if (writeLanded(current, check)) {
          if (
            await deps.store.secretChanges.concludeWritten(
              changeId,
              check.by,
              { updatedAt: current?.updatedAt ?? null, recovered: true, unanswered: true },
              now,
            )
          ) {
            await recordAudit(deps, {
              actor: check.by ?? 'system',
              action: 'secret:apply',
              outcome: 'done',
              ...aboutChange(change, {
                updatedAt: current?.updatedAt ?? null,
                unanswered: true,
                seenBy: 'expiry',
              }),
            });
            await syncMessage(deps, client, changeId, { announce: true });
          }
          return { kind: 'done' };
        }
        voided = await deps.store.secretChanges.expire(changeId, now, { outcome: { updatedAt: current?.updatedAt ?? null } });
      } else {
        // Voided here, or already by create()/open() making room for a new request: either
        // way this job is the one that records it and edits the message.
        voided = change?.status === 'pending' ? await deps.store.secretChanges.expire(changeId, now) : change?.status === 'expired';
      }
      if (change && voided) {
        await recordAudit(deps, { actor: 'system', action: 'secret:expire', outcome: 'expired', ...aboutChange(change) });
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
