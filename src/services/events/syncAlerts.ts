import type { WebClient } from '@slack/web-api';
import type { ResolvedRepo } from '../../config/load.js';
import type { AppDeps } from '../../deps.js';
import { jobFactOfInfo, type RunFact } from '../../core/events/facts.js';
import { isFailedConclusion } from '../../core/jobConclusion.js';
import { decideSyncAlert } from '../../core/events/syncAlert.js';
import { toDiagnosis } from '../../core/sync/advice.js';
import { diagnoseLog, type LogDiagnosis } from '../../core/sync/diagnoseLog.js';
import { storedFindings } from './syncFindings.js';
import { findSyncJob } from '../../core/sync/findSyncJob.js';
import { secretToRotate } from '../../core/sync/hosts.js';
import { Diagnosis } from '../../core/sync/reportSchema.js';
import type { ActionsPort, JobInfo } from '../../core/ports.js';
import { webUrlOf } from '../../github/octokit.js';
import { callSlack } from '../../slack/slackErrors.js';
import { syncFailedAgainMessage, syncFailedMessage, syncPassedMessage, syncRecoveredMessage, type SyncJobView } from '../../ui/alerts.js';
import { isChatOpsError } from '../../errors.js';
import type { SyncAlertRow } from '../../store/githubEvents.js';

/** Whether a run is of the configured workflow (a file name, or the workflow's numeric id). */
export function isWorkflow(run: Pick<RunFact, 'workflowPath' | 'workflowId'>, workflow: string | number): boolean {
  if (typeof workflow === 'number' || /^\d+$/.test(String(workflow))) return run.workflowId === Number(workflow);
  const base = run.workflowPath?.split('/').pop();
  return base === workflow || run.workflowPath === workflow;
}

/**
 * A sync workflow run finished: its jobs are read once (the projection keeps them), the
 * sync job's log once if it failed (the diagnosis is stored with the job), and the
 * repository's alert is posted, replied to, or edited to "recovered". `known`: the sync job
 * as the projection holds it (syncFindings.ts settled it just before, jobs and log read):
 * then nothing is read again; without it the run's jobs are read here.
 */
export async function onSyncRunCompleted(deps: AppDeps, client: WebClient, repo: ResolvedRepo, run: RunFact, known: JobInfo | null = null): Promise<void> {
  const sync = repo.sync;
  if (!sync || !repo.channel) return;
  const level = repo.alerts?.sync ?? 'failures';
  if (level === 'off') return;
  const store = deps.store.githubEvents;
  const ref = { owner: repo.owner, name: repo.repo };
  const gateway = (await deps.gateways.repo(ref)).actions;
  const job = known ?? (await readSyncJob(deps, gateway, ref, repo, run, sync.job));
  if (!job) {
    deps.logger.warn({ repo: repo.github, run: run.runId, job: sync.job }, 'sync alerts: the completed sync run has no job matching sync.job');
    return;
  }
  if (job.status !== 'completed') return;
  const failed = isFailedConclusion(job.conclusion);
  const prev = await store.syncAlert(repo.github);
  const action = decideSyncAlert({ level, prev: prev && { ...prev, posted: prev.messageTs !== null }, jobId: job.id, failed });
  if (action.kind === 'none') return;

  const view: SyncJobView = {
    repoName: repo.shortName,
    github: repo.github,
    jobName: job.name,
    jobUrl: job.htmlUrl,
    runUrl: run.htmlUrl,
    failingStep: job.steps.find((s) => isFailedConclusion(s.conclusion))?.name ?? null,
    finishedAt: job.completedAt ? new Date(job.completedAt) : null,
  };
  const diagnosis = failed ? await diagnosisOf(deps, repo, gateway, job) : null;
  const channel = repo.channel;
  const now = deps.now();
  /*
   * The row is written first (the intent: this job is handled) and Slack called after, so a
   * retry of the apply job never posts the same job's alert twice. When Slack answers with
   * an error nothing was posted, so the row is put back and the job retries. What remains is
   * a crash (or a lost answer) between the two: the retry finds the job handled and says
   * nothing more for it. If the post did not reach Slack that alert is lost; if it did, the
   * row has no ts, so the bot cannot reply to or edit that message: the next failure posts a
   * new alert and the next pass edits nothing (core/events/syncAlert.ts).
   */
  const attempt = async (intent: SyncAlertRow, call: () => Promise<string | null>) => {
    await store.saveSyncAlert(intent);
    let ts: string | null;
    try {
      ts = await call();
    } catch (e) {
      if (prev) await store.saveSyncAlert(prev);
      else await store.clearSyncAlert(repo.github);
      throw e;
    }
    if (ts !== intent.messageTs) await store.saveSyncAlert({ ...intent, messageTs: ts });
  };
  switch (action.kind) {
    case 'post':
      return attempt({ repo: repo.github, channel, messageTs: null, state: 'failing', failures: 1, lastJobId: job.id, updatedAt: now }, async () => {
        const posted = await callSlack('post a sync alert', () =>
          client.chat.postMessage({ channel, ...syncFailedMessage(view, diagnosis), unfurl_links: false }),
        );
        return posted.ts ?? null;
      });
    case 'reply': {
      if (!prev?.messageTs) return;
      const thread = prev.messageTs;
      return attempt({ ...prev, failures: action.failures, lastJobId: job.id, updatedAt: now }, async () => {
        await callSlack('reply to a sync alert', () =>
          client.chat.postMessage({
            channel: prev.channel,
            thread_ts: thread,
            ...syncFailedAgainMessage(view, diagnosis, action.failures),
            unfurl_links: false,
          }),
        );
        return thread;
      });
    }
    case 'recover': {
      if (!prev?.messageTs) return;
      const ts = prev.messageTs;
      return attempt({ ...prev, state: 'recovered', lastJobId: job.id, updatedAt: now }, async () => {
        await callSlack('edit a sync alert', () => client.chat.update({ channel: prev.channel, ts, ...syncRecoveredMessage(view, prev.failures) }));
        return ts;
      });
    }
    case 'announce_pass':
      return attempt({ repo: repo.github, channel, messageTs: null, state: 'recovered', failures: 0, lastJobId: job.id, updatedAt: now }, async () => {
        const posted = await callSlack('post a sync result', () => client.chat.postMessage({ channel, ...syncPassedMessage(view), unfurl_links: false }));
        return posted.ts ?? null;
      });
  }
}

/** The run's jobs read from GitHub (and kept in the projection), and its sync job among them. */
async function readSyncJob(deps: AppDeps, gateway: ActionsPort, ref: { owner: string; name: string }, repo: ResolvedRepo, run: RunFact, wanted: string) {
  const jobs = await gateway.runJobs(ref, run.runId);
  for (const j of jobs) await deps.store.githubEvents.upsertJob({ repo: repo.github, ...jobFactOfInfo(j) });
  return syncJobOf(gateway, ref, run, jobs, wanted);
}

/**
 * The run's sync job. `sync.job` may be the YAML id while the API reports display names
 * (`sync-to-ghe` is named "Sync to GitHub Enterprise"): then the workflow file the run ran
 * is read, once per run, to map one to the other.
 */
async function syncJobOf(gateway: ActionsPort, ref: { owner: string; name: string }, run: RunFact, jobs: JobInfo[], wanted: string): Promise<JobInfo | null> {
  const direct = findSyncJob(jobs, wanted);
  if (direct || !run.workflowPath || !run.headSha) return direct;
  return findSyncJob(jobs, wanted, await gateway.workflowJobNames(ref, run.workflowPath, run.headSha));
}

/** The failed sync job's diagnosis: stored once read, so its log is fetched only once. */
async function diagnosisOf(deps: AppDeps, repo: ResolvedRepo, gateway: ActionsPort, job: JobInfo): Promise<Diagnosis | null> {
  const store = deps.store.githubEvents;
  const known = Diagnosis.safeParse(await store.jobDiagnosis(repo.github, job.id));
  if (known.success) return known.data;
  const sync = repo.sync;
  if (!sync) return null;
  // What the log said may be stored already (syncFindings.ts reads it first, for /sync-status).
  const findings = await storedFindings(deps, repo.github, job.id);
  let diagnosed: LogDiagnosis;
  if (findings?.ok) diagnosed = findings.value;
  else {
    let log: string;
    try {
      log = await gateway.jobLog({ owner: repo.owner, name: repo.repo }, job);
    } catch (e) {
      if (!isChatOpsError(e)) throw e;
      deps.logger.warn({ err: e, repo: repo.github, job: job.id }, 'the failed sync job log could not be read');
      return null;
    }
    diagnosed = diagnoseLog(log);
    await deps.store.syncProjection.setLogFindings(repo.github, job.id, { ok: true, value: diagnosed });
  }
  const mirrorWebUrl = webUrlOf(deps.github.forMirror(sync.mirror).apiUrl);
  const secret = secretToRotate(repo.secrets, mirrorWebUrl);
  const d = toDiagnosis(diagnosed, {
    repoName: repo.shortName,
    github: repo.github,
    mirrorHost: mirrorWebUrl,
    mirrorRepo: sync.mirror.repo,
    mirrorWebUrl: `${mirrorWebUrl}/${sync.mirror.repo}`,
    secret,
    secretStatus: null,
  });
  await store.setJobDiagnosis(repo.github, job.id, d);
  return d;
}
