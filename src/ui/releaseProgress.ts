import type { Conclusion } from '../core/ports.js';
import type { JobProgress, JobState, ProgressEntry, ReleaseProgressState } from '../core/release/progressState.js';
import { code, context, divider, fitMessage, link, LIMITS, mrkdwnEscape as esc, section, truncate, type KnownBlock } from './blocks.js';
import { duration } from './format.js';
import { FINISHED_JOB_LABEL } from './jobStates.js';

/**
 * The /release progress message (one per release, updated in place) and the thread reply
 * for a failed job. Nothing here depends on the time of the poll, so an unchanged run
 * renders the same message and the caller can skip `chat.update`.
 */

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Longest job name shown; GitHub allows much longer, and 200 of them must fit one message. */
const JOB_NAME_MAX = 100;

const JOB_STATE: Record<JobState, [emoji: string, label: string]> = {
  queued: [':clock3:', 'queued'],
  running: [':hourglass_flowing_sand:', 'running'],
  waiting_approval: [':raised_hand:', 'waiting for approval'],
  ...FINISHED_JOB_LABEL,
};

const RUN_END: Partial<Record<Conclusion, [emoji: string, label: string]>> = {
  success: [':white_check_mark:', 'Released'],
  failure: [':x:', 'Failed'],
  startup_failure: [':x:', 'Failed to start'],
  timed_out: [':x:', 'Timed out'],
  cancelled: [':no_entry_sign:', 'Cancelled'],
};

function mention(user: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(user) ? `<@${user}>` : esc(user);
}

const jobName = (name: string) => truncate(name.replace(/\s+/g, ' '), JOB_NAME_MAX);

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `Release v1.3.0 of jankins, started by <@U…>` */
function title(s: ReleaseProgressState, mrkdwn: boolean): string {
  const r = s.release;
  return mrkdwn
    ? `:rocket: *Release ${code(r.tag)} of ${esc(r.repoName)}*, started by ${mention(r.startedBy)}`
    : `Release ${esc(r.tag)} of ${esc(r.repoName)}, started by ${mention(r.startedBy)}`;
}

/** `release.yml` rather than GitHub's numeric id, when the file is known. */
function workflowShown(s: ReleaseProgressState): string {
  return s.release.workflowFile ?? s.release.workflow;
}

function took(ms: number | null, word = 'in'): string {
  return ms === null ? '' : ` ${word} ${duration(ms)}`;
}

/** One line saying where the release stands, and a plain-text twin for notifications. */
function status(s: ReleaseProgressState): { mrkdwn: string; plain: string } {
  // The workflow file's count when it could be read; otherwise only what GitHub has shown so far, said as such.
  const count = s.declared
    ? `${s.declared.done} of ${plural(s.declared.total, 'job')} done`
    : `${s.jobsDone} done of the ${plural(s.jobs.length, 'job')} so far`;
  switch (s.phase) {
    case 'dispatched':
      return {
        mrkdwn: `:clock3: *Queued:* waiting for GitHub to start the run of ${code(workflowShown(s))}.`,
        plain: 'queued: waiting for GitHub to start the run',
      };
    case 'queued':
      return { mrkdwn: ':clock3: *Queued:* the run waits for a runner.', plain: 'queued' };
    case 'running':
      return {
        mrkdwn: `:hourglass_flowing_sand: *In progress:* ${count}.`,
        plain: `in progress (${count})`,
      };
    case 'waiting_approval': {
      const who =
        s.waitingJobs.length > 0
          ? s.waitingJobs
              .slice(0, 3)
              .map((n) => `*${esc(jobName(n))}*`)
              .join(', ')
          : 'A job';
      const more = s.waitingJobs.length > 3 ? ` and ${s.waitingJobs.length - 3} more` : '';
      const verb = s.waitingJobs.length > 1 ? 'wait' : 'waits';
      const review = s.runUrl ? ` ${link(s.runUrl, 'Review the deployment')}` : '';
      return {
        mrkdwn: `:raised_hand: *Waiting for approval:* ${who}${more} ${verb} for a required reviewer of its environment.${review}`,
        plain: 'waiting for approval',
      };
    }
    case 'completed': {
      const conclusion = s.run?.conclusion ?? null;
      const [emoji, label] = (conclusion && RUN_END[conclusion]) ?? [':grey_question:', `Ended (${conclusion ?? 'no conclusion'})`];
      const failed = s.jobs.filter((j) => j.state === 'failure' || j.state === 'timed_out').length;
      const failedNote = failed > 0 ? ` ${plural(failed, 'job')} failed: details in the thread.` : '';
      const released = s.releaseUrl ? ` ${link(s.releaseUrl, `GitHub release ${s.release.tag}`)}` : '';
      return {
        mrkdwn: `${emoji} *${label}*${took(s.run?.durationMs ?? null, conclusion === 'success' ? 'in' : 'after')}.${failedNote}${released}`,
        plain: `${label.toLowerCase()}${took(s.run?.durationMs ?? null, conclusion === 'success' ? 'in' : 'after')}`,
      };
    }
  }
}

function links(s: ReleaseProgressState): string {
  const parts: string[] = [];
  if (s.runUrl) {
    const label = s.run ? `Run #${s.run.number}${s.run.attempt > 1 ? ` (attempt ${s.run.attempt})` : ''}` : 'Run';
    parts.push(link(s.runUrl, label));
  }
  if (s.releaseUrl) parts.push(link(s.releaseUrl, 'GitHub release'));
  parts.push(`workflow ${code(workflowShown(s))} on ${code(s.release.tag)} in ${code(s.release.repo)}`);
  return parts.join(' · ');
}

/** `· 1m 2s`, `· failed after 20s`, `· waiting for approval` */
function jobDetail(state: JobState, ms: number | null): string {
  if (state === 'success') return ms === null ? '' : ` · ${duration(ms)}`;
  const label = JOB_STATE[state][1];
  return ms === null ? ` · ${label}` : ` · ${label} after ${duration(ms)}`;
}

function jobLine(job: JobProgress, name: string, indent = ''): string {
  const [emoji] = JOB_STATE[job.state];
  // Links only where someone needs to click, to keep 200 jobs within the message.
  const needsLink = job.url !== null && (job.state === 'failure' || job.state === 'timed_out' || job.state === 'waiting_approval');
  const shown = needsLink && job.url ? link(job.url, jobName(name)) : esc(jobName(name));
  return `${indent}${emoji} ${shown}${jobDetail(job.state, job.durationMs)}`;
}

function entryLines(e: ProgressEntry): string[] {
  if (e.kind === 'job') return [jobLine(e.job, e.job.name)];
  const [emoji] = JOB_STATE[e.state];
  const head = `${emoji} *${esc(jobName(e.name))}*${jobDetail(e.state, e.durationMs)}`;
  return [head, ...e.jobs.map((j) => jobLine(j, j.shortName, '\u2003↳ '))];
}

/** The main message: title, status, links, then the jobs. Kept within Slack's limits for any number of jobs. */
export function renderReleaseProgress(s: ReleaseProgressState): SlackMessage {
  const st = status(s);
  const blocks: KnownBlock[] = [...section(`${title(s, true)}\n${st.mrkdwn}`), context(links(s))];
  if (s.entries.length > 0) {
    blocks.push(divider());
    blocks.push(...section(s.entries.flatMap(entryLines).join('\n')));
  }
  return { text: truncate(`${title(s, false)}: ${st.plain}`, LIMITS.fallbackText), blocks: fitMessage(blocks) };
}

/** The thread reply for one failed job: which step failed, and the link to its log. */
export function renderJobFailure(s: ReleaseProgressState, job: JobProgress): SlackMessage {
  const verb = job.state === 'timed_out' ? 'timed out' : 'failed';
  const step = job.failedStep ? ` at step ${code(job.failedStep)}` : '';
  const url = job.url ?? s.runUrl;
  const open = url ? ` ${link(url, 'Open the job log')}` : '';
  const blocks: KnownBlock[] = section(`:x: ${mention(s.release.startedBy)} the job *${esc(jobName(job.name))}* ${verb}${step}.${open}`);
  if (!job.failedStep) blocks.push(context('No step is marked as failed: the job may have failed to start (runner, permissions or a reusable workflow).'));
  return {
    text: truncate(
      esc(`${job.name} ${verb}${job.failedStep ? ` at step "${job.failedStep}"` : ''} (release ${s.release.tag} of ${s.release.repoName})`),
      LIMITS.fallbackText,
    ),
    blocks: fitMessage(blocks),
  };
}
