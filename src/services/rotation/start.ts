import type { WebClient } from '@slack/web-api';
import type { ResolvedRepo } from '../../config/load.js';
import type { SecretConfig } from '../../config/schema.js';
import type { AppDeps } from '../../deps.js';
import { initialState, type Rotation } from '../../core/rotation/state.js';
import { callSlack } from '../../slack/slackErrors.js';
import { renderRotation } from '../../ui/rotationChecklist.js';
import { rotationText } from '../../ui/rotationText.js';
import { findDeployKey } from '../secretRevoke.js';
import { askOldKey, writeKeyChoices } from '../rotationOldKey.js';
import { secretTarget } from '../secretTargets.js';
import { syncReminderMessagesSoon } from '../reminders.js';
import { promptEnter } from './slack.js';
import { mayAct, secretMayChange } from '../policy.js';
import { refusalText } from '../../ui/refusal.js';
import type { Refusal } from '../../core/refusal.js';
import { aboutRotation, recordAudit } from '../audit.js';

/** Not started: refused (`why`: the audit outcome's reason), or the checklist could not be posted (Slack). */
export type StartResult = { kind: 'started'; rotation: Rotation } | { kind: 'refused'; refusal: Refusal; why: string } | { kind: 'not_posted' };

/**
 * Starts a rotation: stores it (one per secret), posts its checklist in the repo's
 * channel, opens the thread with a public reply (an ephemeral message only shows in a
 * thread that has one), and sends the requester their first step privately.
 */
export async function startRotation(
  deps: AppDeps,
  client: WebClient,
  o: { repo: ResolvedRepo; secret: SecretConfig; user: string; channel: string },
): Promise<StartResult> {
  const { repo, secret } = o;
  const { block } = await secretMayChange(deps, repo, secret, { kind: 'rotation_start' });
  if (block) return { kind: 'refused', refusal: block, why: 'change_busy' };
  const target = secretTarget(deps.config, repo, secret);
  const verifyMethod = secret.verify ? 'dispatch' : target.isMirror && repo.sync ? 'rerun' : null;
  const verifyWorkflow = secret.verify ? String(secret.verify.workflow) : verifyMethod === 'rerun' && repo.sync ? String(repo.sync.workflow) : null;
  // deploy-key: the old key, if the recorded public key or a title says; else the mirror's write keys to ask about.
  const found = secret.kind === 'deploy-key' ? await findDeployKey(deps, repo, secret) : null;
  const oldKey = found && !('unavailable' in found) ? found.match : null;
  const toAsk = found && !('unavailable' in found) && !found.match ? writeKeyChoices(found.keys) : [];
  const created = await deps.store.rotations.create(
    {
      repo: repo.github,
      repoName: repo.shortName,
      secret: secret.name,
      secretKind: secret.kind,
      requestedBy: o.user,
      channel: o.channel,
      state: initialState({ verifyMethod, verifyWorkflow, isDeployKey: secret.kind === 'deploy-key', oldDeployKey: oldKey, askOldKey: toAsk.length > 0 }),
    },
    deps.now(),
  );
  if (created.kind === 'busy') return { kind: 'refused', refusal: { code: 'rotation_busy', secret: secret.name }, why: 'busy' };
  const rotation = created.rotation;
  let ts: string;
  try {
    const posted = await callSlack('post the rotation', () =>
      client.chat.postMessage({ channel: rotation.channel, ...renderRotation(rotation, null), unfurl_links: false }),
    );
    if (!posted.ts) throw new Error('chat.postMessage returned no ts');
    ts = posted.ts;
    await deps.store.rotations.setMessage(rotation.id, ts);
  } catch (e) {
    deps.logger.warn({ err: e, rotation: rotation.id }, 'rotation message not posted; cancelling the rotation');
    await deps.store.rotations.write(rotation.id, rotation.version, { status: 'cancelled', state: rotation.state, finishedBy: 'system' }, deps.now());
    await recordAudit(deps, { actor: 'system', action: 'rotation:start', outcome: 'withdrawn:not_posted', ...aboutRotation(rotation) });
    return { kind: 'not_posted' };
  }
  const started = { ...rotation, messageTs: ts };
  await recordAudit(deps, {
    actor: o.user,
    action: 'rotation:start',
    outcome: 'started',
    ...aboutRotation(started, { kind: secret.kind, verify: verifyMethod ?? 'none' }),
  });
  // Reminders of this secret stop offering to start what has started.
  await syncReminderMessagesSoon(deps, repo.github, secret.name);
  await callSlack('reply in the rotation thread', () =>
    client.chat.postMessage({ channel: started.channel, thread_ts: ts, text: rotationText.threadIntro(o.user) }),
  ).catch((e: unknown) => deps.logger.warn({ err: e, rotation: started.id }, 'rotation thread reply not posted'));
  if (toAsk.length && found && !('unavailable' in found)) await askOldKey(deps, client, started, found.mirror.repo, toAsk);
  await promptEnter(deps, client, started, { repo, secret });
  return { kind: 'started', rotation: started };
}

/**
 * A person asks for a rotation (`/rotate`, or "Start rotation" on a reminder or a leak
 * warning): their access is checked, then the rotation starts in the repo's channel.
 * Returns the private answer for them and the outcome for the audit log.
 */
export async function requestRotation(
  deps: AppDeps,
  client: WebClient,
  o: { repo: ResolvedRepo; secret: SecretConfig; user: string; channel: string },
): Promise<{ text: string; outcome: string }> {
  const denied = await mayAct(deps, client, { user: o.user, action: 'rotate', repo: o.repo });
  if (denied) return { text: refusalText(denied), outcome: 'refused:access' };
  const res = await startRotation(deps, client, { ...o, channel: o.repo.channel ?? o.channel });
  if (res.kind === 'refused') return { text: refusalText(res.refusal), outcome: `refused:${res.why}` };
  if (res.kind === 'not_posted') return { text: rotationText.notPosted, outcome: 'refused:not_posted' };
  return { text: rotationText.started(o.secret.name, res.rotation.channel), outcome: 'started' };
}
