import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import type { DeployKeyInfo } from '../core/ports.js';
import type { Rotation } from '../core/rotation/state.js';
import { publicKeyFingerprint } from '../core/secrets/sshKey.js';
import { callSlack } from '../slack/slackErrors.js';
import type { RotationTarget } from '../core/rotation/target.js';
import { renderOldKeyQuestion, type DeployKeyChoice } from '../ui/rotationOldKey.js';
import { rotationText } from '../ui/rotationText.js';
import { advance } from './rotation/engine.js';
import { closeQuestion } from './rotation/slack.js';
import { deployKeyTarget, findDeployKey } from './secretRevoke.js';
import type { Refusal } from '../core/refusal.js';

/**
 * deploy-key rotation: when neither the recorded public key nor a title says which of
 * the mirror's deploy keys the secret holds, the requester is asked once, in the
 * thread; the answer is kept in the rotation, and that key is deleted after the
 * verification passes, as a matched one is.
 */

/** The mirror's write deploy keys (only those can be what a push secret holds), newest first. */
export function writeKeyChoices(keys: readonly DeployKeyInfo[]): DeployKeyChoice[] {
  return keys
    .filter((k) => !k.readOnly)
    .map((k) => ({
      id: k.id,
      title: k.title,
      fingerprint: publicKeyFingerprint(k.key),
      createdAt: k.createdAt ?? null,
      addedBy: k.addedBy ?? null,
      lastUsed: k.lastUsed ?? null,
    }))
    .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? '') || b.id - a.id);
}

/** Posts the question in the rotation's thread and keeps its ts (to edit it once answered or void). */
export async function askOldKey(deps: AppDeps, client: WebClient, r: Rotation, mirrorRepo: string, choices: readonly DeployKeyChoice[]): Promise<void> {
  if (!r.messageTs) return;
  let ts: string | undefined;
  try {
    const posted = await callSlack('ask which deploy key is the old one', () =>
      client.chat.postMessage({
        channel: r.channel,
        thread_ts: r.messageTs ?? undefined,
        ...renderOldKeyQuestion(r, mirrorRepo, choices),
        unfurl_links: false,
      }),
    );
    ts = posted.ts;
  } catch (e) {
    // "My next step" asks again once the answer is needed.
    deps.logger.warn({ err: e, rotation: r.id }, 'question about the old deploy key not posted');
    return;
  }
  if (!ts) return;
  const res = await advance(deps, client, r.id, { kind: 'old_key_asked', messageTs: ts });
  // The rotation ended meanwhile: the question must not keep live buttons.
  if (res.kind !== 'moved' && res.rotation && res.rotation.status !== 'active') await closeQuestion(deps, client, res.rotation, ts);
}

/** Asks again when the first question was never posted (a Slack failure at the start). */
export async function askOldKeyAgain(deps: AppDeps, client: WebClient, r: Rotation, t: RotationTarget): Promise<{ asked: boolean; text: string }> {
  const found = await findDeployKey(deps, t.repo, t.secret);
  if ('unavailable' in found) return { asked: false, text: rotationText.pickKey.unlisted(found.unavailable) };
  await askOldKey(
    deps,
    client,
    r,
    found.mirror.repo,
    writeKeyChoices(found.keys).filter((k) => k.fingerprint !== r.state.newKey?.fingerprint),
  );
  return { asked: true, text: rotationText.noNextStep(rotationText.pickKey.pending) };
}

/** Not picked: refused (ui/refusal.ts words it), or the mirror's keys could not be read (`text`); `outcome`: the audit's. */
export type PickResult =
  | { ok: true; text: string; outcome: string }
  | { ok: false; refusal: Refusal; outcome: string }
  | { ok: false; refusal?: undefined; text: string; outcome: string };

/**
 * The requester's answer. A key is looked up on the mirror again (it must still be
 * there, with write access, and not be the key this rotation added); "none" needs no look.
 */
export async function pickOldKey(deps: AppDeps, client: WebClient, r: Rotation, t: RotationTarget, user: string, choice: number | 'none'): Promise<PickResult> {
  let key = null;
  if (choice !== 'none') {
    const found = await findDeployKey(deps, t.repo, t.secret);
    if ('unavailable' in found) return { ok: false, text: rotationText.pickKey.unlisted(found.unavailable), outcome: 'refused:unlisted' };
    const k = found.keys.find((x) => x.id === choice && !x.readOnly);
    if (!k) return { ok: false, refusal: { code: 'old_key_gone' }, outcome: 'refused:gone' };
    const target = deployKeyTarget(found.mirror, k);
    const added = r.state.changeId ? (await deps.store.secretChanges.get(r.state.changeId))?.outcome?.deployKeyAdded : undefined;
    if (k.id === added || (target.fingerprint && target.fingerprint === r.state.newKey?.fingerprint))
      return { ok: false, refusal: { code: 'old_key_is_new' }, outcome: 'refused:new_key' };
    key = target;
  }
  const res = await advance(deps, client, r.id, { kind: 'old_key_picked', by: user, key });
  if (res.kind !== 'moved')
    return {
      ok: false,
      refusal: { code: 'rotation_step', why: res.kind === 'refused' ? res.reason : 'already' },
      outcome: `refused:${res.kind === 'refused' ? res.reason : 'same'}`,
    };
  return { ok: true, text: key ? rotationText.pickKey.picked(key.title) : rotationText.pickKey.none, outcome: key ? 'picked' : 'none' };
}
