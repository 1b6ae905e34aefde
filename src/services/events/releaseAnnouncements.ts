import type { WebClient } from '@slack/web-api';
import type { ResolvedRepo } from '../../config/load.js';
import type { AppDeps } from '../../deps.js';
import type { RunFact } from '../../core/events/facts.js';
import { decideReleaseAnnouncement } from '../../core/events/releaseAnnouncement.js';
import { startedByBot } from '../../core/release/startedByBot.js';
import { parseReleaseTag } from '../../core/release/tag.js';
import { SlackApiError } from '../../errors.js';
import { callSlack } from '../../slack/slackErrors.js';
import type { RunRow } from '../../store/index.js';
import { releaseRunMessage, type ReleaseRunView } from '../../ui/releaseAlerts.js';
import { isWorkflow } from './syncAlerts.js';

/**
 * A fact about a run of the repository's release workflow: if the bot did not start it
 * (no release of the bot's knows that run, or sent the dispatch that made it), it is
 * announced in the repository's channel per `alerts.release` (core/events/releaseAnnouncement.ts).
 *
 * One message per run, ever: the store row is claimed before the post (a redelivery, the
 * poller and a webhook saying the same, two replicas: one insert wins) and each edit is a
 * conditional move from what the message showed. Slack refusing a post gives the claim back,
 * so the apply job's retry posts; a crash between the claim and Slack's answer leaves a row
 * without a ts, and that run is never posted again nor edited (as sync alerts do).
 */
export async function announceReleaseRun(deps: AppDeps, client: WebClient, repo: ResolvedRepo, fact: RunFact): Promise<void> {
  const release = repo.release;
  const channel = repo.channel;
  if (!release || !channel || !isWorkflow(fact, release.workflow)) return;
  const level = repo.alerts?.release ?? 'failures';
  if (level === 'off') return;
  // What the projection has of the run (written just before): an older fact applied late says less than it.
  const run: RunRow = (await deps.store.githubEvents.run(repo.github, fact.runId)) ?? { repo: repo.github, ...fact };
  const [mine, prev] = await Promise.all([
    deps.store.releases.forRuns(repo.github, [run.runId], run.headBranch ? [run.headBranch] : []),
    deps.store.releaseAnnouncements.get(repo.github, run.runId),
  ]);
  const action = decideReleaseAnnouncement({
    level,
    botStarted: startedByBot(run, mine),
    run,
    prev: prev && { shown: prev.shown, posted: prev.messageTs !== null },
  });
  if (action.kind === 'none') return;
  const store = deps.store.releaseAnnouncements;
  const message = releaseRunMessage(viewOf(repo, run));
  const now = deps.now();

  if (action.kind === 'post') {
    if (!(await store.claim({ repo: repo.github, runId: run.runId, channel, shown: action.shown }, now))) return;
    let ts: string | undefined;
    try {
      ts = (await callSlack('announce a release run', () => client.chat.postMessage({ channel, ...message, unfurl_links: false }))).ts;
    } catch (e) {
      await store.unclaim(repo.github, run.runId);
      throw e;
    }
    if (ts) await store.setMessage(repo.github, run.runId, ts);
    return;
  }

  const ts = prev?.messageTs;
  if (!prev || !ts || !(await store.advance(repo.github, run.runId, action.from, action.shown, now))) return;
  try {
    await callSlack('edit a release run announcement', () => client.chat.update({ channel: prev.channel, ts, ...message }));
  } catch (e) {
    // Deleted in Slack: there is nothing left to edit, and retrying would hold the repository's queue.
    if (e instanceof SlackApiError && slackCode(e) === 'message_not_found') {
      deps.logger.warn({ repo: repo.github, run: run.runId }, 'the release run announcement was deleted in Slack; not edited');
      return;
    }
    await store.advance(repo.github, run.runId, action.shown, action.from, deps.now());
    throw e;
  }
}

const slackCode = (e: SlackApiError) => (e.cause as { data?: { error?: unknown } } | undefined)?.data?.error;

function viewOf(repo: ResolvedRepo, run: RunRow): ReleaseRunView {
  return {
    repoName: repo.shortName,
    workflowName: run.name ?? run.workflowPath?.split('/').pop() ?? 'release workflow',
    runNumber: run.runNumber ?? null,
    url: run.htmlUrl,
    headBranch: run.headBranch,
    onTag: run.headBranch !== null && parseReleaseTag(run.headBranch).ok,
    event: run.event,
    actor: run.actor ?? null,
    triggeringActor: run.triggeringActor ?? null,
    status: run.status,
    conclusion: run.conclusion,
    runAttempt: run.runAttempt,
    startedAt: run.runStartedAt ?? run.createdAt,
    updatedAt: run.updatedAt,
  };
}
