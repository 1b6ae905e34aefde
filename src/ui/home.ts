import type { HomeModel, HomeRepo, ReleaseResult } from '../core/home/dashboard.js';
import { code, context, divider, fields, fitMessage, header, link, mrkdwnEscape as esc, section, type KnownBlock } from './blocks.js';
import { slackDate } from './format.js';
import { FINISHED_JOB_LABEL } from './jobStates.js';
import { USAGE } from './messages.js';

/** Slack's limit for a Home view is 100 blocks; the header, approvals and commands take the rest. */
const MAX_REPOS_SHOWN = 28;

const RELEASE_RESULT: Record<ReleaseResult, string> = {
  waiting: ':hourglass_flowing_sand: waiting for confirmation',
  running: ':arrows_counterclockwise: running',
  succeeded: ':white_check_mark: succeeded',
  failed: ':x: failed',
  cancelled: ':no_entry_sign: cancelled',
  expired: ':grey_question: expired unconfirmed',
};

const user = (id: string) => (/^[UW][A-Z0-9]+$/.test(id) ? `<@${id}>` : esc(id));

/** How a release run not started from Slack was started, as GitHub's event says. */
const STARTED_BY: Record<string, string> = {
  push: 'a tag push',
  workflow_dispatch: 'a workflow_dispatch',
  release: 'a published release',
  schedule: 'its schedule',
};

function releaseField(r: HomeRepo): string {
  const rel = r.release;
  if (!rel) return '*Last release*\n_none seen yet_';
  const label = rel.tag ?? `run on ${rel.ref ?? 'an unknown ref'}`;
  const name = rel.url ? link(rel.url, label) : code(label);
  if (rel.from === 'slack') return `*Last release*\n${name} by ${user(rel.by ?? 'someone')}, ${slackDate(rel.at)}\n${RELEASE_RESULT[rel.result]}`;
  const how = rel.event ? (STARTED_BY[rel.event] ?? `a ${code(rel.event)} event`) : 'GitHub';
  const by = rel.by ? ` by ${esc(rel.by)}` : '';
  return `*Last release* (not from Slack)\n${name}: ${how}${by}, ${slackDate(rel.at)}\n${RELEASE_RESULT[rel.result]}`;
}

function syncField(r: HomeRepo): string {
  const s = r.sync;
  switch (s.kind) {
    case 'not_configured':
      return '*Last sync*\n_no sync configured_';
    case 'unknown':
      return '*Last sync*\n:grey_question: not known yet: `/sync-status` asks GitHub';
    case 'job_not_found':
      return `*Last sync*\n:grey_question: no sync job in ${link(s.url, `${esc(s.runName)} #${s.runNumber}`)}`;
    case 'job': {
      const [emoji, label] =
        s.state === 'in_progress'
          ? [':arrows_counterclockwise:', 'running']
          : s.state === 'queued' || s.state === 'waiting'
            ? [':hourglass_flowing_sand:', 'waiting']
            : FINISHED_JOB_LABEL[s.state];
      const step = s.failingStep ? ` at ${code(s.failingStep)}` : '';
      return `*Last sync*\n${emoji} ${link(s.url, s.jobName)} ${label}${step}, ${slackDate(s.at)}`;
    }
  }
}

function mirrorField(r: HomeRepo): string {
  const m = r.mirror;
  switch (m.kind) {
    case 'not_configured':
      return '*Mirror*\n_no mirror configured_';
    case 'never_checked':
      return '*Mirror*\n:grey_question: not checked yet: `/sync-status` checks it';
    case 'unreachable':
      return `*Mirror* (checked ${slackDate(m.checkedAt)})\n:grey_question: ${m.side} unreachable: ${esc(m.reason)}`;
    case 'checked':
      return `*Mirror* (checked ${slackDate(m.checkedAt)})\n${m.inSync ? ':white_check_mark: in sync' : `:x: ${esc(m.drift ?? 'differs')}`}${m.partial ? ' (tags compared in part)' : ''}`;
  }
}

function secretsField(r: HomeRepo): string {
  if (r.secrets.length === 0) return '*Secrets*\n_none configured_';
  const lines = r.secrets.map((s) => {
    const age = s.ageDays === null ? 'age unknown' : `set ${s.ageDays} d ago`;
    const emoji = s.state === 'ok' ? ':white_check_mark:' : s.state === 'due_soon' ? ':warning:' : s.state === 'unknown' ? ':grey_question:' : ':x:';
    const state = s.state === 'missing' ? 'missing' : s.state === 'overdue' ? 'overdue' : s.daysLeft !== null ? `${s.daysLeft} d left` : '';
    const next = s.nextReminder ? `; next reminder ${slackDate(s.nextReminder)}` : '';
    return `${emoji} ${code(s.name)}: ${age}${state ? `, ${state}` : ''}${next}`;
  });
  return `*Secrets*\n${lines.join('\n')}`;
}

function repoBlocks(r: HomeRepo): KnownBlock[] {
  const title = `*${esc(r.name)}*: ${link(r.webUrl, r.github)}`;
  const running = r.inProgress.map((run) => {
    const name = `${esc(run.name)}${run.number !== null ? ` #${run.number}` : ''}`;
    return `:arrows_counterclockwise: ${run.url ? link(run.url, name) : name}${run.headBranch ? ` for ${code(run.headBranch)}` : ''} ${run.status === 'in_progress' ? 'running' : esc(run.status)}${run.since ? ` since ${slackDate(run.since)}` : ''}`;
  });
  const freshness = r.fresh
    ? 'As GitHub last told the bot.'
    : r.confirmedAt
      ? `GitHub last told the bot ${slackDate(r.confirmedAt)}: this may be behind; \`/sync-status ${esc(r.name)}\` asks GitHub.`
      : `The bot has not heard from GitHub about this repository: \`/sync-status ${esc(r.name)}\` asks GitHub.`;
  const sectionBlocks = fields([releaseField(r), syncField(r), mirrorField(r), secretsField(r)], { text: title });
  return [...sectionBlocks.slice(0, 1), context([running.length > 0 ? running.join('  ·  ') : 'No run in progress.', freshness].join('  ')), divider()];
}

function approvalsBlocks(model: HomeModel): KnownBlock[] {
  if (model.approvals.length === 0) return section('*Waiting for you:* nothing.');
  const lines = model.approvals.slice(0, 10).map((a) => {
    const what = `${esc(a.action)} ${code(a.secret)} on *${esc(a.repoName)}*`;
    return `• ${what}, asked by ${user(a.requestedBy)}; expires ${slackDate(a.expiresAt)} (see <#${esc(a.channel)}>)`;
  });
  const more = model.approvals.length > 10 ? `\n… and ${model.approvals.length - 10} more` : '';
  return section(`*Waiting for your approval (${model.approvals.length}):*\n${lines.join('\n')}${more}`).slice(0, 1);
}

/** The App Home tab: approvals waiting for the person looking, then each repository's state, then the commands. */
export function renderHome(model: HomeModel): { type: 'home'; blocks: KnownBlock[] } {
  const shown = model.repos.slice(0, MAX_REPOS_SHOWN);
  const hidden = model.repos.length - shown.length;
  const blocks: KnownBlock[] = [
    header('Release ChatOps'),
    ...approvalsBlocks(model),
    divider(),
    ...shown.flatMap(repoBlocks),
    ...(hidden > 0 ? [context(`… and ${hidden} more repositories: \`/sync-status <repo>\` for each.`)] : []),
    ...section(
      `*Commands*\n${Object.values(USAGE)
        .map((u) => `• ${u.replace(/^Usage: /, '')}`)
        .join('\n')}`,
    ).slice(0, 1),
    context(`Updated ${slackDate(model.generatedAt)}, when you opened this tab. Every command answers \`help\` with its usage.`),
  ];
  return { type: 'home', blocks: fitMessage(blocks, 100) };
}
