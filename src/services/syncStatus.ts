import type { ResolvedRepo } from '../config/load.js';
import type { AppDeps } from '../deps.js';
import { buildSyncReport } from '../core/sync/report.js';
import type { SyncReport } from '../core/sync/reportSchema.js';
import { ActionsGateway } from '../github/actionsGateway.js';
import { webUrlOf } from '../github/octokit.js';
import { RefsGateway } from '../github/refsGateway.js';
import { UsageError } from '../errors.js';
import { text, USAGE } from '../ui/messages.js';
import { assertRepoVisible, gatherSyncFacts } from './syncFacts.js';

/** /sync-status for one repository: ask both hosts, then let the pure core decide what to say. */
export async function syncStatusReport(deps: AppDeps, repo: ResolvedRepo): Promise<SyncReport> {
  const sync = repo.sync;
  if (!sync) throw new UsageError(text.noSyncConfigured(repo.shortName), USAGE.syncStatus);
  const github = await deps.github.forRepo(repo.owner, repo.repo);
  const mirror = deps.github.forMirror(sync.mirror);
  const facts = await gatherSyncFacts(repo, sync, {
    actions: new ActionsGateway(github),
    githubRefs: new RefsGateway(github),
    mirrorRefs: new RefsGateway(mirror),
    githubWebUrl: webUrlOf(github.apiUrl),
    mirrorWebUrl: webUrlOf(mirror.apiUrl),
  });
  assertRepoVisible(facts, github.host);
  return buildSyncReport(facts, deps.now());
}
