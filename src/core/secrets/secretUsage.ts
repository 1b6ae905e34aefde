import { parse as parseYaml } from 'yaml';

export interface SecretUse {
  jobId: string;
  /** The job's display name, or its id. */
  jobName: string;
  /** Names (or `step N`, counting from 1) of the steps that reference it. */
  steps: string[];
  /** Referenced in the job's or the workflow's `env`, which every step of the job sees. */
  viaEnv: boolean;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** GitHub's secret names: letters, digits and underscores, not starting with a digit. */
const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Every string in a parsed YAML value (map values, not keys). Anchors can make cycles, hence `seen`. */
function strings(v: unknown, out: string[] = [], seen = new Set<object>()): string[] {
  if (typeof v === 'string') out.push(v);
  else if (typeof v === 'object' && v !== null && !seen.has(v)) {
    seen.add(v);
    for (const x of Array.isArray(v) ? v : Object.values(v)) strings(x, out, seen);
  }
  return out;
}

/**
 * Whether an expression reads the secret: `secrets.NAME` or `secrets['NAME']` (names
 * are case-insensitive on GitHub, as are context names), or the whole context at once
 * (`toJSON(secrets)`, `secrets[matrix.name]`), which may include it.
 */
function expressionReads(expr: string, name: string): boolean {
  const direct = new RegExp(`(?<![\\w.-])secrets\\s*(?:\\.\\s*${name}(?![\\w-])|\\[\\s*(['"])${name}\\1\\s*\\])`, 'i');
  const whole = /(?<![\w.-])secrets(?![\w-])(?!\s*\.)(?!\s*\[\s*['"])/i;
  return direct.test(expr) || whole.test(expr);
}

const EXPRESSION = /\$\{\{([\s\S]*?)\}\}/g;

/**
 * Whether any string under `value` reads the secret in a `${{ }}` expression. A string
 * outside one is text (a shell script saying "secrets.X" reads nothing), except in
 * `if:`, where GitHub takes the bare string as an expression.
 */
function reads(value: unknown, name: string, bareExpression = false): boolean {
  return strings(value).some((s) => {
    if (bareExpression && !s.includes('${{')) return expressionReads(s, name);
    return [...s.matchAll(EXPRESSION)].some((m) => expressionReads(m[1] ?? '', name));
  });
}

/** A job or step, its `if` read as an expression and everything else as text with `${{ }}` in it. */
function readsIn(node: Obj, name: string, skip: readonly string[] = []): boolean {
  return Object.entries(node).some(([k, v]) => !skip.includes(k) && reads(v, name, k === 'if'));
}

/** A step's `name`, or `step N` (from 1) for an unnamed one. */
function label(step: Obj, i: number): string {
  const name = typeof step.name === 'string' || typeof step.name === 'number' ? String(step.name).trim() : '';
  return name || `step ${i + 1}`;
}

/**
 * Which jobs of a workflow use a secret, so approvers see what stops working without
 * it: jobs reading it in their own settings (`env`, `if`, `with`, `secrets`,
 * `container` credentials, …) or in a step, jobs seeing it through the workflow's
 * `env`, and reusable-workflow calls with `secrets: inherit`, which pass every secret.
 * YAML that does not parse uses nothing.
 */
export function secretUsage(workflowYaml: string, secretName: string): SecretUse[] {
  if (!SECRET_NAME.test(secretName)) return [];
  let doc: unknown;
  try {
    // logLevel 'error': parse errors still throw, warnings are not printed.
    doc = parseYaml(workflowYaml, { logLevel: 'error' });
  } catch {
    return [];
  }
  if (!isObj(doc) || !isObj(doc.jobs)) return [];
  const workflowEnv = reads(doc.env, secretName);
  const uses: SecretUse[] = [];
  for (const [jobId, job] of Object.entries(doc.jobs)) {
    if (!isObj(job)) continue;
    const jobName = typeof job.name === 'string' && job.name.trim() ? job.name.trim() : jobId;
    const stepList: unknown[] = Array.isArray(job.steps) ? job.steps : [];
    const steps = stepList.flatMap((s, i) => (isObj(s) && readsIn(s, secretName) ? [label(s, i)] : []));
    // A called workflow does not see the caller's env; only jobs with steps do.
    const viaEnv = reads(job.env, secretName) || (workflowEnv && typeof job.uses !== 'string');
    const inherits = typeof job.uses === 'string' && job.secrets === 'inherit';
    if (viaEnv || inherits || steps.length > 0 || readsIn(job, secretName, ['steps'])) uses.push({ jobId, jobName, steps, viaEnv });
  }
  return uses;
}

/**
 * One plain-text line per job (the caller escapes it for Slack) saying what fails
 * once the secret is gone, e.g. "Sync to GitHub Enterprise (publish.yml) will fail
 * until a new GHE_TOKEN is set."
 */
export function describeImpact(uses: ReadonlyArray<SecretUse & { workflow: string }>, secretName: string): string[] {
  return [...new Set(uses.map((u) => `${u.jobName} (${u.workflow}) will fail until a new ${secretName} is set.`))];
}
