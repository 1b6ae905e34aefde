import type { AppDeps } from '../deps.js';
import type { Release } from '../store/index.js';
import type { WebClient } from '@slack/web-api';
import { startProgress } from '../core/release/progress.js';
import { NotFoundError, isChatOpsError } from '../errors.js';
import { releaseContext } from './release.js';
import { ensureMainMessage, FOLLOW_JOB, type FollowPayload } from './releaseFollower.js';

/**
 * Dispatches a release that was just confirmed (the caller won the one
 * pending -> dispatching transition), then hands it to the follower. The follow
 * job is enqueued before anything is posted, so a crash after the dispatch still
 * leaves the run followed and its message finished.
 */
export async function dispatchConfirmedRelease(deps: AppDeps, client: WebClient, release: Release): Promise<{ runUrl: string | null }> {
  const repo = deps.config.repos.find((r) => r.github === release.repo);
  if (!repo) {
    await deps.store.releases.markFailed(release.id, 'repository no longer configured');
    throw new NotFoundError(`\`${release.repo}\` is no longer in the configuration; nothing was dispatched.`);
  }
  const ctx = await releaseContext(deps, repo);
  let result;
  try {
    result = await ctx.port.dispatch(ctx.ref, Number(release.workflow), release.tag, release.inputs);
  } catch (e) {
    // GitHub refused (404/422/401/403): nothing ran.
    await deps.store.releases.markFailed(release.id, isChatOpsError(e) ? e.userMessage : 'dispatch refused');
    throw e;
  }
  const run = result.kind === 'run' ? { runId: result.runId, runUrl: result.htmlUrl } : { runId: null, runUrl: null };
  await deps.store.releases.markDispatched(release.id, run);
  const now = deps.now();
  const start = startProgress(
    { repo: release.repo, repoName: release.repoName, tag: release.tag, workflow: release.workflow, startedBy: release.requestedBy, ...(run.runUrl ? { runUrl: run.runUrl } : {}) },
    now,
  );
  const payload: FollowPayload = { releaseId: release.id, memory: start.memory, ambiguous: result.kind === 'ambiguous' ? result.reason : null, slackFailures: 0 };
  await deps.store.jobs.enqueue({ kind: FOLLOW_JOB, payload, dedupeKey: `release:${release.id}`, runAt: new Date(now.getTime() + start.nextPollSeconds * 1000) }, now);
  // The follower posts it too if this fails (it finds no message yet).
  await ensureMainMessage(deps, client, release, start.message).catch((e: unknown) => deps.logger.warn({ err: e, release: release.id }, 'release message not posted yet'));
  await deps.store.audit.record(
    { actor: release.requestedBy, action: 'release:dispatch', repo: release.repo, outcome: result.kind, detail: { tag: release.tag, release: release.id, ...(run.runId ? { runId: run.runId } : {}) } },
    deps.now(),
  );
  return { runUrl: run.runUrl };
}
