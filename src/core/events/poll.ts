import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ConditionalRead } from '../ports.js';
import { JobPayload, RunPayload } from './facts.js';

/**
 * What the events poller decides from what it read: which synthetic deliveries to hand
 * the intake, whose jobs to read, and what to remember for the next look. The delivery
 * ids are derived from the state read, so the same state read twice (by this look and
 * the next, by two replicas, before and after a restart) is stored once, and a state
 * that changed is a new delivery.
 */

/** The poll job's payload: what the last look saw, so the next one asks with ETags and feeds only what changed. */
export const PollState = z.strictObject({
  repo: z.string().min(3),
  /** ETag of each read of the last look: `runs:<workflow>`, `jobs:<runId>`, `tags`, `releases`. */
  etags: z.record(z.string(), z.string()).default({}),
  /** Per workflow: run id → state key (attempt, status, update time) as last read. Absent: not read yet. */
  runs: z.record(z.string(), z.record(z.string(), z.string())).default({}),
  /** Tag names on the first page at the last look; null before the first look (which only takes them as known). */
  tags: z.array(z.string()).nullable().default(null),
});
export type PollState = z.infer<typeof PollState>;

export interface PollDelivery {
  deliveryId: string;
  event: 'workflow_run' | 'workflow_job' | 'push';
  payload: Record<string, unknown>;
}

/** Runs read per workflow, and tags on the first page: enough for a minute between looks. */
export const RUNS_PER_LOOK = 20;
export const TAGS_PER_LOOK = 100;
/**
 * Releases on the first page: the poller and a release's follower ask the same query, so
 * the follower's read of the tag's release link is conditional (github/etagCache.ts).
 */
export const RELEASES_PER_LOOK = 10;

const ms = (s: string | null | undefined) => (s ? Date.parse(s) || 0 : 0);
const runKey = (r: z.infer<typeof RunPayload>) => `${r.run_attempt ?? 1}:${r.status ?? 'queued'}:${ms(r.updated_at)}`;
const isDone = (key: string) => key.split(':')[1] === 'completed';

export function runDeliveryId(r: z.infer<typeof RunPayload>): string {
  return `poll:run:${r.id}:${runKey(r)}`;
}

export function jobDeliveryId(j: z.infer<typeof JobPayload>): string {
  return `poll:job:${j.id}:${j.status}:${j.conclusion ?? '-'}:${ms(j.completed_at ?? j.started_at)}`;
}

/** Tag names may hold characters a delivery id may not (`/`, `+`): their digest. */
export function tagDeliveryId(repo: string, tag: string, sha: string | null): string {
  const digest = createHash('sha256')
    .update(`${repo.toLowerCase()}\n${tag}\n${sha ?? ''}`)
    .digest('hex')
    .slice(0, 40);
  return `poll:tag:${digest}`;
}

export interface RunsPlan {
  deliveries: PollDelivery[];
  /** Runs whose jobs to read: those not finished, and those that changed since the last look. */
  jobsOf: number[];
  runs: PollState['runs'];
}

/**
 * The runs of each workflow. A first look (nothing remembered for the workflow: the
 * repository was just configured) feeds only the runs not finished: what finished before
 * the bot looked is no news (with webhooks it would never have heard of it), and a
 * week-old failure is not alerted. Later looks, also after a restart (the state is in
 * the job), feed every run that changed.
 */
export function planRuns(repo: string, prev: PollState['runs'], reads: Array<{ workflow: string; read: ConditionalRead }>): RunsPlan {
  const deliveries: PollDelivery[] = [];
  const jobsOf = new Set<number>();
  const runs: PollState['runs'] = {};
  for (const { workflow, read } of reads) {
    const before = prev[workflow];
    if (read.status === 'not_modified') {
      runs[workflow] = before ?? {};
      for (const [id, key] of Object.entries(before ?? {})) if (!isDone(key)) jobsOf.add(Number(id));
      continue;
    }
    const parsed = read.items.flatMap((item) => {
      const p = RunPayload.safeParse(item);
      return p.success ? [{ item, run: p.data }] : [];
    });
    const now: Record<string, string> = {};
    for (const { run } of parsed) now[String(run.id)] = runKey(run);
    runs[workflow] = now;
    const changed = parsed.filter(({ run }) => (before === undefined ? !isDone(runKey(run)) : before[String(run.id)] !== runKey(run)));
    // Oldest first, as GitHub would have sent them.
    for (const { item, run } of [...changed].reverse()) {
      deliveries.push({
        deliveryId: runDeliveryId(run),
        event: 'workflow_run',
        payload: { action: 'poll', workflow_run: item, repository: { full_name: repo } },
      });
      jobsOf.add(run.id);
    }
    for (const { run } of parsed) if (!isDone(runKey(run))) jobsOf.add(run.id);
  }
  return { deliveries, jobsOf: [...jobsOf].sort((a, b) => a - b), runs };
}

/** The jobs of one run as read: each job's state is one delivery. */
export function planJobs(repo: string, read: ConditionalRead): PollDelivery[] {
  if (read.status === 'not_modified') return [];
  return read.items.flatMap((item) => {
    const p = JobPayload.safeParse(item);
    return p.success
      ? [
          {
            deliveryId: jobDeliveryId(p.data),
            event: 'workflow_job' as const,
            payload: { action: 'poll', workflow_job: item, repository: { full_name: repo } },
          },
        ]
      : [];
  });
}

const TagItem = z.object({ name: z.string().min(1), commit: z.object({ sha: z.string() }) });

/**
 * Tags not on the page at the last look, as the `push` of each that GitHub would have
 * sent. The first look only learns the tags there are: they were pushed before the bot
 * looked, and are no news (a tag-without-release alert for each would be noise).
 */
export function planTags(repo: string, prev: string[] | null, read: ConditionalRead): { deliveries: PollDelivery[]; tags: string[] | null } {
  if (read.status === 'not_modified') return { deliveries: [], tags: prev };
  const tags = read.items.flatMap((item) => {
    const p = TagItem.safeParse(item);
    return p.success ? [p.data] : [];
  });
  const known = new Set(prev ?? []);
  const fresh = prev === null ? [] : tags.filter((t) => !known.has(t.name));
  return {
    deliveries: fresh.reverse().map((t) => ({
      deliveryId: tagDeliveryId(repo, t.name, t.commit.sha),
      event: 'push' as const,
      payload: { ref: `refs/tags/${t.name}`, after: t.commit.sha, created: true, deleted: false, repository: { full_name: repo } },
    })),
    tags: tags.map((t) => t.name),
  };
}
