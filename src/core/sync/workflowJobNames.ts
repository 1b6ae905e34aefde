import { z } from 'zod';
import { parse as parseYaml } from 'yaml';

const WorkflowJobs = z.object({ jobs: z.record(z.string(), z.object({ name: z.unknown().optional() }).passthrough().nullable()) });

/** YAML job id -> the display name GitHub reports for it (its `name:`, or the id). Junk gives {}. */
export function jobNamesOf(workflowYaml: string): Record<string, string> {
  let doc: unknown;
  try {
    doc = parseYaml(workflowYaml);
  } catch {
    return {};
  }
  const parsed = WorkflowJobs.safeParse(doc);
  if (!parsed.success) return {};
  return Object.fromEntries(
    Object.entries(parsed.data.jobs).map(([id, job]) => [id, typeof job?.name === 'string' && !job.name.includes('${{') ? job.name : id]),
  );
}

/** Where a workflow given by file name lives; null for a numeric workflow id (its path is only known from a run). */
export function workflowPathOf(workflow: string | number): string | null {
  const w = String(workflow);
  return /^\d+$/.test(w) ? null : w.includes('/') ? w : `.github/workflows/${w}`;
}
