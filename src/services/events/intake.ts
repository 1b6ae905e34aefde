import type { AppDeps } from '../../deps.js';
import type { ResolvedRepo } from '../../config/load.js';
import { deliveryRepo, factsOf, isTakenEvent, prunePayload } from '../../core/events/facts.js';

/** The job kind that applies a repository's stored deliveries in order (services/events/apply.ts). */
export const APPLY_KIND = 'github.events.apply';
export const applyDedupeKey = (repo: string) => `github-events:${repo.toLowerCase()}`;

export type IntakeOutcome =
  | { status: 202; body: { pong: true } }
  | { status: 202; body: { stored: boolean; duplicate?: true } | { ignored: string } }
  | { status: 400; body: { error: string } };

/** The configured repository a delivery is about (GitHub's names are case-insensitive). */
export function configuredRepo(deps: AppDeps, fullName: string): ResolvedRepo | null {
  const want = fullName.toLowerCase();
  return deps.config.repos.find((r) => r.github.toLowerCase() === want) ?? null;
}

/**
 * Starts (or moves forward) the repository's apply job, and wakes this replica's worker for
 * it. A delivery stored while the job applies earlier ones makes it look again right after
 * (`sooner` keeps the wake of a running job), not at its idle look a minute later.
 */
export async function scheduleApply(deps: AppDeps, repo: string): Promise<void> {
  await deps.store.jobs.enqueue({ kind: APPLY_KIND, payload: { repo }, dedupeKey: applyDedupeKey(repo), sooner: true, maxAttempts: 1000 }, deps.now());
  deps.wake?.();
}

/**
 * One delivery whose signature was verified (webhooks) or a fact the poller read: stored
 * before it is answered, once per delivery id; applying is the repository job's work.
 * Only what the bot uses is stored: events it does not take, branch pushes, and
 * repositories it does not serve are answered and dropped.
 */
export async function takeDelivery(
  deps: AppDeps,
  d: { deliveryId: string | undefined; event: string | undefined; body: string | unknown },
): Promise<IntakeOutcome> {
  let payload: unknown = d.body;
  if (typeof d.body === 'string') {
    try {
      payload = JSON.parse(d.body) as unknown;
    } catch {
      return { status: 400, body: { error: 'the body is not JSON' } };
    }
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return { status: 400, body: { error: 'the body is not a JSON object' } };
  const event = d.event ?? '';
  if (!/^[a-z_]{1,64}$/.test(event)) return { status: 202, body: { ignored: 'no usable X-GitHub-Event' } };
  if (event === 'ping') return { status: 202, body: { pong: true } };
  if (!isTakenEvent(event)) return { status: 202, body: { ignored: `event ${event} is not used` } };
  const fullName = deliveryRepo(payload);
  const repo = fullName ? configuredRepo(deps, fullName) : null;
  if (!repo) return { status: 202, body: { ignored: 'repository not configured' } };
  if (factsOf(event, payload).length === 0) return { status: 202, body: { ignored: 'nothing the bot keeps' } };
  const deliveryId = d.deliveryId ?? '';
  if (!/^[A-Za-z0-9._:-]{1,100}$/.test(deliveryId)) return { status: 400, body: { error: 'missing or malformed X-GitHub-Delivery' } };
  const stored = await deps.store.githubEvents.store({ deliveryId, repo: repo.github, event, payload: prunePayload(event, payload) }, deps.now());
  if (!stored) return { status: 202, body: { stored: false, duplicate: true } };
  await scheduleApply(deps, repo.github);
  return { status: 202, body: { stored: true } };
}
