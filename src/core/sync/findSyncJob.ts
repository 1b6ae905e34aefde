import type { JobInfo } from '../ports.js';

/**
 * `Sync to GitHub Enterprise` -> `sync-to-github-enterprise`. Lets a configuration written
 * as a slug match a display name, whatever its case and punctuation.
 */
export function jobSlug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

type Match = 'exact' | 'prefix';

function matchName(jobName: string, wanted: string): Match | null {
  const name = jobName.trim().toLowerCase();
  const w = wanted.trim().toLowerCase();
  if (w === '') return null;
  if (name === w || jobSlug(name) === jobSlug(w)) return 'exact';
  // A job of a reusable workflow is named `<caller> / <callee job>`; a matrix job `<job> (<values>)`.
  if (name.startsWith(`${w} / `) || name.startsWith(`${w} (`)) return 'prefix';
  return null;
}

const FAILED = new Set(['failure', 'timed_out', 'startup_failure', 'cancelled']);

/**
 * The sync job of a run. `wanted` is the configured `sync.job`: the job's display name, or
 * its YAML id when the job has no `name:` (the API only ever reports the display name, so
 * `workflowJobNames` maps ids to names when the workflow file was read). An exact match wins
 * over a prefix match; among several (matrix, reusable workflow), a failed one is the
 * interesting one.
 */
export function findSyncJob(jobs: readonly JobInfo[], wanted: string, workflowJobNames?: Readonly<Record<string, string>>): JobInfo | null {
  const alias = workflowJobNames && Object.hasOwn(workflowJobNames, wanted) ? workflowJobNames[wanted] : undefined;
  const candidates = alias !== undefined && alias !== wanted ? [wanted, alias] : [wanted];
  for (const kind of ['exact', 'prefix'] as const) {
    const matches = jobs.filter((j) => candidates.some((c) => matchName(j.name, c) === kind));
    if (matches.length > 0) return matches.find((j) => FAILED.has(j.conclusion ?? '')) ?? matches[0] ?? null;
  }
  return null;
}
