import type { WebClient } from '@slack/web-api';
import type { ResolvedRepo } from '../config/load.js';
import type { AppDeps } from '../deps.js';
import type { WorkflowRunInfo } from '../core/ports.js';
import type { AuditRecord, Release } from '../store/index.js';
import { preflight, type Preflight } from '../core/release/preflight.js';
import { letWaitingAcksGoFirst } from '../slack/afterAck.js';
import { renderReleaseConfirm, releaseText } from '../ui/releaseConfirm.js';
import { refusalText } from '../ui/refusal.js';
import type { KnownBlock } from '../ui/blocks.js';
import { authorise } from './policy.js';
import { repoGateways, type RepoGateways } from './repoGateways.js';

/** A confirmation is valid this long; after that it is void and nothing can be dispatched from it. */
export const CONFIRM_TTL_SECONDS = 10 * 60;

/** What to answer the person privately, and what to record once answered (null: recorded already). */
export interface ReleaseRequestAnswer {
  message: { text: string; blocks?: KnownBlock[] };
  audit: { outcome: string; detail: Record<string, unknown> } | null;
}

/**
 * `/release <tag>` after the command was acknowledged, and *Release now* on a
 * tag-without-release alert: the person's access, the preflight checks, then the private
 * confirmation (a pending release in the store). Nothing runs until it is confirmed.
 * `auditAction` names the surface in the access refusal's audit entry; `fallbackChannel`
 * is where the release is followed when the repository has no channel.
 */
export async function requestRelease(
  deps: AppDeps,
  client: WebClient,
  o: { repo: ResolvedRepo & { release: NonNullable<ResolvedRepo['release']> }; tag: string; user: string; fallbackChannel: string; auditAction: string },
): Promise<ReleaseRequestAnswer> {
  const { repo, tag } = o;
  const access = await authorise(deps, client, { user: o.user, action: 'release', repo }, {
    action: o.auditAction,
    outcome: 'refused',
    detail: { check: 'access' },
  } satisfies Omit<AuditRecord, 'actor' | 'repo'>);
  if (!access.ok) return { message: { text: refusalText(access.refusal) }, audit: null };
  const ctx = await repoGateways(deps, repo);
  const check = await releasePreflight(deps, ctx, repo, repo.release.workflow, tag);
  // Fifty preflights that shared one GitHub answer resolve together: write and render them one per turn.
  await letWaitingAcksGoFirst();
  if (!check.ok) {
    const reason = refusalText(check.refusal);
    return { message: { text: reason }, audit: { outcome: 'refused', detail: { tag, reason: reason.slice(0, 300) } } };
  }
  const created = await deps.store.releases.create(
    {
      repo: repo.github,
      repoName: repo.shortName,
      tag,
      sha: check.tag.sha,
      workflow: String(check.workflow.id),
      inputs: repo.release.inputs,
      requestedBy: o.user,
      channel: repo.channel ?? o.fallbackChannel,
      ttlSeconds: CONFIRM_TTL_SECONDS,
    },
    deps.now(),
  );
  if (created.kind === 'busy') {
    // Another /release of the tag (another person, a double submit, another replica) got there first.
    return {
      message: { text: releaseText.busy(tag, created.active, o.user) },
      audit: { outcome: 'refused', detail: { tag, reason: 'busy', active: created.active.id } },
    };
  }
  const { release } = created;
  return {
    message: renderReleaseConfirm({
      releaseId: release.id,
      repo: repo.github,
      repoName: repo.shortName,
      webUrl: ctx.webUrl,
      tag: check.tag,
      workflow: check.workflow,
      inputs: repo.release.inputs,
      previousFailure: check.previousFailure,
      expiresMinutes: CONFIRM_TTL_SECONDS / 60,
    }),
    audit: { outcome: 'confirmation', detail: { tag, sha: check.tag.sha, release: release.id, rerun: check.previousFailure !== null } },
  };
}

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
