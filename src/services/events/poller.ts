import type { AppDeps } from '../../deps.js';
import { planJobs, planRuns, planTags, PollState, RELEASES_PER_LOOK, RUNS_PER_LOOK, TAGS_PER_LOOK, type PollDelivery } from '../../core/events/poll.js';
import type { ResolvedRepo } from '../../config/load.js';
import type { JobHandler } from '../../worker/runner.js';
import { configuredRepo, takeDelivery } from './intake.js';

/** One job per configured repository (its dedupe key): whichever replica holds it looks, the others do not. */
export const POLL_KIND = 'github.events.poll';
export const pollDedupeKey = (repo: string) => `github-poll:${repo.toLowerCase()}`;

/**
 * Whether GitHub's webhooks can reach this bot: a secret to verify them with, and an
 * HTTP receiver (in Socket Mode the bot usually has no public URL). Then polling only
 * reconciles; otherwise it is how the bot learns what happens.
 */
export function webhooksReach(deps: AppDeps): boolean {
  return Boolean(deps.config.env.GITHUB_WEBHOOK_SECRET) && !deps.config.env.SLACK_APP_TOKEN;
}

/** Seconds between two looks at a repository. */
export function pollIntervalSeconds(deps: AppDeps): number {
  const events = deps.config.file.events;
  return webhooksReach(deps) ? events.reconcileSeconds : events.pollSeconds;
}

/**
 * At start-up: each configured repository's poll job exists, and looks now (what happened
 * while no replica ran is taken at once). An existing job keeps its payload, the ETags
 * and state of its last look.
 */
export async function ensurePollJobs(deps: AppDeps): Promise<void> {
  for (const repo of deps.config.repos) {
    if (!repo.release && !repo.sync) continue;
    await deps.store.jobs.enqueue(
      { kind: POLL_KIND, payload: { repo: repo.github }, dedupeKey: pollDedupeKey(repo.github), runAt: deps.now(), sooner: true, maxAttempts: 1000 },
      deps.now(),
    );
  }
}

/** The configured workflows whose runs are followed (release and sync; one read when they are the same file). */
function workflowsOf(repo: ResolvedRepo): Array<string | number> {
  const all = [repo.release?.workflow, repo.sync?.workflow].filter((w): w is string | number => w !== undefined);
  return [...new Map(all.map((w) => [String(w), w])).values()];
}

/**
 * Looks at one repository with conditional requests (runs of the configured workflows,
 * the jobs of runs not finished or changed, the tags) and hands what changed to the same
 * intake as webhooks, as deliveries with ids derived from the state read: the apply job
 * makes of them the projection webhooks make, and a state already stored is not stored
 * again. Its state (ETags, what it saw) travels in the job's payload, so a restart or
 * another replica asks with the same ETags.
 */
export function eventsPoller(deps: AppDeps): JobHandler {
  return {
    kind: POLL_KIND,
    leaseSeconds: 30,
    async run(job, ctx) {
      const state = PollState.parse(job.payload);
      const repo = configuredRepo(deps, state.repo);
      if (!repo) return { kind: 'done' };
      const ref = { owner: repo.owner, name: repo.repo };
      const poll = (await deps.gateways.repo(ref)).poll;
      const etags: Record<string, string> = {};
      const keep = (key: string, read: { status: string; etag?: string | null }) => {
        const tag = read.status === 'ok' ? read.etag : state.etags[key];
        if (tag) etags[key] = tag;
      };

      // Tags first: a release run then finds its tag in the projection (apply.ts links them).
      const tagsRead = await poll.tags(ref, state.etags.tags ?? null, TAGS_PER_LOOK);
      keep('tags', tagsRead);
      const tags = planTags(repo.github, state.tags, tagsRead);

      const reads = [];
      for (const w of workflowsOf(repo)) {
        const key = `runs:${String(w)}`;
        const read = await poll.recentRuns(ref, w, state.etags[key] ?? null, RUNS_PER_LOOK);
        keep(key, read);
        reads.push({ workflow: String(w), read });
      }
      const runs = planRuns(repo.github, state.runs, reads);

      if (repo.release) {
        // Nothing is derived from the releases: the read keeps this query's ETag in the client's
        // cache, so a release's follower asks for its tag's link conditionally (ReleasePort.releaseUrl),
        // and while nothing changed both are 304s, which cost no rate limit.
        keep('releases', await poll.releases(ref, state.etags.releases ?? null, RELEASES_PER_LOOK));
      }

      const jobs: PollDelivery[] = [];
      for (const runId of runs.jobsOf) {
        const key = `jobs:${runId}`;
        const read = await poll.runJobs(ref, runId, state.etags[key] ?? null);
        keep(key, read);
        jobs.push(...planJobs(repo.github, read));
      }

      let stored = 0;
      for (const d of [...tags.deliveries, ...runs.deliveries, ...jobs]) {
        ctx.signal.throwIfAborted();
        const outcome = await takeDelivery(deps, { deliveryId: d.deliveryId, event: d.event, body: d.payload });
        if ('stored' in outcome.body && outcome.body.stored) stored += 1;
      }
      if (stored > 0) deps.logger.info({ repo: repo.github, stored }, 'events poller: new GitHub state stored');
      // Every read answered (a failed one throws before here): what GitHub holds is in the intake, so
      // /sync-status may report from the projection (core/sync/projection.ts counts this as a confirmation).
      await deps.store.syncProjection.confirm(repo.github, deps.now());
      const next: PollState = { repo: repo.github, etags, runs: runs.runs, tags: tags.tags };
      return { kind: 'again', at: new Date(deps.now().getTime() + pollIntervalSeconds(deps) * 1000), payload: next };
    },
  };
}
