import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import { buildHomeModel, type HomeApproval, type HomeModel, type HomeRepoInput } from '../core/home/dashboard.js';
import { webUrlOf } from '../github/octokit.js';
import { isAllowed } from './policy.js';
import { freshnessWindowMs, lastMirrorCheck, projectionView } from './syncProjection.js';
import { workflowPathOf } from '../core/sync/workflowJobNames.js';
import type { ResolvedRepo } from '../config/load.js';

/** A run not completed for longer than this has surely lost its last delivery: not shown as running. */
const IN_PROGRESS_MAX_AGE_MS = 6 * 60 * 60_000;
const IN_PROGRESS_SHOWN = 5;
/** Release runs looked at for the last one not started from Slack (the bot's own are skipped). */
export const RELEASE_RUNS_READ = 5;

/** The projection's newest release-workflow runs and the bot's releases that may have started them. */
async function releaseRuns(deps: AppDeps, repo: ResolvedRepo): Promise<Pick<HomeRepoInput, 'releaseRuns' | 'botReleases'>> {
  // A workflow given by its id: the projection keeps runs by path only (as for the sync workflow).
  const path = repo.release ? workflowPathOf(repo.release.workflow) : null;
  if (!path) return { releaseRuns: [], botReleases: [] };
  const runs = await deps.store.githubEvents.latestRuns(repo.github, path, RELEASE_RUNS_READ);
  const tags = [...new Set(runs.flatMap((r) => (r.headBranch ? [r.headBranch] : [])))];
  const botReleases = await deps.store.releases.forRuns(
    repo.github,
    runs.map((r) => r.runId),
    tags,
  );
  return { releaseRuns: runs, botReleases };
}

/**
 * What the Home tab shows `user`, from the store alone: the projection, the last mirror check,
 * the releases the bot started and the release runs it did not, the requests waiting for them.
 * Never a GitHub request (Slack is asked who is in the approvers' user groups, as every
 * approval check does).
 */
export async function homeModel(deps: AppDeps, client: WebClient, user: string): Promise<HomeModel> {
  const now = deps.now();
  const githubWebUrl = webUrlOf(deps.config.env.GITHUB_API_URL);
  const mayApprove = await isAllowed(deps, client, user, 'approve_secret_change').catch(() => false);
  const approvals: HomeApproval[] = [];
  const repos = await Promise.all(
    deps.config.repos.map(async (repo): Promise<HomeRepoInput> => {
      const [release, view, check, inProgress, runs] = await Promise.all([
        deps.store.releases.lastStarted(repo.github),
        repo.sync ? projectionView(deps, repo, repo.sync) : Promise.resolve(null),
        lastMirrorCheck(deps, repo.github),
        deps.store.syncProjection.runsInProgress(repo.github, new Date(now.getTime() - IN_PROGRESS_MAX_AGE_MS), IN_PROGRESS_SHOWN),
        releaseRuns(deps, repo),
      ]);
      if (mayApprove) {
        for (const s of repo.secrets) {
          const open = await deps.store.secretChanges.open(repo.github, s.name, now);
          // An approver may not decide their own request (store/secretChanges.ts approve).
          if (open && open.status === 'pending' && open.requestedBy !== user) {
            approvals.push({
              id: open.id,
              repoName: repo.shortName,
              secret: open.secret,
              action: open.action,
              requestedBy: open.requestedBy,
              expiresAt: open.expiresAt,
              channel: open.channel,
              messageTs: open.messageTs,
            });
          }
        }
      }
      return {
        name: repo.shortName,
        github: repo.github,
        webUrl: `${githubWebUrl}/${repo.github}`,
        release: release && {
          tag: release.tag,
          requestedBy: release.requestedBy,
          at: release.decidedAt ?? release.createdAt,
          status: release.status,
          conclusion: release.conclusion,
          runUrl: release.runUrl,
        },
        ...runs,
        sync: repo.sync
          ? { job: repo.sync.job, mirrorRepo: repo.sync.mirror.repo, mirrorWebUrl: `${webUrlOf(repo.sync.mirror.apiUrl)}/${repo.sync.mirror.repo}`, view }
          : null,
        check,
        configuredSecrets: repo.secrets,
        inProgress,
      };
    }),
  );
  const reminders = deps.config.file.reminders;
  return buildHomeModel({ now, windowMs: freshnessWindowMs(deps), reminders: { enabled: reminders.enabled, hourUtc: reminders.hourUtc }, repos, approvals });
}
