import type { ResolvedRepo } from '../config/load.js';
import type { AppDeps } from '../deps.js';
import { buildSyncReport } from '../core/sync/report.js';
import type { SyncReport } from '../core/sync/reportSchema.js';
import { UsageError } from '../errors.js';
import { text, USAGE } from '../ui/messages.js';
import { assertRepoVisible, gatherSyncFacts } from './syncFacts.js';
import { factsFromProjection, saveMirrorCheck } from './syncProjection.js';

/** Reports being built, by repository: requests that arrive meanwhile get the same one. */
const inFlight = new Map<string, Promise<SyncReport>>();

/**
 * /sync-status for one repository. Requests for the same repository that arrive
 * while a report is being gathered share it: it is as fresh as they asked for, and
 * fifty people asking at once cost GitHub, zod and the core one report, not fifty.
 * Nothing is kept once it is done.
 */
export function syncStatusReport(deps: AppDeps, repo: ResolvedRepo): Promise<SyncReport> {
  const pending = inFlight.get(repo.github);
  if (pending) return pending;
  const p = buildReport(deps, repo).finally(() => inFlight.delete(repo.github));
  inFlight.set(repo.github, p);
  return p;
}

/** From the projection when it is fresh, else by asking both hosts; then the pure core decides what to say. */
async function buildReport(deps: AppDeps, repo: ResolvedRepo): Promise<SyncReport> {
  const sync = repo.sync;
  if (!sync) throw new UsageError(text.noSyncConfigured(repo.shortName), USAGE.syncStatus);
  const github = await deps.gateways.repo({ owner: repo.owner, name: repo.repo });
  const mirror = deps.gateways.mirror(sync.mirror);
  const ports = { actions: github.actions, githubRefs: github.refs, mirrorRefs: mirror.refs, githubWebUrl: github.webUrl, mirrorWebUrl: mirror.webUrl };
  // A fresh projection answers for runs, jobs and the log; otherwise GitHub is walked as before.
  let facts = await factsFromProjection(deps, repo, sync, ports);
  if (!facts) {
    const startedAt = deps.now();
    facts = await gatherSyncFacts(repo, sync, ports);
    // Kept for the Home tab ("the mirror's drift as last checked"); only a fresh projection reuses it.
    await saveMirrorCheck(deps, repo.github, { checkedAt: startedAt, githubRefs: facts.githubRefs, mirrorRefs: facts.mirrorRefs, secrets: facts.secrets });
  }
  assertRepoVisible(facts, github.host);
  return buildSyncReport(facts, deps.now());
}
