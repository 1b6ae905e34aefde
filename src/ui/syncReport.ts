import { hostName } from '../core/sync/hosts.js';
import type {
  FailureDetail,
  HeadlineLevel,
  JobState,
  JobSummary,
  MirrorPart,
  RunPart,
  RunSummary,
  SecretStatus,
  SecretsPart,
  SkipDetail,
  SyncReport,
} from '../core/sync/reportSchema.js';
import {
  actions,
  button,
  code,
  codeBlock,
  context,
  divider,
  fields,
  fitMessage,
  header,
  link,
  LIMITS,
  mrkdwnEscape as esc,
  section,
  truncate,
  type KnownBlock,
} from './blocks.js';
import { duration, shortSha, slackDate } from './format.js';
import { FINISHED_JOB_LABEL } from './jobStates.js';

/** How many tags (or jobs) a list shows before "… and N more". */
export const LIST_SHOWN = 15;

export interface RenderSyncReportOptions {
  shareButton?: { actionId: string; value: string };
  /** Slack user id of who shared the report in a channel. */
  sharedBy?: string;
}

const LEVEL_EMOJI: Record<HeadlineLevel, string> = {
  ok: ':white_check_mark:',
  running: ':hourglass_flowing_sand:',
  warning: ':warning:',
  error: ':x:',
  unknown: ':grey_question:',
};

const JOB_STATE: Record<JobState, [emoji: string, label: string]> = {
  ...FINISHED_JOB_LABEL,
  in_progress: [':hourglass_flowing_sand:', 'in progress'],
  queued: [':clock3:', 'queued'],
  waiting: [':clock3:', 'waiting'],
};

const KIND_LABEL: Record<SecretStatus['kind'], string> = {
  'classic-pat': 'classic PAT',
  'fine-grained-pat': 'fine-grained PAT',
  'deploy-key': 'deploy key',
};

/**
 * Text written by the core (headline, advice) is plain text in which backticks mark code:
 * escape it, but keep the backticks.
 */
const prose = (s: string) => esc(s);

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `a`, `b`, `c` … and 12 more */
function codeList(items: readonly string[], total: number): string {
  const shown = items.slice(0, LIST_SHOWN);
  const more = total - shown.length;
  return `${shown.map(code).join(', ')}${more > 0 ? ` … and ${more} more` : ''}`;
}

function bullets(lines: readonly string[]): string {
  return lines.map((l) => `• ${l}`).join('\n');
}

function userMention(id: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(id) ? `<@${id}>` : esc(id);
}

// ---- last run ---------------------------------------------------------------------------

function runLine(workflow: string, run: RunSummary): string {
  const attempt = run.attempt > 1 ? ` (attempt ${run.attempt})` : '';
  return `*Last run of ${code(workflow)}:* ${link(run.url, `${run.name} #${run.number}`)}${attempt}`;
}

function refField(run: RunSummary): string {
  const ref = run.headBranch ? `${code(run.headBranch)} at ` : '';
  return `*Ran for*\n${ref}${link(run.commitUrl, shortSha(run.headSha))}`;
}

function timeFields(job: JobSummary, run: RunSummary): string[] {
  const started = job.startedAt ?? run.startedAt ?? run.createdAt;
  const out = [`*Started*\n${slackDate(started)}`];
  if (job.durationMs !== null) out.push(`*Took*\n${duration(job.durationMs)}`);
  else if (job.elapsedMs !== null) {
    const verb = job.state === 'in_progress' ? 'Running for' : 'Waiting for';
    out.push(`*${verb}*\n${duration(job.elapsedMs, { coarse: true })}`);
  }
  return out;
}

function failureText(f: FailureDetail): string {
  const parts: string[] = [];
  parts.push(f.failedStep ? `*Failed step:* ${code(f.failedStep.name)}` : '*Failed step:* none is marked as failed');
  const d = f.diagnosis;
  if (d) {
    parts.push(`*Diagnosis:* ${prose(d.label)}`);
    const excerpt = d.kind === 'other' ? [...d.context, ...(d.evidence !== null ? [d.evidence] : [])] : d.evidence !== null ? [d.evidence] : [];
    if (excerpt.length > 0) parts.push(codeBlock(excerpt));
    if (d.advice.length > 0) parts.push(bullets(d.advice.map(prose)));
  } else if (f.logProblem) {
    parts.push(`:grey_question: No diagnosis: ${esc(f.logProblem)}. Open the job for its log.`);
  }
  return parts.join('\n');
}

function skippedText(s: SkipDetail, report: SyncReport, run: RunSummary): string {
  if (s.upstream.length > 0) {
    return [
      '*Skipped because an earlier job did not succeed:*',
      bullets(s.upstream.map((j) => `${link(j.url, j.name)} (${esc(j.conclusion ?? 'unknown')})`)),
      'The sync only runs after a successful publish: fix that job, then re-run the workflow.',
    ].join('\n');
  }
  const check = s.secretCheck;
  if (!check || check.checked.length === 0) {
    return 'No earlier job failed, and no secret is configured for this repository to check. Verify that the secret the job uses exists (exact name).';
  }
  const names = check.checked.map(code).join(', ');
  if (!check.readable) {
    return `No earlier job failed. Could not read the repository's secrets (${esc(check.reason)}): verify that ${names} exists (exact name).`;
  }
  if (check.missing.length > 0) {
    const missing = check.missing.map(code).join(', ');
    return `No earlier job failed, but ${missing} ${check.missing.length === 1 ? 'is' : 'are'} missing on ${esc(report.repo.github)}. Verify the ${missing} secret exists (exact name), e.g. with \`/rotate ${esc(report.repo.name)} ${esc(check.missing[0] ?? '')}\`.`;
  }
  const why = run.headBranch ? ` (event ${code(run.event)} on ${code(run.headBranch)})` : ` (event ${code(run.event)})`;
  return `No earlier job failed and ${names} exists: the job's \`if:\` condition was false for this run${why}.`;
}

function runBlocks(report: SyncReport, r: RunPart): KnownBlock[] {
  const wf = report.workflow;
  switch (r.kind) {
    case 'unavailable':
      return section(`*Last run of ${code(wf)}*\n:grey_question: Could not read the workflow's runs: ${esc(r.reason)}`);
    case 'never_ran':
      return section(`*Last run of ${code(wf)}*\nThe workflow has never run, so it has never synced the mirror.`);
    case 'jobs_unavailable':
      return section(`${runLine(wf, r.run)}\n:grey_question: Could not read the run's jobs: ${esc(r.reason)}`);
    case 'job_pending': {
      const lines = r.jobs.map((j) => `${link(j.url, j.name)}: ${esc(j.conclusion ?? j.status.replace('_', ' '))}`);
      return section(
        [
          runLine(wf, r.run),
          `:hourglass_flowing_sand: The run is in progress. ${code(report.job)} starts when the jobs it needs have succeeded.`,
          lines.length > 0 ? `*Jobs so far:*\n${bullets(lines)}` : '',
        ]
          .filter(Boolean)
          .join('\n'),
      );
    }
    case 'job_missing': {
      const shown = r.jobNames.slice(0, LIST_SHOWN);
      const more = r.totalJobs - shown.length;
      const list = shown.length > 0 ? bullets(shown.map(code)) + (more > 0 ? `\n… and ${more} more` : '') : '_none_';
      return section(
        [
          runLine(wf, r.run),
          `:warning: No job matching ${code(report.job)} is in this run. The workflow may have changed, or \`sync.job\` in the configuration is wrong: it must be the job's display name (its \`name:\`), or its id when it has no \`name:\`.`,
          `*Jobs in this run:*\n${list}`,
        ].join('\n'),
      );
    }
    case 'found': {
      const { run, job } = r;
      const [emoji, label] = JOB_STATE[job.state];
      const stateText = job.state === 'other' ? `${label} as ${code(job.conclusion ?? 'unknown')}` : label;
      const blocks: KnownBlock[] = [
        ...fields([`*Sync job*\n${emoji} ${link(job.url, job.name)} ${stateText}`, refField(run), ...timeFields(job, run)], {
          text: runLine(wf, run),
        }),
      ];
      if (r.failure) blocks.push(...section(failureText(r.failure)));
      if (r.skipped) blocks.push(...section(skippedText(r.skipped, report, run)));
      if (job.state === 'cancelled') {
        blocks.push(...section('The job was cancelled: by someone, by a newer run in the same concurrency group, or by a timeout.'));
      }
      return blocks;
    }
  }
}

// ---- mirror -------------------------------------------------------------------------------

function headField(label: string, side: MirrorPart['github']): string {
  if (!side.reachable) return `*${label}*\n:grey_question: unreachable`;
  const head = side.headSha && side.headUrl ? link(side.headUrl, shortSha(side.headSha)) : '_no commits_';
  return `*${label} ${code(side.defaultBranch)}*\n${head}`;
}

function mirrorBlocks(report: SyncReport): KnownBlock[] {
  const m = report.mirrorCheck;
  const title = `*Mirror check:* ${link(report.repo.webUrl, report.repo.github)} → ${link(report.mirror.webUrl, report.mirror.repo)}`;
  const lines: string[] = [];
  if (!m.github.reachable) lines.push(`:grey_question: GitHub unreachable: ${esc(m.github.reason)}`);
  if (!m.mirror.reachable) lines.push(`:grey_question: GHE unreachable: ${esc(m.mirror.reason)}`);
  const c = m.comparison;
  const headFields = [headField('GitHub', m.github), headField('GHE', m.mirror)];
  if (c) headFields.push(`*Default branch*\n${c.headEqual ? ':white_check_mark: same commit' : ':x: differs'}`);
  const blocks: KnownBlock[] = [...fields(headFields, { text: title })];
  if (c && m.github.reachable && m.mirror.reachable) {
    if (m.github.defaultBranch !== m.mirror.defaultBranch) {
      lines.push(`:information_source: The default branches differ: ${code(m.github.defaultBranch)} on GitHub, ${code(m.mirror.defaultBranch)} on GHE.`);
    }
    if (c.missingOnMirror.total === 0 && c.differing.total === 0) {
      lines.push(`:white_check_mark: Every tag on GitHub is on GHE, at the same commit (${plural(m.github.returnedTags, 'tag')} compared).`);
    }
    if (c.missingOnMirror.total > 0) {
      lines.push(`:x: *${plural(c.missingOnMirror.total, 'tag')} missing on GHE:* ${codeList(c.missingOnMirror.items, c.missingOnMirror.total)}`);
    }
    if (c.differing.total > 0) {
      const shown = c.differing.items.slice(0, LIST_SHOWN);
      const more = c.differing.total - shown.length;
      lines.push(
        `:x: *${plural(c.differing.total, 'tag')} at a different commit on GHE:*\n` +
          bullets(shown.map((t) => `${code(t.name)}: GitHub ${link(t.githubUrl, shortSha(t.githubSha))} ≠ GHE ${link(t.mirrorUrl, shortSha(t.mirrorSha))}`)) +
          (more > 0 ? `\n… and ${more} more` : ''),
      );
    }
    if (c.onlyOnMirror.total > 0) {
      lines.push(
        `:information_source: *${plural(c.onlyOnMirror.total, 'tag')} only on GHE* (for information): ${codeList(c.onlyOnMirror.items, c.onlyOnMirror.total)}`,
      );
    }
  }
  if (lines.length > 0) blocks.push(...section(lines.join('\n')));
  if (report.mirrorCheckedAt) blocks.push(context(mirrorCheckedText(report.mirrorCheckedAt, report.generatedAt)));
  if (c?.partial && m.github.reachable && m.mirror.reachable) {
    blocks.push(
      context(
        `The tag comparison covers only the tags returned: ${m.github.returnedTags} of ${m.github.totalTags} on GitHub, ${m.mirror.returnedTags} of ${m.mirror.totalTags} on GHE.`,
      ),
    );
  }
  return blocks;
}

/** A mirror check reused from a report made shortly before: say when it was made. */
export function mirrorCheckedText(checkedAt: string, reportAt: string): string {
  const seconds = Math.max(0, Math.round((Date.parse(reportAt) - Date.parse(checkedAt)) / 1000));
  return `Mirror checked ${slackDate(checkedAt)} (${plural(seconds, 'second')} before this report); it is checked again when asked after a minute.`;
}

// ---- secrets ------------------------------------------------------------------------------

function secretLine(s: SecretStatus, report: SyncReport): string {
  const what = `${code(s.name)} (${KIND_LABEL[s.kind]} for ${esc(hostName(s.host))}${s.forMirror ? ', used by the sync' : ''})`;
  const rotate = `rotate with \`/rotate ${esc(report.repo.name)} ${esc(s.name)}\``;
  const age = s.ageDays !== null ? `set ${plural(s.ageDays, 'day')} ago` : '';
  switch (s.state) {
    case 'ok':
      return `:white_check_mark: ${what}: ${age}, ${plural(s.daysLeft ?? 0, 'day')} left of ${s.maxAgeDays}`;
    case 'due_soon':
      return `:warning: ${what}: ${age}, due for rotation in ${plural(s.daysLeft ?? 0, 'day')}: ${rotate}`;
    case 'overdue': {
      const late = -(s.daysLeft ?? 0);
      const when = late === 0 ? 'reached its maximum age today' : `overdue by ${plural(late, 'day')} (max ${s.maxAgeDays})`;
      return `:x: ${what}: ${age}, ${when}: ${rotate}`;
    }
    case 'missing':
      return `:x: ${what}: missing on ${esc(report.repo.github)}`;
    case 'unknown':
      return `:grey_question: ${what}: age unknown`;
  }
}

function secretBlocks(report: SyncReport, s: SecretsPart): KnownBlock[] {
  const lines = [`*Secrets* on ${link(report.repo.webUrl, report.repo.github)}`];
  if (!s.readable) lines.push(`:grey_question: Could not read the repository's secrets, so their age is unknown: ${esc(s.reason ?? 'no reason given')}`);
  if (s.items.length === 0) lines.push('No secret is configured for this repository.');
  else lines.push(bullets(s.items.map((i) => secretLine(i, report))));
  return section(lines.join('\n'));
}

// ---- fallback text ------------------------------------------------------------------------

function fallbackText(report: SyncReport): string {
  const lines = [`${report.repo.name} sync status: ${report.headline.text}`];
  const r = report.run;
  if (r.kind === 'found') {
    const [, label] = JOB_STATE[r.job.state];
    lines.push(`Last run: ${r.run.name} #${r.run.number}${r.run.headBranch ? ` for ${r.run.headBranch}` : ''}; ${r.job.name} ${label}.`);
    if (r.failure?.diagnosis) lines.push(`Cause: ${r.failure.diagnosis.label}.`);
  }
  const c = report.mirrorCheck.comparison;
  if (c) {
    lines.push(
      `Mirror: ${c.headEqual ? 'default branch same' : 'default branch differs'}, ${plural(c.missingOnMirror.total, 'tag')} missing, ${plural(c.differing.total, 'tag')} different.`,
    );
  }
  return truncate(esc(lines.join('\n')), LIMITS.fallbackText);
}

/** The /sync-status message: private at first, the same blocks when shared in a channel. */
export function renderSyncReport(report: SyncReport, o: RenderSyncReportOptions = {}): { text: string; blocks: KnownBlock[] } {
  const h = report.headline;
  const blocks: KnownBlock[] = [
    header(`Sync status: ${report.repo.name} → ${hostName(report.mirror.host)}`),
    ...section(`${LEVEL_EMOJI[h.level]} *${prose(h.text)}*`),
    context(`As of ${slackDate(report.generatedAt)}`),
    divider(),
    ...runBlocks(report, report.run),
    divider(),
    ...mirrorBlocks(report),
    divider(),
    ...secretBlocks(report, report.secrets),
  ];
  if (o.sharedBy) blocks.push(context(`Shared by ${userMention(o.sharedBy)}`));
  if (o.shareButton) {
    blocks.push(actions([button({ text: 'Share in channel', actionId: o.shareButton.actionId, value: o.shareButton.value })]));
  }
  return { text: fallbackText(report), blocks: fitMessage(blocks) };
}
