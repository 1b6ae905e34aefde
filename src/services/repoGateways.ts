import type { ResolvedRepo } from '../config/load.js';
import type { AppDeps } from '../deps.js';
import type { ActionsPort, ReleasePort, RepoRef } from '../core/ports.js';

/**
 * A configured repository's GitHub gateways (workflows, runs, jobs, tags), with its ref and web address.
 * Releases use it, and so does a rotation's verification (re-running a sync job, dispatching a workflow).
 */
export interface RepoGateways {
  port: ReleasePort;
  actions: ActionsPort;
  ref: RepoRef;
  webUrl: string;
}

export async function repoGateways(deps: AppDeps, repo: ResolvedRepo): Promise<RepoGateways> {
  const ref = { owner: repo.owner, name: repo.repo };
  const github = await deps.gateways.repo(ref);
  return { port: github.release, actions: github.actions, ref, webUrl: `${github.webUrl}/${repo.github}` };
}
