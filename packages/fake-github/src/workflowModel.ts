import { parse } from 'yaml';

/**
 * What the fake needs to know about a workflow file to behave like Actions: its
 * triggers, and the jobs and steps a run of it shows (named the way GitHub names them).
 */
export interface StepDef {
  /** Name as the jobs API shows it. */
  name: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}

export interface JobDef {
  key: string;
  /** Display name: `name:` or the job key; `<name> / <called workflow>` for a reusable-workflow job. */
  name: string;
  needs: string[];
  /** Raw `if:` of the job, if any. */
  condition?: string;
  environment?: string;
  /** Steps as listed by the jobs API, including 'Set up job' and 'Complete job'. */
  steps: StepDef[];
}

export interface DispatchInputDef {
  required: boolean;
  default?: string;
}

export interface WorkflowDef {
  name: string;
  runName?: string;
  triggers: string[];
  /** Inputs of `workflow_dispatch`, or null when the workflow cannot be dispatched. */
  dispatch: Record<string, DispatchInputDef> | null;
  jobs: JobDef[];
}

type Yaml = Record<string, unknown>;

const isRecord = (v: unknown): v is Yaml => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringRecord(v: unknown): Record<string, string> | undefined {
  if (!isRecord(v)) return undefined;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}

/** GitHub's name for an unnamed step: `Run <uses>` or `Run <first line of the script>`. */
export function stepDisplayName(step: { name?: unknown; run?: unknown; uses?: unknown }): string {
  if (typeof step.name === 'string' && step.name.trim()) return step.name;
  if (typeof step.uses === 'string') return `Run ${step.uses}`;
  const firstLine =
    String(step.run ?? '')
      .split('\n')
      .find((l) => l.trim() !== '') ?? '';
  return `Run ${firstLine.trim()}`;
}

/** Actions whose post step shows up in the jobs list ("Post Checkout repository"). */
const ACTIONS_WITH_POST = [/^actions\/checkout@/, /^actions\/setup-python@/];

function parseSteps(raw: unknown): StepDef[] {
  const steps: StepDef[] = [{ name: 'Set up job' }];
  const posts: StepDef[] = [];
  for (const s of Array.isArray(raw) ? raw : []) {
    if (!isRecord(s)) continue;
    const step: StepDef = { name: stepDisplayName(s) };
    if (typeof s.run === 'string') step.run = s.run;
    if (typeof s.uses === 'string') step.uses = s.uses;
    const env = stringRecord(s.env);
    if (env) step.env = env;
    const w = stringRecord(s.with);
    if (w) step.with = w;
    steps.push(step);
    const uses = step.uses;
    if (uses && ACTIONS_WITH_POST.some((re) => re.test(uses))) posts.unshift({ name: `Post ${step.name}`, uses });
  }
  return [...steps, ...posts, { name: 'Complete job' }];
}

function triggersOf(on: unknown): { triggers: string[]; dispatch: WorkflowDef['dispatch'] } {
  if (typeof on === 'string') return { triggers: [on], dispatch: on === 'workflow_dispatch' ? {} : null };
  if (Array.isArray(on)) {
    const triggers = on.map(String);
    return { triggers, dispatch: triggers.includes('workflow_dispatch') ? {} : null };
  }
  if (!isRecord(on)) return { triggers: [], dispatch: null };
  const triggers = Object.keys(on);
  if (!('workflow_dispatch' in on)) return { triggers, dispatch: null };
  const wd = on.workflow_dispatch;
  const inputs = isRecord(wd) && isRecord(wd.inputs) ? wd.inputs : {};
  const dispatch: Record<string, DispatchInputDef> = {};
  for (const [k, v] of Object.entries(inputs)) {
    const def: DispatchInputDef = { required: isRecord(v) && v.required === true };
    if (isRecord(v) && v.default !== undefined) def.default = String(v.default);
    dispatch[k] = def;
  }
  return { triggers, dispatch };
}

function parseJob(key: string, raw: Yaml): JobDef {
  const displayName = typeof raw.name === 'string' ? raw.name : key;
  const needs = typeof raw.needs === 'string' ? [raw.needs] : Array.isArray(raw.needs) ? raw.needs.map(String) : [];
  const job: JobDef = { key, name: displayName, needs, steps: [] };
  if (raw.if !== undefined) job.condition = String(raw.if);
  if (typeof raw.environment === 'string') job.environment = raw.environment;
  else if (isRecord(raw.environment) && typeof raw.environment.name === 'string') job.environment = raw.environment.name;
  if (typeof raw.uses === 'string') {
    // A reusable workflow expands into the called workflow's jobs; the fake shows one.
    const called =
      (raw.uses.split('@')[0] ?? raw.uses)
        .split('/')
        .pop()
        ?.replace(/\.ya?ml$/, '') ?? 'workflow';
    job.name = `${displayName} / ${called}`;
    job.steps = [{ name: 'Set up job' }, { name: `Run ${raw.uses}`, uses: raw.uses }, { name: 'Complete job' }];
  } else {
    job.steps = parseSteps(raw.steps);
  }
  return job;
}

export function parseWorkflow(yamlText: string, path: string): WorkflowDef {
  const doc: unknown = parse(yamlText);
  if (!isRecord(doc)) throw new Error(`${path}: not a workflow (expected a mapping)`);
  const { triggers, dispatch } = triggersOf(doc.on);
  const jobs = isRecord(doc.jobs)
    ? Object.entries(doc.jobs)
        .filter(([, v]) => isRecord(v))
        .map(([k, v]) => parseJob(k, v as Yaml))
    : [];
  const def: WorkflowDef = { name: typeof doc.name === 'string' ? doc.name : path, triggers, dispatch, jobs };
  if (typeof doc['run-name'] === 'string') def.runName = doc['run-name'];
  return def;
}

/**
 * Whether a job runs once its needs are settled, from the common forms of `if:`
 * (`success()` is the implicit default; anything more elaborate is assumed true).
 */
export function jobShouldRun(condition: string | undefined, needResults: string[]): boolean {
  const allSucceeded = needResults.every((r) => r === 'success');
  const c = (condition ?? '').replace(/^\$\{\{\s*|\s*\}\}$/g, '');
  if (/\balways\(\)/.test(c)) return true;
  if (/!\s*cancelled\(\)/.test(c)) return !needResults.includes('cancelled');
  if (/\bfailure\(\)/.test(c)) return needResults.some((r) => r === 'failure');
  if (/\bcancelled\(\)/.test(c)) return needResults.some((r) => r === 'cancelled');
  return allSucceeded;
}
