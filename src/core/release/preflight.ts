import { parse as parseYaml } from 'yaml';
import type { TagInfo, WorkflowInfo, WorkflowRunInfo } from '../ports.js';

/** What the checks before a release look at, fetched by the service. */
export interface PreflightFacts {
  repo: string;
  tag: string;
  /** The tag on GitHub, or null when it does not exist. */
  tagInfo: TagInfo | null;
  latestTags: string[];
  workflowRef: string | number;
  workflow: WorkflowInfo | null;
  /** The workflow file on the default branch, or null when absent. */
  workflowYaml: string | null;
  /** Runs of the workflow for the tag's commit, newest first. */
  runs: WorkflowRunInfo[];
  /** Releases of this tag that are pending confirmation or under way (from the store). */
  activeRequests: number;
}

export type Preflight = { ok: true; tag: TagInfo; workflow: WorkflowInfo; previousFailure: WorkflowRunInfo | null } | { ok: false; reason: string };

/** Parsing YAML is the costliest step of a /release; the same file (same text) is asked about again and again. */
const dispatchable = new Map<string, boolean>();

/** True when the workflow's `on:` includes workflow_dispatch (bare, with inputs, list or string form). */
export function hasWorkflowDispatch(yaml: string): boolean {
  const known = dispatchable.get(yaml);
  if (known !== undefined) return known;
  const answer = readsWorkflowDispatch(yaml);
  if (dispatchable.size >= 64) dispatchable.delete(dispatchable.keys().next().value as string);
  dispatchable.set(yaml, answer);
  return answer;
}

function readsWorkflowDispatch(yaml: string): boolean {
  let doc: unknown;
  try {
    doc = parseYaml(yaml);
  } catch {
    return false;
  }
  if (!doc || typeof doc !== 'object') return false;
  // YAML 1.1 readers turn a bare `on:` key into `true`; the `yaml` package (1.2) keeps "on".
  const on = (doc as Record<string, unknown>).on ?? (doc as Record<string, unknown>).true;
  if (on === 'workflow_dispatch') return true;
  if (Array.isArray(on)) return on.includes('workflow_dispatch');
  return !!on && typeof on === 'object' && Object.hasOwn(on, 'workflow_dispatch');
}

const code = (s: string) => `\`${s}\``;

/**
 * Every check before anything runs, in the order a person would want them
 * answered. Pure: the service fetched the facts.
 */
export function preflight(f: PreflightFacts): Preflight {
  const wf = String(f.workflowRef);
  if (!f.tagInfo) {
    const latest = f.latestTags.length ? ` Latest tags: ${f.latestTags.map(code).join(', ')}.` : ' The repository has no tags yet.';
    return { ok: false, reason: `Tag ${code(f.tag)} does not exist in ${code(f.repo)}.${latest}` };
  }
  if (!f.workflow) return { ok: false, reason: `The workflow ${code(wf)} does not exist in ${code(f.repo)}. Check \`release.workflow\` in the configuration.` };
  if (f.workflow.state !== 'active') {
    return {
      ok: false,
      reason: `The workflow ${code(f.workflow.path)} is disabled (${f.workflow.state.replace(/_/g, ' ')}). Enable it on the Actions tab (${f.workflow.htmlUrl}) first.`,
    };
  }
  if (f.workflowYaml !== null && !hasWorkflowDispatch(f.workflowYaml)) {
    return {
      ok: false,
      reason: `${code(f.workflow.path)} cannot be started by hand: its \`on:\` has no \`workflow_dispatch\` trigger. Add it to the workflow on the default branch:\n\`\`\`\non:\n  push:\n    tags: ['v*']\n  workflow_dispatch:\n\`\`\``,
    };
  }
  if (f.workflowYaml === null) return { ok: false, reason: `${code(f.workflow.path)} is not on the default branch, so GitHub cannot dispatch it.` };
  const live = f.runs.find((r) => r.status !== 'completed');
  if (live) return { ok: false, reason: `A run of ${code(f.workflow.path)} for ${code(f.tag)} is already ${live.status.replace('_', ' ')}: ${live.htmlUrl}` };
  const succeeded = f.runs.find((r) => r.conclusion === 'success');
  if (succeeded) return { ok: false, reason: `${code(f.tag)} was already released by ${succeeded.htmlUrl} (succeeded).` };
  if (f.activeRequests > 0) return { ok: false, reason: `A release of ${code(f.tag)} is already waiting for confirmation or under way.` };
  const previousFailure = f.runs.find((r) => r.conclusion !== null && r.conclusion !== 'success') ?? null;
  return { ok: true, tag: f.tagInfo, workflow: f.workflow, previousFailure };
}
