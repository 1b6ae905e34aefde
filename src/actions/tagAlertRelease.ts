import type { BlockButtonAction } from '@slack/bolt';
import type { ActionRouter } from './router.js';
import type { AppDeps } from '../deps.js';
import { findRepo } from '../core/commandArgs.js';
import { parseTagAlertValue } from '../core/events/tagWithoutRelease.js';
import { letWaitingAcksGoFirst } from '../slack/afterAck.js';
import { requestRelease, type ReleaseRequestAnswer } from '../services/release.js';
import { auditorFor } from '../services/audit.js';
import { releaseRunOf } from '../services/events/tagAlerts.js';
import { tagAlertText } from '../ui/tagAlert.js';
import { ACTION_IDS } from './ids.js';
import { clickPlace } from './clickPlace.js';

const AUDIT_ACTION = 'action:tag_alert_release';

/**
 * *Release now* on a tag-without-release alert: `/release <tag>` by the person who clicked
 * (their access, the preflight checks, the private confirmation). The button only names
 * the repository and the tag; everything is checked now, so an old or forged click can
 * start nothing `/release` would not. A click on an alert the release run has answered
 * since (the edit that drops the buttons may not have reached this person's client) is
 * told so privately.
 */
export function register(router: ActionRouter, deps: AppDeps): void {
  router.action<BlockButtonAction>(ACTION_IDS.tagAlertRelease, async ({ ack, body, action, respond, client }) => {
    await ack();
    const user = body.user.id;
    const reply = (m: ReleaseRequestAnswer['message']) => respond({ response_type: 'ephemeral', replace_original: false, ...m });
    const audit = auditorFor(deps, user, AUDIT_ACTION);
    const ref = parseTagAlertValue(action.value);
    const repo = ref ? findRepo(deps.config.repos, ref.repo) : undefined;
    const release = repo?.release;
    if (!ref || !repo || !release) {
      await reply({ text: tagAlertText.bad });
      return audit('refused:value', repo?.github);
    }
    await letWaitingAcksGoFirst();
    const alert = await deps.store.tagAlerts.get(repo.github, ref.tag);
    if (alert?.state === 'resolved') {
      const run = await releaseRunOf(deps, repo, ref.tag);
      await reply({ text: tagAlertText.started(ref.tag, run?.htmlUrl ?? null) });
      return audit('refused:started', repo.github, { tag: ref.tag });
    }
    const answer = await requestRelease(deps, client, {
      repo: { ...repo, release },
      tag: ref.tag,
      user,
      fallbackChannel: clickPlace(body).channel ?? '',
      auditAction: AUDIT_ACTION,
    });
    await reply(answer.message);
    if (answer.audit) await audit(answer.audit.outcome, repo.github, answer.audit.detail);
  });
}
