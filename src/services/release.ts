import type { ResolvedRepo } from '../config/load.js';
import type { AppDeps } from '../deps.js';
import type { WorkflowRunInfo } from '../core/ports.js';
import type { Release } from '../store/index.js';
import { preflight, type Preflight } from '../core/release/preflight.js';
import type { RepoGateways } from './repoGateways.js';

/** Fetches what the checks need (in parallel where they do not depend on each other) and runs them. */
export async function releasePreflight(deps: AppDeps, ctx: RepoGateways, repo: ResolvedRepo, workflowRef: string | number, tag: string): Promise<Preflight> {
  const { port, ref } = ctx;
  const [tagInfo, workflow, active] = await Promise.all([
    port.tag(ref, tag),
    port.workflow(ref, workflowRef),
    deps.store.releases.active(repo.github, tag, deps.now()),
  ]);
  const [latestTags, workflowYaml, runs] = await Promise.all([
    tagInfo ? Promise.resolve([]) : port.latestTags(ref, 5),
    workflow ? port.fileOnDefaultBranch(ref, workflow.path) : Promise.resolve(null),
    tagInfo && workflow ? port.workflowRuns(ref, workflow.id, { headSha: tagInfo.sha, perPage: 20 }) : Promise.resolve([]),
  ]);
  const stillActive = await settleConcluded(deps, active, runs);
  return preflight({ repo: repo.github, tag, tagInfo, latestTags, workflowRef, workflow, workflowYaml, runs, activeRequests: stillActive.length });
}

/**
 * A dispatched release whose run GitHub shows as completed is over, even if its
 * follower stopped before saying so (it gave up on Slack, or its job failed): record
 * the conclusion, so a failed run's tag is offered again. Returns the releases still active.
 */
async function settleConcluded(deps: AppDeps, active: Release[], runs: WorkflowRunInfo[]): Promise<Release[]> {
  const left: Release[] = [];
  for (const r of active) {
    const run = r.status === 'dispatched' && r.runId !== null ? runs.find((x) => x.id === r.runId) : undefined;
    if (run?.status === 'completed' && run.conclusion !== null && (await deps.store.releases.markConcluded(r.id, run.conclusion))) continue;
    left.push(r);
  }
  return left;
}
