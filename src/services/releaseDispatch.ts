import { z } from 'zod';
import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import type { EnqueueOptions, Job, Release } from '../store/index.js';
import type { DispatchResult } from '../core/ports.js';
import { startProgress } from './releaseProgress.js';
import { GitHubError, isChatOpsError } from '../errors.js';
import { rateLimitResetAt } from '../github/rateLimitWait.js';
import type { JobHandler, JobResult } from '../worker/runner.js';
import { releaseText } from '../ui/releaseConfirm.js';
import { repoGateways, type RepoGateways } from './repoGateways.js';
import { ensureMainMessage, findDispatchedRun, FOLLOW_JOB, workflowFileOf, type FollowPayload } from './releaseFollower.js';
import { recordAudit } from './audit.js';
import { homeChanged } from './homeRepublish.js';

export const DISPATCH_JOB = 'release.dispatch';

export const DispatchPayload = z.object({
  releaseId: z.string(),
  /** Runs of this job that could not reach GitHub (not counting rate limits, which are waited out). */
  tries: z.number().int().default(0),
});
export type DispatchPayload = z.infer<typeof DispatchPayload>;

/** GitHub unreachable this many times in a row (about 4 minutes of back-off): the person is told. */
const MAX_TRIES = 7;
const backoffMs = (tries: number) => Math.min(2_000 * 2 ** tries, 60_000);

/** The job a confirmation click enqueues, in the transaction that wins pending -> dispatching. */
export function dispatchJob(releaseId: string, now: Date): EnqueueOptions {
  // The handler counts its own tries; the runner's attempts only catch a crash loop.
  return {
    kind: DISPATCH_JOB,
    payload: { releaseId, tries: 0 } satisfies DispatchPayload,
    dedupeKey: `release-dispatch:${releaseId}`,
    runAt: now,
    maxAttempts: 20,
  };
}

/**
 * Dispatches a confirmed release, as a leased job: any replica runs it, and one that
 * dies mid-way leaves it to another. Just before the request goes out the store
 * records that it was sent (a conditional write only one runner wins); a runner that
 * finds it recorded never sends it again but looks for the run. Then the follower
 * (`release.follow`) takes over, enqueued in the same transaction as `dispatched`.
 */
export function releaseDispatcher(deps: AppDeps, client: WebClient): JobHandler {
  return {
    kind: DISPATCH_JOB,
    leaseSeconds: 30,
    async run(job: Job): Promise<JobResult> {
      const payload = DispatchPayload.parse(job.payload);
      const confirmed = await deps.store.releases.get(payload.releaseId);
      if (!confirmed || confirmed.status !== 'dispatching') return { kind: 'done' };
      let release: Release | null = confirmed;
      const repo = deps.config.repos.find((r) => r.github === confirmed.repo);
      if (!repo) {
        await fail(deps, client, confirmed, `\`${confirmed.repo}\` is no longer in the configuration; nothing was dispatched.`);
        return { kind: 'done' };
      }
      const now = deps.now();
      try {
        const ctx = await repoGateways(deps, repo);
        if (release.dispatchSentAt === null) {
          const changed = await recheck(ctx, release);
          // Only while still unsent: a runner that took this job over may have sent it meanwhile (its run is then ours).
          if (changed && (await fail(deps, client, release, `${changed} Nothing was dispatched.`, { onlyUnsent: true }))) return { kind: 'done' };
          if (!changed && (await deps.store.releases.markDispatchSent(release.id, now))) return await send(deps, client, ctx, release, job, payload);
          // Another runner (this job's lease had run out) sent it meanwhile: look for the run instead.
          release = await deps.store.releases.get(release.id);
          if (!release || release.status !== 'dispatching') return { kind: 'done' };
        }
        // A previous run sent the dispatch and stopped (killed, lease lost) before it knew the outcome.
        const found = await findDispatchedRun(ctx.port, ctx.ref, release);
        const result: DispatchResult = found
          ? { kind: 'run', runId: found.id, htmlUrl: found.htmlUrl }
          : { kind: 'ambiguous', reason: 'the bot stopped while the dispatch was in flight, and its run is not visible yet' };
        await handOver(deps, client, release, result, { resumed: true });
        return { kind: 'done' };
      } catch (e) {
        return unreachable(deps, client, confirmed, payload, e);
      }
    },
  };
}

/** The dispatch itself: refused means nothing ran; rate-limited means GitHub did nothing, so it may be sent again after the reset. */
async function send(deps: AppDeps, client: WebClient, ctx: RepoGateways, release: Release, job: Job, payload: DispatchPayload): Promise<JobResult> {
  let result: DispatchResult;
  try {
    result = await ctx.port.dispatch(ctx.ref, Number(release.workflow), release.tag, release.inputs);
  } catch (e) {
    if (e instanceof GitHubError && e.code === 'github_rate_limited') {
      await deps.store.releases.clearDispatchSent(release.id);
      const at = rateLimitResetAt(e, deps.now()) ?? new Date(deps.now().getTime() + 60_000);
      deps.logger.warn({ release: release.id, job: job.id, at }, 'release dispatch rate-limited; waiting for the reset');
      return { kind: 'again', at, payload };
    }
    // GitHub refused (404/422/401/403): nothing ran.
    await fail(deps, client, release, isChatOpsError(e) ? e.userMessage : 'GitHub refused the dispatch.');
    return { kind: 'done' };
  }
  await handOver(deps, client, release, result, { resumed: false });
  return { kind: 'done' };
}

/**
 * The last look before dispatching, minutes after the confirmation: the tag still
 * points at the confirmed commit, and no run of the workflow for it started or
 * succeeded meanwhile (a push of the tag, someone on the Actions tab). Null when
 * nothing changed.
 */
async function recheck(ctx: RepoGateways, release: Release): Promise<string | null> {
  const [tag, runs] = await Promise.all([
    ctx.port.tag(ctx.ref, release.tag),
    ctx.port.workflowRuns(ctx.ref, Number(release.workflow), { headSha: release.sha, perPage: 20 }),
  ]);
  if (!tag) return `Tag \`${release.tag}\` no longer exists.`;
  if (tag.sha !== release.sha)
    return `Tag \`${release.tag}\` was moved to another commit since the confirmation (${tag.sha.slice(0, 7)}); ask again with \`/release\`.`;
  const live = runs.find((r) => r.status !== 'completed');
  if (live) return `A run for \`${release.tag}\` started meanwhile and is ${live.status.replace('_', ' ')}: ${live.htmlUrl}`;
  const succeeded = runs.find((r) => r.conclusion === 'success');
  if (succeeded) return `\`${release.tag}\` was released meanwhile by ${succeeded.htmlUrl}.`;
  return null;
}

/** dispatching -> dispatched with the follow job in one transaction, then the channel message and the audit. */
async function handOver(deps: AppDeps, client: WebClient, release: Release, result: DispatchResult, o: { resumed: boolean }): Promise<void> {
  const run = result.kind === 'run' ? { runId: result.runId, runUrl: result.htmlUrl } : { runId: null, runUrl: null };
  const now = deps.now();
  const start = startProgress(
    {
      repo: release.repo,
      repoName: release.repoName,
      tag: release.tag,
      workflow: release.workflow,
      ...withWorkflowFile(deps.config.repos.find((r) => r.github === release.repo)?.release?.workflow),
      startedBy: release.requestedBy,
      ...(run.runUrl ? { runUrl: run.runUrl } : {}),
    },
    now,
  );
  const follow: FollowPayload = {
    releaseId: release.id,
    memory: start.memory,
    ambiguous: result.kind === 'ambiguous' ? result.reason : null,
    slackFailures: 0,
    lastEditAt: null,
    declared: null,
    lastGitHubLook: null,
  };
  const won = await deps.store.releases.markDispatched(
    release.id,
    run,
    { kind: FOLLOW_JOB, payload: follow, dedupeKey: `release:${release.id}`, runAt: new Date(now.getTime() + start.nextPollSeconds * 1000) },
    now,
  );
  if (!won) return;
  deps.wake?.();
  await homeChanged(deps); // the Home's last release
  // The follower posts it too if this fails (it finds no message yet).
  await ensureMainMessage(deps, client, release, start.message).catch((e: unknown) =>
    deps.logger.warn({ err: e, release: release.id }, 'release message not posted yet'),
  );
  await recordAudit(deps, {
    actor: release.requestedBy,
    action: 'release:dispatch',
    repo: release.repo,
    outcome: result.kind,
    detail: { tag: release.tag, release: release.id, ...(run.runId ? { runId: run.runId } : {}), ...(o.resumed ? { resumed: true } : {}) },
  });
}

/** GitHub did not answer (or not usefully): try again with back-off; after a while, say so. */
async function unreachable(deps: AppDeps, client: WebClient, release: Release, payload: DispatchPayload, e: unknown): Promise<JobResult> {
  const now = deps.now();
  const limited = e instanceof GitHubError && e.code === 'github_rate_limited' ? rateLimitResetAt(e, now) : null;
  if (limited || (e instanceof GitHubError && e.code === 'github_rate_limited')) {
    return { kind: 'again', at: limited ?? new Date(now.getTime() + 60_000), payload };
  }
  const tries = payload.tries + 1;
  deps.logger.warn({ err: e, release: release.id, tries }, 'release dispatch: GitHub did not answer');
  if (tries < MAX_TRIES) return { kind: 'again', at: new Date(now.getTime() + backoffMs(tries)), payload: { ...payload, tries } };
  const why = isChatOpsError(e) ? e.userMessage : 'GitHub did not answer.';
  const current = await deps.store.releases.get(release.id);
  if (current?.status !== 'dispatching') return { kind: 'done' };
  if (current.dispatchSentAt === null && (await fail(deps, client, current, `${why} Nothing was dispatched.`, { onlyUnsent: true }))) return { kind: 'done' };
  // Sent, but the run could not be looked for: the follower keeps looking, and never sends it again.
  await handOver(deps, client, current, { kind: 'ambiguous', reason: why }, { resumed: true });
  return { kind: 'done' };
}

/** dispatching -> failed, and the requester told in the channel (the tag is offered again). False when the release had moved on. */
async function fail(deps: AppDeps, client: WebClient, release: Release, reason: string, o: { onlyUnsent?: boolean } = {}): Promise<boolean> {
  if (!(await deps.store.releases.markFailed(release.id, reason, o))) return false;
  await ensureMainMessage(deps, client, release, { text: releaseText.dispatchFailedFor(release.tag, release.requestedBy, reason), blocks: [] }).catch(
    (e: unknown) => deps.logger.warn({ err: e, release: release.id }, 'could not tell that the release was not dispatched'),
  );
  await recordAudit(deps, {
    actor: release.requestedBy,
    action: 'release:dispatch',
    repo: release.repo,
    outcome: 'failed',
    detail: { tag: release.tag, release: release.id, reason: reason.slice(0, 300) },
  });
  return true;
}

function withWorkflowFile(configured: string | number | undefined): { workflowFile?: string } {
  const file = workflowFileOf(configured);
  return file ? { workflowFile: file } : {};
}
