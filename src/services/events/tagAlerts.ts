import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { AppDeps } from '../../deps.js';
import type { ResolvedRepo } from '../../config/load.js';
import type { RunFact } from '../../core/events/facts.js';
import {
  decideTagAlert,
  DEFAULT_TAG_WITHOUT_RELEASE_MINUTES,
  onReleaseRunArrived,
  planTagCheck,
  releaseTriggerSecret,
} from '../../core/events/tagWithoutRelease.js';
import { isChatOpsError } from '../../errors.js';
import { webUrlOf } from '../../github/octokit.js';
import { callSlack } from '../../slack/slackErrors.js';
import { tagReleaseStartedMessage, tagWithoutReleaseMessage } from '../../ui/tagAlert.js';
import type { JobHandler } from '../../worker/runner.js';
import { repoGateways } from '../repoGateways.js';
import { configuredRepo } from './intake.js';
import { isWorkflow } from './syncAlerts.js';

/**
 * The tag-without-release alert (issue 19). A release tag first seen schedules one leased
 * job per repository and tag (its dedupe key), due `alerts.tagWithoutRelease` minutes
 * after the tag was seen; when due with no release run of the tag in the projection, it
 * posts in the repository's channel with *Release now* and *Rotate <secret>*. The release
 * run arriving later edits the alert to say so and drops the buttons. The tag_alerts row
 * says where each tag's alert is, so a redelivered tag, a retried job or a restart posts
 * nothing twice.
 */

export const TAG_ALERT_KIND = 'github.events.tag_alert';
export const tagAlertDedupeKey = (repo: string, tag: string) => `tag-alert:${repo.toLowerCase()}:${tag}`;

const Payload = z.strictObject({ repo: z.string().min(3), tag: z.string().min(1).max(200) });

const minutesOf = (repo: ResolvedRepo) => repo.alerts?.tagWithoutRelease ?? DEFAULT_TAG_WITHOUT_RELEASE_MINUTES;

/** Called by apply.ts for each tag fact, after the tag was recorded (`firstSeen`: this fact recorded it). */
export async function onTagSeen(deps: AppDeps, repo: ResolvedRepo, tag: string, firstSeen: boolean): Promise<void> {
  const seen = await deps.store.githubEvents.tag(repo.github, tag);
  if (!seen) return;
  const now = deps.now();
  const plan = planTagCheck({
    tag,
    minutes: minutesOf(repo),
    hasChannel: Boolean(repo.channel),
    hasReleaseWorkflow: Boolean(repo.release),
    firstSeen,
    scheduled: (await deps.store.tagAlerts.get(repo.github, tag)) !== null,
    seenAt: seen.seenAt,
    now,
  });
  if (plan.kind !== 'schedule') return;
  // The job first, then the row: a crash between them leaves a job without a row (the job
  // writes it), never a row without its job; a redelivery meanwhile finds the job by its key.
  await deps.store.jobs.enqueue(
    { kind: TAG_ALERT_KIND, payload: { repo: repo.github, tag }, dedupeKey: tagAlertDedupeKey(repo.github, tag), runAt: plan.dueAt, maxAttempts: 10 },
    now,
  );
  await deps.store.tagAlerts.schedule({ repo: repo.github, tag, dueAt: plan.dueAt }, now);
}

/** Called by apply.ts where a release run is linked to its tag: the alert standing for the tag says the run started. */
export async function onReleaseRunSeen(deps: AppDeps, client: WebClient, repo: ResolvedRepo, run: RunFact): Promise<void> {
  const tag = run.headBranch;
  if (!tag) return;
  const alerts = deps.store.tagAlerts;
  const alert = await alerts.get(repo.github, tag);
  const now = deps.now();
  switch (onReleaseRunArrived(alert?.state ?? null)) {
    case 'settle':
      await alerts.move(repo.github, tag, ['scheduled'], { state: 'settled' }, now);
      return;
    case 'edit':
      if (alert?.channel && alert.messageTs) await resolveAlert(deps, client, repo, tag, { channel: alert.channel, ts: alert.messageTs }, run.htmlUrl);
      else await alerts.move(repo.github, tag, ['posted'], { state: 'resolved' }, now);
      return;
    case 'none':
      return;
  }
}

/** Edits the posted alert to "the release run started" (once: whoever moves the row to resolved edits). */
async function resolveAlert(deps: AppDeps, client: WebClient, repo: ResolvedRepo, tag: string, at: { channel: string; ts: string }, runUrl: string | null) {
  const alerts = deps.store.tagAlerts;
  if (!(await alerts.move(repo.github, tag, ['posted'], { state: 'resolved' }, deps.now()))) return;
  const workflow = await workflowFileName(deps, repo);
  try {
    await callSlack('edit a tag-without-release alert', () =>
      client.chat.update({ channel: at.channel, ts: at.ts, ...tagReleaseStartedMessage({ tag, workflow, runUrl }) }),
    );
  } catch (e) {
    // Not edited: the alert stands, and the retry (of the apply job or the check) edits it.
    await alerts.move(repo.github, tag, ['resolved'], { state: 'posted' }, deps.now());
    throw e;
  }
}

/** A run of the release workflow for the tag in the projection: linked to the tag, or one whose head is the tag. */
export async function releaseRunOf(deps: AppDeps, repo: ResolvedRepo, tag: string): Promise<{ runId: number; htmlUrl: string | null } | null> {
  const release = repo.release;
  if (!release) return null;
  const seen = await deps.store.githubEvents.tag(repo.github, tag);
  if (seen?.releaseRunId) {
    const run = await deps.store.githubEvents.run(repo.github, seen.releaseRunId);
    return { runId: seen.releaseRunId, htmlUrl: run?.htmlUrl ?? null };
  }
  // A run that arrived before its tag was recorded was not linked (apply.ts links only a known tag).
  const runs = await deps.store.githubEvents.runsOnRef(repo.github, tag, 20);
  const run = runs.find((r) => isWorkflow({ workflowPath: r.workflowPath, workflowId: null }, release.workflow));
  return run ? { runId: run.runId, htmlUrl: run.htmlUrl } : null;
}

/** The release workflow's file name as people know it (release.yml); a numeric id is looked up. */
async function workflowFileName(deps: AppDeps, repo: ResolvedRepo): Promise<string> {
  const w = repo.release?.workflow;
  if (w === undefined) return 'the release workflow';
  if (typeof w === 'string' && !/^\d+$/.test(w)) return w.split('/').pop() ?? w;
  try {
    const ctx = await repoGateways(deps, repo);
    const info = await ctx.port.workflow(ctx.ref, w);
    return info ? (info.path.split('/').pop() ?? info.path) : `workflow ${String(w)}`;
  } catch (e) {
    if (!isChatOpsError(e)) throw e;
    return `workflow ${String(w)}`;
  }
}

/** The scheduled check of one tag: posts the alert when it is due and no release run came. */
export function tagAlertChecker(deps: AppDeps, client: WebClient): JobHandler {
  return {
    kind: TAG_ALERT_KIND,
    leaseSeconds: 30,
    async run(job, ctx) {
      const { repo: name, tag } = Payload.parse(job.payload);
      const repo = configuredRepo(deps, name);
      const alerts = deps.store.tagAlerts;
      const seen = repo ? await deps.store.githubEvents.tag(repo.github, tag) : null;
      if (!repo || !seen) return { kind: 'done' };
      const now = deps.now();
      // The row is missing only after a crash between enqueueing this job and writing it.
      if (!(await alerts.get(repo.github, tag))) await alerts.schedule({ repo: repo.github, tag, dueAt: job.runAt }, now);
      const alert = await alerts.get(repo.github, tag);
      const channel = repo.channel;
      if (!channel || !repo.release) {
        await alerts.move(repo.github, tag, ['scheduled'], { state: 'settled' }, now);
        return { kind: 'done' };
      }
      const decision = decideTagAlert({
        minutes: minutesOf(repo),
        seenAt: seen.seenAt,
        now,
        state: alert?.state ?? null,
        releaseRunSeen: (await releaseRunOf(deps, repo, tag)) !== null,
        releaseRequested: (await deps.store.releases.active(repo.github, tag, now)).length > 0,
      });
      if (decision.kind === 'wait') return { kind: 'again', at: decision.until };
      if (decision.kind === 'none') {
        if (decision.why !== 'handled') await alerts.move(repo.github, tag, ['scheduled'], { state: 'settled' }, now);
        // A retry after the edit to "the release run started" failed: the alert still stands.
        else if (alert?.state === 'posted' && alert.channel && alert.messageTs) {
          const run = await releaseRunOf(deps, repo, tag);
          if (run) await resolveAlert(deps, client, repo, tag, { channel: alert.channel, ts: alert.messageTs }, run.htmlUrl);
        }
        return { kind: 'done' };
      }
      const workflow = await workflowFileName(deps, repo);
      const secret = releaseTriggerSecret(repo.secrets, webUrlOf(deps.config.env.GITHUB_API_URL));
      ctx.signal.throwIfAborted();
      /*
       * The row moves to `posting` first (the intent), then Slack is called: a retry never posts
       * twice. When Slack answers with an error nothing was posted, so the row goes back and the
       * job retries. A crash between the two leaves `posting` with no ts: that alert is not posted
       * again (at most once), as with the sync alerts (syncAlerts.ts).
       */
      if (!(await alerts.move(repo.github, tag, ['scheduled'], { state: 'posting', channel }, now))) return { kind: 'done' };
      let ts: string | null;
      try {
        const posted = await callSlack('post a tag-without-release alert', () =>
          client.chat.postMessage({
            channel,
            ...tagWithoutReleaseMessage({ github: repo.github, tag, workflow, minutesAgo: decision.minutesAgo, secret }),
            unfurl_links: false,
          }),
        );
        ts = posted.ts ?? null;
      } catch (e) {
        await alerts.move(repo.github, tag, ['posting'], { state: 'scheduled' }, deps.now());
        throw e;
      }
      await alerts.move(repo.github, tag, ['posting'], { state: 'posted', messageTs: ts }, deps.now());
      // A release run that arrived while the alert was being posted found no ts to edit (onReleaseRunSeen): edit now.
      const run = await releaseRunOf(deps, repo, tag);
      if (run && ts) await resolveAlert(deps, client, repo, tag, { channel, ts }, run.htmlUrl);
      return { kind: 'done' };
    },
  };
}
