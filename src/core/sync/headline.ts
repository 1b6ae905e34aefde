import { driftSummary } from './compareRefs.js';
import type { Headline, MirrorPart, RunPart, SecretsPart } from './reportSchema.js';

/**
 * The one line that answers "is the mirror in sync, and if not, why": the sync job's
 * failure first (it explains the drift), then the drift, then the secrets.
 */

interface HeadlineInput {
  repoName: string;
  workflow: string;
  job: string;
  run: RunPart;
  mirrorCheck: MirrorPart;
  secrets: SecretsPart;
}

function mirrorState(m: MirrorPart): { drift: string | null; unreachable: string | null; partial: string } {
  if (!m.github.reachable) return { drift: null, unreachable: `GitHub unreachable: ${m.github.reason}`, partial: '' };
  if (!m.mirror.reachable) return { drift: null, unreachable: `GHE unreachable: ${m.mirror.reason}`, partial: '' };
  const c = m.comparison;
  if (!c) return { drift: null, unreachable: null, partial: '' };
  const summary = driftSummary(c, m.github.defaultBranch);
  const drift = summary ? `GHE mirror is ${c.missingOnMirror.total > 0 ? 'behind' : 'out of sync'} (${summary})` : null;
  const covered = Math.min(m.github.returnedTags, m.mirror.returnedTags);
  return { drift, unreachable: null, partial: c.partial ? ` (as far as the first ${covered} tags show)` : '' };
}

const list = (names: string[]) => names.map((n) => `\`${n}\``).join(', ');

/** What stopped the sync, as each earlier job ended: a cancelled build did not fail. */
const ENDED: Record<string, string> = { failure: 'failed', cancelled: 'was cancelled', timed_out: 'timed out', startup_failure: 'failed to start' };
function upstreamOutcome(jobs: readonly { name: string; conclusion: string | null }[]): string {
  const groups = new Map<string, string[]>();
  for (const j of jobs) {
    const ended = ENDED[j.conclusion ?? ''] ?? 'did not succeed';
    groups.set(ended, [...(groups.get(ended) ?? []), j.name]);
  }
  return [...groups].map(([ended, names]) => `${list(names)} ${names.length > 1 ? ended.replace(/^was /, 'were ') : ended}`).join('; ');
}

export function buildHeadline(h: HeadlineInput): Headline {
  const wf = `\`${h.workflow}\``;
  const m = mirrorState(h.mirrorCheck);
  const withDrift = (text: string) => (m.drift ? `${text}; ${m.drift}` : text);
  const r = h.run;
  switch (r.kind) {
    case 'unavailable':
      return { level: 'unknown', text: withDrift(`could not read the runs of ${wf}: ${r.reason}`) };
    case 'never_ran':
      return { level: m.drift ? 'warning' : 'unknown', text: withDrift(`${wf} has never run`) };
    case 'jobs_unavailable':
      return { level: 'unknown', text: withDrift(`could not read the jobs of the last ${wf} run: ${r.reason}`) };
    case 'job_pending':
      return { level: 'running', text: withDrift(`the last ${wf} run is in progress; the sync job has not started yet`) };
    case 'job_missing':
      return { level: 'warning', text: withDrift(`sync job \`${h.job}\` is not in the last run of ${wf}`) };
    case 'found':
      break;
  }
  const { job, failure, skipped } = r;
  switch (job.state) {
    case 'failure': {
      const d = failure?.diagnosis;
      const step = failure?.failedStep ? ` at step \`${failure.failedStep.name}\`` : '';
      const why = d && d.kind !== 'other' ? `: ${d.label}` : step;
      return { level: 'error', text: withDrift(`last sync failed${why}`) };
    }
    case 'timed_out':
      return { level: 'error', text: withDrift('last sync timed out') };
    case 'cancelled':
      return { level: 'warning', text: withDrift('last sync was cancelled') };
    case 'skipped': {
      let why = '';
      if (skipped && skipped.upstream.length > 0) why = `: ${upstreamOutcome(skipped.upstream)}`;
      else if (skipped?.secretCheck?.readable && skipped.secretCheck.missing.length > 0) {
        const missing = skipped.secretCheck.missing;
        why = `: secret ${list(missing)} ${missing.length === 1 ? 'is' : 'are'} missing`;
      }
      return { level: 'warning', text: withDrift(`last sync was skipped${why}`) };
    }
    case 'in_progress':
      return { level: 'running', text: 'sync is running' };
    case 'queued':
      return { level: 'running', text: 'sync is queued' };
    case 'waiting':
      return { level: 'running', text: 'sync is waiting (for an approval or a concurrency slot)' };
    case 'other':
      return { level: 'unknown', text: withDrift(`last sync ended as \`${job.conclusion ?? 'unknown'}\``) };
    case 'success':
      break;
  }
  if (m.unreachable) return { level: 'unknown', text: `last sync succeeded, but ${m.unreachable}` };
  if (m.drift) return { level: 'warning', text: m.drift };
  const partial = m.partial;
  const secrets = h.secrets.items;
  const bad = secrets.filter((s) => s.state === 'missing' || s.state === 'overdue');
  if (bad.length > 0) {
    const missing = bad.filter((s) => s.state === 'missing').map((s) => s.name);
    const overdue = bad.filter((s) => s.state === 'overdue').map((s) => s.name);
    const problems = [
      missing.length ? `${list(missing)} ${missing.length === 1 ? 'is' : 'are'} missing` : '',
      overdue.length ? `${list(overdue)} ${overdue.length === 1 ? 'is' : 'are'} overdue for rotation` : '',
    ].filter(Boolean);
    return { level: 'warning', text: `${h.repoName} is in sync${partial}, but ${problems.join(' and ')}` };
  }
  const soon = secrets.filter((s) => s.state === 'due_soon');
  const note = soon.length > 0 ? ` (${list(soon.map((s) => s.name))} due for rotation soon)` : '';
  return { level: 'ok', text: `${h.repoName} is in sync${partial}${note}` };
}
