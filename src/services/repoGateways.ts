import type { ResolvedRepo } from '../config/load.js';
import type { AppDeps } from '../deps.js';
import type { ReleasePort, RepoRef } from '../core/ports.js';
import { ReleaseGateway } from '../github/releaseGateway.js';
import { ActionsGateway } from '../github/actionsGateway.js';
import { webUrlOf } from '../github/octokit.js';

/**
 * A configured repository's GitHub gateways (workflows, runs, jobs, tags), with its ref and web address.
 * Releases use it, and so does a rotation's verification (re-running a sync job, dispatching a workflow).
 */
export interface RepoGateways {
  port: ReleasePort;
  actions: ActionsGateway;
  ref: RepoRef;
  webUrl: string;
}

export async function repoGateways(deps: AppDeps, repo: ResolvedRepo): Promise<RepoGateways> {
  const client = await deps.github.forRepo(repo.owner, repo.repo);
  return {
    port: new ReleaseGateway(client),
    actions: new ActionsGateway(client),
    ref: { owner: repo.owner, name: repo.repo },
    webUrl: `${webUrlOf(client.apiUrl)}/${repo.github}`,
  };
}
