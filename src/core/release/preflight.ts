import { parse as parseYaml } from 'yaml';
import type { TagInfo, WorkflowInfo, WorkflowRunInfo } from '../ports.js';
import type { ReleaseRefusal } from '../refusal.js';

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

export type Preflight = { ok: true; tag: TagInfo; workflow: WorkflowInfo; previousFailure: WorkflowRunInfo | null } | { ok: false; refusal: ReleaseRefusal };

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

/**
 * Every check before anything runs, in the order a person would want them
 * answered. Pure: the service fetched the facts.
 */
export function preflight(f: PreflightFacts): Preflight {
  const refuse = (refusal: ReleaseRefusal): Preflight => ({ ok: false, refusal });
  if (!f.tagInfo) return refuse({ code: 'release_tag_missing', tag: f.tag, repo: f.repo, latestTags: f.latestTags });
  if (!f.workflow) return refuse({ code: 'release_workflow_missing', workflow: String(f.workflowRef), repo: f.repo });
  const path = f.workflow.path;
  if (f.workflow.state !== 'active') return refuse({ code: 'release_workflow_disabled', path, state: f.workflow.state, htmlUrl: f.workflow.htmlUrl });
  if (f.workflowYaml !== null && !hasWorkflowDispatch(f.workflowYaml)) return refuse({ code: 'release_workflow_no_dispatch', path });
  if (f.workflowYaml === null) return refuse({ code: 'release_workflow_not_on_default', path });
  const live = f.runs.find((r) => r.status !== 'completed');
  if (live) return refuse({ code: 'release_run_live', path, tag: f.tag, status: live.status, htmlUrl: live.htmlUrl });
  const succeeded = f.runs.find((r) => r.conclusion === 'success');
  if (succeeded) return refuse({ code: 'release_done', tag: f.tag, htmlUrl: succeeded.htmlUrl });
  if (f.activeRequests > 0) return refuse({ code: 'release_pending', tag: f.tag });
  const previousFailure = f.runs.find((r) => r.conclusion !== null && r.conclusion !== 'success') ?? null;
  return { ok: true, tag: f.tagInfo, workflow: f.workflow, previousFailure };
}
