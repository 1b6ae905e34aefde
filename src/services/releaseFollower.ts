import { z } from 'zod';
import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import type { Job, Release } from '../store/index.js';
import type { ActionsPort, JobInfo, ReleasePort, RepoRef, WorkflowRunInfo } from '../core/ports.js';
import type { ResolvedRepo } from '../config/load.js';
import { RUNS_PER_LOOK } from '../core/events/poll.js';
import { jobNamesAt } from './syncProjection.js';
import { applyAction, planProgress, ProgressMemory, type FollowedRelease } from './releaseProgress.js';
import type { JobContext, JobHandler, JobResult } from '../worker/runner.js';
import { callSlack } from '../slack/slackErrors.js';
import { releaseText } from '../ui/releaseConfirm.js';
import { repoGateways, type RepoGateways } from './repoGateways.js';
import { homeChanged } from './homeRepublish.js';
import { recordAudit } from './audit.js';
import { followNextSeconds, GitHubLook, planFollowLook, type FollowLook } from '../core/events/followLook.js';
import { followFallbackSeconds, projectedRun } from './events/projectedRun.js';

export const FOLLOW_JOB = 'release.follow';

export const FollowPayload = z.object({
  releaseId: z.string(),
  memory: ProgressMemory,
  /** Set when the dispatch had no trustworthy answer: the run is looked for, never dispatched again. */
  ambiguous: z.string().nullable().default(null),
  /** Consecutive polls whose Slack calls failed (other than rate limits, which the client waits out). */
  slackFailures: z.number().int().default(0),
  /** When the follower last edited the message (ms): edits are kept EDIT_GAP_MS apart. */
  lastEditAt: z.number().nullable().default(null),
  /** The jobs the run's workflow file declares, read once per run (null: not read yet or unreadable). */
  declared: z.object({ runId: z.number(), count: z.number().nullable() }).nullable().default(null),
  /** The last read of the run from GitHub (not the projection): the freshness rule's reference (core/events/followLook.ts). */
  lastGitHubLook: GitHubLook.nullable().default(null),
});
export type FollowPayload = z.infer<typeof FollowPayload>;

/** How long a dispatched run may stay invisible before the bot says it never appeared. */
const RUN_APPEAR_SECONDS = 180;
const MAX_SLACK_FAILURES = 10;
/**
 * Webhook events bring the follow job forward (services/events/wakeFollowers.ts); a burst
 * of them makes at most one chat.update a second per message (Slack's chat.update pace):
 * a wake sooner than this after the last edit waits for the rest of the gap.
 */
export const EDIT_GAP_MS = 1000;

/**
 * One look at a followed release: find its run if the dispatch did not say, read the
 * run and its jobs (from the projection while webhook deliveries keep it fresh, else
 * from GitHub: core/events/followLook.ts), let the pure core plan the messages, perform
 * them, and come back when the core says (deliveries about the run wake it sooner).
 * Lives in the store as a leased job, so any replica continues it after a restart.
 */
export function releaseFollower(deps: AppDeps, client: WebClient): JobHandler {
  return {
    kind: FOLLOW_JOB,
    leaseSeconds: 15,
    async run(job: Job, { signal }: JobContext): Promise<JobResult> {
      const payload = FollowPayload.parse(job.payload);
      const early = payload.lastEditAt !== null ? payload.lastEditAt + EDIT_GAP_MS - deps.now().getTime() : 0;
      if (early > 0) return { kind: 'again', at: new Date(deps.now().getTime() + early), payload };
      let release = await deps.store.releases.get(payload.releaseId);
      const repo = release && deps.config.repos.find((r) => r.github === release?.repo);
      if (!release || !repo) return { kind: 'done' };
      const ctx = await repoGateways(deps, repo);
      const now = deps.now();

      let runId = release.runId;
      let runUrl = release.runUrl;
      if (runId === null) {
        const found = await findDispatchedRun(ctx.port, ctx.ref, release);
        if (found) {
          runId = found.id;
          runUrl = found.htmlUrl;
          await deps.store.releases.setRun(release.id, { runId, runUrl });
        } else if ((now.getTime() - job.createdAt.getTime()) / 1000 > RUN_APPEAR_SECONDS) {
          const why = payload.ambiguous ? `GitHub's answer to the dispatch was unclear (${payload.ambiguous}) and` : 'GitHub accepted the dispatch but';
          // No run, so nothing is under way: the release stops being active and the tag is offered again.
          await deps.store.releases.markFailed(release.id, 'no run appeared after the dispatch');
          await homeChanged(deps);
          await ensureMainMessage(deps, client, release, {
            text: releaseText.dispatchFailedFor(
              release.tag,
              release.requestedBy,
              `${why} no run appeared within ${RUN_APPEAR_SECONDS / 60} minutes. Nothing was dispatched again; check the Actions tab.`,
            ),
            blocks: [],
          });
          await recordAudit(
            deps,
            { actor: 'system', action: 'release:finished', repo: release.repo, outcome: 'no_run', detail: { tag: release.tag, release: release.id } },
            now,
          );
          return { kind: 'done' };
        }
      }
      let run: WorkflowRunInfo | null = null;
      let jobs: JobInfo[] = [];
      let lastGitHubLook = payload.lastGitHubLook;
      let look: FollowLook = { source: 'github', why: 'no_webhooks', fallbackAt: null };
      if (runId !== null) {
        // While deliveries flow, the run and its jobs come from the projection (no GitHub
        // request); GitHub is read when the core's freshness rule says so.
        const { webhooks, fallbackSeconds } = followFallbackSeconds(deps);
        const projected = webhooks ? await projectedRun(deps, release.repo, runId) : null;
        look = planFollowLook({
          now: now.toISOString(),
          webhooks,
          fallbackSeconds,
          followingSince: job.createdAt.toISOString(),
          lastGitHubLook,
          projected: projected?.version ?? null,
          jobsBehindRun: projected?.run.status === 'completed' && projected.jobs.some((j) => j.status !== 'completed'),
        });
        if (look.source === 'wait') {
          // Nothing known of the run yet: its first delivery wakes the follower, or the fallback look comes.
          return { kind: 'again', at: new Date(look.fallbackAt ?? now.getTime()), payload };
        }
        if (look.source === 'projection' && projected) {
          ({ run, jobs } = projected);
        } else {
          [run, jobs] = await Promise.all([readRun(ctx, repo, runId), ctx.actions.runJobs(ctx.ref, runId)]);
          lastGitHubLook = { at: now.toISOString(), run: { attempt: run.runAttempt, updatedAt: run.updatedAt } };
        }
      }
      let declared = payload.declared;
      if (run?.workflowPath && declared?.runId !== run.id) {
        declared = { runId: run.id, count: await declaredJobCount(deps, ctx.actions, repo, run.workflowPath, run.headSha) };
      }
      const declaredJobs = run && declared?.runId === run.id ? declared.count : null;
      const workflowFile = workflowFileOf(run?.workflowPath ?? repo.release?.workflow);
      const followed: FollowedRelease = {
        repo: release.repo,
        repoName: release.repoName,
        tag: release.tag,
        workflow: release.workflow,
        ...(workflowFile ? { workflowFile } : {}),
        declaredJobs,
        startedBy: release.requestedBy,
        ...(runUrl ? { runUrl } : {}),
        releaseUrl: run?.status === 'completed' ? await ctx.port.releaseUrl(ctx.ref, release.tag) : null,
      };
      const plan = planProgress({ release: followed, run, jobs, memory: payload.memory, now });
      let memory = payload.memory;
      let lastEditAt = payload.lastEditAt;
      for (const action of plan.actions) {
        // Each action done is folded into the memory at once: a failure later in the
        // list leaves the memory true, so nothing is posted twice on the retry.
        // Another replica has this poll now (this one stalled): it posts what is left.
        signal.throwIfAborted();
        try {
          if (action.kind !== 'finish') {
            const ts = await ensureMainMessage(deps, client, release, action.kind === 'update_main' ? action.message : null);
            release = { ...release, messageTs: ts };
            const channel = release.channel;
            if (action.kind === 'thread_reply') {
              await callSlack('reply in the release thread', () => client.chat.postMessage({ channel, thread_ts: ts, ...action.message }));
            }
          }
        } catch (e) {
          // Keep what was done; try again later, and give up after a while rather than loop for ever.
          const slackFailures = payload.slackFailures + 1;
          deps.logger.warn({ err: e, release: release.id, slackFailures }, 'release message could not be updated');
          if (slackFailures >= MAX_SLACK_FAILURES) return { kind: 'done' };
          return {
            kind: 'again',
            at: new Date(now.getTime() + 30_000),
            payload: { ...payload, memory, slackFailures, lastEditAt, declared, lastGitHubLook },
          };
        }
        memory = applyAction(memory, action);
        if (action.kind !== 'finish') lastEditAt = deps.now().getTime();
      }
      const nextSeconds = followNextSeconds(look, plan.nextPollSeconds, now.toISOString());
      if (nextSeconds === null) {
        // A concluded run ends the release: a failed one may be released again, a successful one not.
        await deps.store.releases.markConcluded(release.id, run?.conclusion ?? 'unknown');
        await homeChanged(deps); // the Home's last release
        await recordAudit(
          deps,
          { actor: 'system', action: 'release:finished', repo: release.repo, outcome: run?.conclusion ?? 'unknown', detail: { tag: release.tag, runId } },
          now,
        );
        return { kind: 'done' };
      }
      return {
        kind: 'again',
        at: new Date(now.getTime() + nextSeconds * 1000),
        payload: { ...payload, memory: plan.memory, slackFailures: 0, lastEditAt, declared, lastGitHubLook },
      };
    },
  };
}

/** `release.yml` from a path or a configured file name; undefined for a numeric id. */
export function workflowFileOf(workflow: string | number | undefined): string | undefined {
  if (workflow === undefined || /^\d+$/.test(String(workflow))) return undefined;
  return String(workflow).split('/').pop();
}

/**
 * The jobs the run's workflow file declares at the run's commit: stored once per file and
 * commit (a file at a commit never changes; /sync-status and App Home share the row), read
 * from GitHub only the first time. Null when the file cannot be read or parsed, so the
 * message counts only the jobs seen (never a made-up total).
 */
async function declaredJobCount(deps: AppDeps, actions: ActionsPort, repo: ResolvedRepo, path: string, sha: string): Promise<number | null> {
  try {
    const n = Object.keys(await jobNamesAt(deps, actions, repo, path, sha)).length;
    return n > 0 ? n : null;
  } catch {
    return null;
  }
}

/**
 * The run as GitHub shows it, from the page of the release workflow's runs the events
 * poller asks for (the same query, so the client's ETag cache makes it conditional and a
 * 304 costs no rate limit); by its id only when that page does not hold it (a run older
 * than the page, or a repository whose configuration no longer names the workflow).
 */
async function readRun(ctx: RepoGateways, repo: ResolvedRepo, runId: number): Promise<WorkflowRunInfo> {
  const workflow = repo.release?.workflow;
  if (workflow !== undefined) {
    const listed = await ctx.port.workflowRuns(ctx.ref, workflow, { perPage: RUNS_PER_LOOK });
    const found = listed.find((r) => r.id === runId);
    if (found) return found;
  }
  return ctx.port.run(ctx.ref, runId);
}

/** A dispatched run: a workflow_dispatch run of the workflow for the tag's commit, created after the request. */
export async function findDispatchedRun(port: ReleasePort, ref: RepoRef, release: Release): Promise<WorkflowRunInfo | null> {
  const runs = await port.workflowRuns(ref, Number(release.workflow), { headSha: release.sha, event: 'workflow_dispatch', perPage: 10 });
  const since = release.createdAt.getTime() - 60_000;
  return runs.find((r) => Date.parse(r.createdAt) >= since) ?? null;
}

/**
 * Posts the release's channel message once (recording its ts), then edits it;
 * with no message, only makes sure it exists. Returns its ts.
 */
export async function ensureMainMessage(
  deps: AppDeps,
  client: WebClient,
  release: Release,
  message: { text: string; blocks: unknown[] } | null,
): Promise<string> {
  const m = message ?? { text: releaseText.mainMessage(release.tag, release.repoName, release.requestedBy), blocks: [] };
  const args = { text: m.text, ...(m.blocks.length ? { blocks: m.blocks as never } : {}) };
  const existing = release.messageTs;
  if (existing) {
    if (message) await callSlack('update the release message', () => client.chat.update({ channel: release.channel, ts: existing, ...args }));
    return existing;
  }
  const posted = await callSlack('post the release message', () => client.chat.postMessage({ channel: release.channel, ...args, unfurl_links: false }));
  const ts = String(posted.ts);
  await deps.store.releases.setMessage(release.id, release.channel, ts);
  return ts;
}
