import type { JobRec, RunRec, StepRec } from './state.js';
import type { JobDef, StepDef } from './workflowModel.js';

/**
 * A job's log in the format the Actions log download serves: one line per output
 * line, each prefixed with a 100 ns-precision timestamp, `##[group]`/`##[endgroup]`
 * around each step's header and `##[error]` for the failure.
 */

const ESC = '\u001b';

/** `2026-01-27T10:00:01.1234567Z`: GitHub's 100 ns log timestamps. */
function stamp(ms: number, n: number): string {
  const d = new Date(ms);
  const frac = String(d.getUTCMilliseconds()).padStart(3, '0') + String((n * 7919) % 10000).padStart(4, '0');
  return `${d.toISOString().slice(0, 19)}.${frac}Z`;
}

const HAS_STAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z /;

function envBlock(env: Record<string, string> | undefined): string[] {
  if (!env || Object.keys(env).length === 0) return [];
  // The runner masks anything that came from a secret.
  return ['env:', ...Object.entries(env).map(([k, v]) => `  ${k}: ${/secrets\./.test(v) ? '***' : v}`)];
}

function setUpJob(job: JobRec, def: JobDef): string[] {
  const actions = [...new Set(def.steps.filter((s) => s.uses && !s.name.startsWith('Post ')).map((s) => s.uses as string))];
  return [
    `Current runner version: '2.331.0'`,
    `Runner name: '${job.runnerName ?? 'GitHub Actions 1'}'`,
    `Machine name: 'runnervm${(job.runnerId ?? 1).toString(36)}'`,
    '##[group]Operating System',
    'Ubuntu',
    '24.04.3',
    'LTS',
    '##[endgroup]',
    '##[group]Runner Image',
    'Image: ubuntu-24.04',
    'Version: 20260119.1.0',
    '##[endgroup]',
    '##[group]GITHUB_TOKEN Permissions',
    'Contents: read',
    'Metadata: read',
    '##[endgroup]',
    'Secret source: Actions',
    'Prepare workflow directory',
    'Prepare all required actions',
    'Getting action download info',
    ...actions.map((a) => `Download action repository '${a}' (SHA:${'0123456789abcdef'.repeat(3).slice(0, 40)})`),
    `Complete job name: ${job.name}`,
  ];
}

function stepHeader(def: StepDef): string[] {
  if (def.uses) {
    const w = def.with ? ['with:', ...Object.entries(def.with).map(([k, v]) => `  ${k}: ${v}`)] : [];
    return [`##[group]Run ${def.uses}`, ...w, ...envBlock(def.env), '##[endgroup]'];
  }
  const script = (def.run ?? '').replace(/\n$/, '').split('\n');
  return [
    `##[group]Run ${(script.find((l) => l.trim()) ?? '').trim()}`,
    ...script.map((l) => `${ESC}[36;1m${l}${ESC}[0m`),
    `shell: /usr/bin/bash -e {0}`,
    ...envBlock(def.env),
    '##[endgroup]',
  ];
}

/** What a successful `run:` step plausibly printed: its `echo "…"` lines. */
function successOutput(def: StepDef): string[] {
  const out: string[] = [];
  for (const line of (def.run ?? '').split('\n')) {
    const m = /^\s*echo\s+(["'])(.*)\1\s*$/.exec(line);
    if (m?.[2] !== undefined) out.push(m[2]);
  }
  return out;
}

function failureOutput(job: JobRec): string[] {
  const given = (job.failureOutput ?? '').replace(/\n$/, '');
  const lines = given ? given.split('\n') : [];
  if (!lines.some((l) => l.includes('##[error]'))) {
    // git exits 128 on `fatal:`; other commands usually 1.
    const code = lines.some((l) => /\bfatal:/.test(l)) ? 128 : 1;
    lines.push(`##[error]Process completed with exit code ${code}.`);
  }
  return lines;
}

function stepLines(job: JobRec, def: JobDef, step: StepRec, stepDef: StepDef | undefined): string[] {
  if (step.name === 'Set up job') return setUpJob(job, def);
  if (step.name === 'Complete job') return ['Cleaning up orphan processes'];
  if (step.name.startsWith('Post ')) return ['Post job cleanup.'];
  const header = stepDef ? stepHeader(stepDef) : [`##[group]Run ${step.name}`, '##[endgroup]'];
  if (step.conclusion === 'failure') return [...header, ...failureOutput(job)];
  if (step.conclusion === 'cancelled') return [...header, '##[error]The operation was canceled.'];
  return [...header, ...(stepDef ? successOutput(stepDef) : [])];
}

export function renderJobLog(_run: RunRec, job: JobRec, def: JobDef): string {
  const out: string[] = [];
  // Lines are stamped from their step's start onwards and never go back in time.
  let cursor = 0;
  let n = 0;
  for (const step of job.steps) {
    if (step.status !== 'completed' || step.conclusion === 'skipped' || !step.startedAt) continue;
    cursor = Math.max(cursor, new Date(step.startedAt).getTime());
    for (const line of stepLines(job, def, step, def.steps[step.number - 1])) {
      n += 1;
      cursor += 3 + ((n * 37) % 41);
      out.push(HAS_STAMP.test(line) ? line : `${stamp(cursor, n)} ${line}`);
    }
  }
  return `\uFEFF${out.join('\n')}\n`;
}
