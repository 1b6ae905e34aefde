import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../../deps.js';
import type { Announcement } from '../../core/rotation/decide.js';
import { ROTATION_TICK } from '../../core/rotation/jobs.js';
import type { Rotation } from '../../core/rotation/state.js';
import type { RotationTarget } from '../../core/rotation/target.js';
import { callSlack } from '../../slack/slackErrors.js';
import { renderRotation } from '../../ui/rotationChecklist.js';
import { renderOldKeyAnswered } from '../../ui/rotationOldKey.js';
import { renderEnterPrompt } from '../../ui/rotationPrompts.js';
import { rotationText } from '../../ui/rotationText.js';
import { maskedPageEnabled } from '../entryLinks.js';
import { changeOf } from './change.js';
import { secretSpec } from './target.js';

/** What a rotation posts in Slack: its checklist message, thread replies, private steps, the old-key question. */

/** Edits the checklist message to match the stored state; a refused edit is tried again by a tick job. */
export async function render(deps: AppDeps, client: WebClient, r: Rotation): Promise<void> {
  if (!r.messageTs) return;
  const { view } = await changeOf(deps, r);
  try {
    await callSlack('update the rotation', () => client.chat.update({ channel: r.channel, ts: r.messageTs ?? '', ...renderRotation(r, view) }));
  } catch (e) {
    deps.logger.warn({ err: e, rotation: r.id }, 'rotation message not updated; will retry');
    await deps.store.jobs.enqueue(
      {
        kind: ROTATION_TICK,
        payload: { rotationId: r.id, render: true },
        dedupeKey: `rotation-render:${r.id}`,
        runAt: new Date(deps.now().getTime() + 30_000),
      },
      deps.now(),
    );
  }
}

export function announcement(r: Rotation, what: Announcement): string {
  switch (what) {
    case 'replaced':
      return rotationText.announce.replaced(r.secret, r.requestedBy);
    case 'verify_passed':
      return rotationText.announce.verify_passed();
    case 'verify_failed':
      return rotationText.announce.verify_failed(r.requestedBy);
    case 'completed':
      return rotationText.announce.completed(r.secret);
    case 'cancelled':
      return rotationText.announce.cancelled(r.finishedBy ?? r.requestedBy);
  }
}

export async function threadReply(deps: AppDeps, client: WebClient, r: Rotation, text: string): Promise<void> {
  if (!r.messageTs) return;
  await callSlack('reply in the rotation thread', () => client.chat.postMessage({ channel: r.channel, thread_ts: r.messageTs ?? undefined, text })).catch(
    (e: unknown) => deps.logger.warn({ err: e, rotation: r.id }, 'rotation thread reply not posted'),
  );
}

/** A message only the requester sees, in the rotation's thread. */
export async function ephemeral(deps: AppDeps, client: WebClient, r: Rotation, m: { text: string; blocks: unknown[] }, user = r.requestedBy): Promise<void> {
  await callSlack('post a private step', () =>
    client.chat.postEphemeral({ channel: r.channel, user, text: m.text, blocks: m.blocks as never, ...(r.messageTs ? { thread_ts: r.messageTs } : {}) }),
  ).catch((e: unknown) => deps.logger.warn({ err: e, rotation: r.id }, 'private rotation step not posted'));
}

export async function promptEnter(deps: AppDeps, client: WebClient, r: Rotation, t: RotationTarget): Promise<void> {
  await ephemeral(deps, client, r, renderEnterPrompt(r, secretSpec(deps, t), deps.now(), { maskedPage: maskedPageEnabled(deps) }));
}

const mirrorRepoOf = (deps: AppDeps, r: Rotation): string => deps.config.repos.find((x) => x.github === r.repo)?.sync?.mirror.repo ?? 'the mirror';

/** deploy-key: edits the question about the old key to state the answer (or that it is void): no buttons left. */
export async function closePick(deps: AppDeps, client: WebClient, r: Rotation): Promise<void> {
  const ts = r.state.old.pick?.messageTs;
  if (ts) await closeQuestion(deps, client, r, ts);
}

export async function closeQuestion(deps: AppDeps, client: WebClient, r: Rotation, ts: string): Promise<void> {
  await callSlack('edit the question about the old deploy key', () =>
    client.chat.update({ channel: r.channel, ts, ...renderOldKeyAnswered(r, mirrorRepoOf(deps, r)) }),
  ).catch((e: unknown) => deps.logger.warn({ err: e, rotation: r.id }, 'question about the old deploy key not edited'));
}
