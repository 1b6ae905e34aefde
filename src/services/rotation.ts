import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { ResolvedRepo } from '../config/load.js';
import type { SecretConfig } from '../config/schema.js';
import type { AppDeps } from '../deps.js';
import { decide, needsWatching, type Announcement, type ChangeView, type Decision, type RotationEffect, type RotationEvent } from '../core/rotation/decide.js';
import { initialState, type Rotation } from '../core/rotation/state.js';
import { findSecret } from '../core/secrets/command.js';
import { callSlack } from '../slack/slackErrors.js';
import type { Job, SecretChange } from '../store/index.js';
import { renderEnterPrompt, renderOldPrompt, renderRotation, rotationText, type SecretSpec } from '../ui/rotation.js';
import type { JobHandler, JobResult } from '../worker/runner.js';
import { auditChange, syncMessage } from './secretChange.js';
import { findDeployKey } from './secretRevoke.js';
import { askOldKey, closePick, writeKeyChoices } from './rotationOldKey.js';
import { secretTarget } from './secretTargets.js';
import { maskedPageEnabled } from './entryLinks.js';
import { ROTATION_TICK, ROTATION_WATCH } from './rotationJobs.js';
import { checkVerification, startVerification, deleteOldDeployKey, VERIFY_TAKEOVER_MS } from './rotationVerify.js';
import { syncReminderMessagesSoon } from './reminders.js';
import { mayAct, secretMayChange } from './policy.js';
import { refusalText } from '../ui/refusal.js';

/** How often a rotation that waits on an approval or a run is looked at (besides the ticks its events cause). */
export const WATCH_SECONDS = { approval: 30, run: 15 } as const;

export interface RotationTarget {
  repo: ResolvedRepo;
  secret: SecretConfig;
}

/** The configured repository and secret of a rotation, or null when the configuration no longer has them. */
export function targetOf(deps: AppDeps, r: Pick<Rotation, 'repo' | 'secret'>): RotationTarget | null {
  const repo = deps.config.repos.find((x) => x.github === r.repo);
  const secret = repo ? findSecret(repo, r.secret) : undefined;
  return repo && secret ? { repo, secret } : null;
}

/** What the create instructions need: kind, host, scopes, and the repository the credential acts on. */
export function secretSpec(deps: AppDeps, t: RotationTarget): SecretSpec {
  const target = secretTarget(deps.config, t.repo, t.secret);
  return {
    kind: t.secret.kind,
    host: t.secret.host,
    scopes: t.secret.scopes,
    maxAgeDays: t.secret.maxAgeDays,
    target: target.repo ? `${target.repo.owner}/${target.repo.name}` : null,
    purpose: target.isMirror ? 'sync' : 'release',
  };
}

export async function auditRotation(deps: AppDeps, actor: string, action: string, outcome: string, r: Pick<Rotation, 'id' | 'repo' | 'secret'> | null, detail: Record<string, unknown> = {}): Promise<void> {
  await deps.store.audit.record({ actor, action, outcome, ...(r ? { repo: r.repo, detail: { rotation: r.id, secret: r.secret, ...detail } } : { detail }) }, deps.now());
}

export type StartResult = { kind: 'started'; rotation: Rotation } | { kind: 'refused'; text: string; why: string };

/**
 * Starts a rotation: stores it (one per secret), posts its checklist in the repo's
 * channel, opens the thread with a public reply (an ephemeral message only shows in a
 * thread that has one), and sends the requester their first step privately.
 */
export async function startRotation(deps: AppDeps, client: WebClient, o: { repo: ResolvedRepo; secret: SecretConfig; user: string; channel: string }): Promise<StartResult> {
  const { repo, secret } = o;
  const { block } = await secretMayChange(deps, repo, secret, { kind: 'rotation_start' });
  if (block) return { kind: 'refused', text: refusalText(block), why: 'change_busy' };
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
  if (created.kind === 'busy') return { kind: 'refused', text: rotationText.busy(secret.name), why: 'busy' };
  const rotation = created.rotation;
  let ts: string;
  try {
    const posted = await callSlack('post the rotation', () => client.chat.postMessage({ channel: rotation.channel, ...renderRotation(rotation, null), unfurl_links: false }));
    if (!posted.ts) throw new Error('chat.postMessage returned no ts');
    ts = posted.ts;
    await deps.store.rotations.setMessage(rotation.id, ts);
  } catch (e) {
    deps.logger.warn({ err: e, rotation: rotation.id }, 'rotation message not posted; cancelling the rotation');
    await deps.store.rotations.write(rotation.id, rotation.version, { status: 'cancelled', state: rotation.state, finishedBy: 'system' }, deps.now());
    await auditRotation(deps, 'system', 'rotation:start', 'withdrawn:not_posted', rotation);
    return { kind: 'refused', text: rotationText.notPosted, why: 'not_posted' };
  }
  const started = { ...rotation, messageTs: ts };
  await auditRotation(deps, o.user, 'rotation:start', 'started', started, { kind: secret.kind, verify: verifyMethod ?? 'none' });
  // Reminders of this secret stop offering to start what has started.
  await syncReminderMessagesSoon(deps, repo.github, secret.name);
  await callSlack('reply in the rotation thread', () => client.chat.postMessage({ channel: started.channel, thread_ts: ts, text: rotationText.threadIntro(o.user) })).catch((e: unknown) =>
    deps.logger.warn({ err: e, rotation: started.id }, 'rotation thread reply not posted'),
  );
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
  if (res.kind === 'refused') return { text: res.text, outcome: `refused:${res.why}` };
  return { text: rotationText.started(o.secret.name, res.rotation.channel), outcome: 'started' };
}

/** The current approval request of a rotation, as the core sees it. */
async function changeOf(deps: AppDeps, r: Rotation): Promise<{ view: ChangeView | null; change: SecretChange | null }> {
  if (!r.state.changeId) return { view: null, change: null };
  const c = await deps.store.secretChanges.get(r.state.changeId);
  if (!c) return { view: null, change: null };
  return { view: { id: c.id, status: c.status, updatedAt: c.outcome?.updatedAt ?? null, decidedBy: c.decidedBy, error: c.error, writeUnknown: c.outcome?.writeUnknown === true }, change: c };
}

export type AdvanceResult = { kind: 'moved'; rotation: Rotation } | { kind: 'same'; rotation: Rotation | null } | { kind: 'refused'; reason: Extract<Decision, { kind: 'refused' }>['reason']; rotation: Rotation | null };

/**
 * Applies one event: decide (pure), write with compare-and-set, then perform the
 * effects. A lost race re-reads and decides again, so each step is taken once.
 */
export async function advance(deps: AppDeps, client: WebClient, rotationId: string, event: RotationEvent): Promise<AdvanceResult> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const r = await deps.store.rotations.get(rotationId);
    if (!r) return { kind: 'refused', reason: 'not_active', rotation: null };
    const d = decide(r, event, deps.now());
    if (d.kind === 'same') return { kind: 'same', rotation: r };
    if (d.kind === 'refused') return { kind: 'refused', reason: d.reason, rotation: r };
    const now = deps.now();
    if (!(await deps.store.rotations.write(r.id, r.version, { status: d.status, state: d.state, finishedBy: d.finishedBy }, now))) continue;
    const next: Rotation = { ...r, status: d.status, state: d.state, version: r.version + 1, updatedAt: now, ...(d.status !== 'active' ? { finishedAt: now, finishedBy: d.finishedBy } : {}) };
    await auditRotation(deps, actorOf(event), `rotation:${event.kind}`, d.status === r.status ? 'ok' : d.status, next);
    if (needsWatching(next)) await scheduleWatch(deps, next);
    await render(deps, client, next);
    // Finished: reminders say so; cancelled: they offer to start it again.
    if (d.status !== r.status) await syncReminderMessagesSoon(deps, r.repo, r.secret);
    for (const effect of d.effects) await perform(deps, client, next, effect);
    return { kind: 'moved', rotation: next };
  }
  throw new Error(`rotation ${rotationId}: too many concurrent writes`);
}

/**
 * Ties a new approval request to its rotation. If the rotation moved on meanwhile
 * (cancelled, a second submit) the request must not outlive it: it is withdrawn.
 */
export async function attachChange(deps: AppDeps, client: WebClient, rotationId: string, change: SecretChange, newKey?: { fingerprint: string; title: string }): Promise<{ ok: true } | { ok: false; text: string }> {
  const moved = await advance(deps, client, rotationId, { kind: 'change_requested', changeId: change.id, ...(newKey ? { newKey } : {}) });
  if (moved.kind === 'moved') return { ok: true };
  if (await deps.store.secretChanges.withdraw(change.id, 'system', deps.now())) {
    await auditChange(deps, 'system', 'secret:cancel', 'withdrawn:rotation_moved', change);
    await syncMessage(deps, client, change.id);
  }
  return { ok: false, text: moved.kind === 'refused' ? rotationText.refused[moved.reason] : rotationText.refused.not_now };
}

function actorOf(e: RotationEvent): string {
  return 'by' in e ? e.by : 'system';
}

async function scheduleWatch(deps: AppDeps, r: Rotation): Promise<void> {
  const seconds = r.state.changeStatus ? WATCH_SECONDS.approval : WATCH_SECONDS.run;
  // `sooner`: a watch queued for the slower approval pace is brought forward once a run is to be followed.
  await deps.store.jobs.enqueue(
    { kind: ROTATION_WATCH, payload: { rotationId: r.id }, dedupeKey: `rotation-watch:${r.id}`, runAt: new Date(deps.now().getTime() + seconds * 1000), sooner: true },
    deps.now(),
  );
}

/** Edits the checklist message to match the stored state; a refused edit is tried again by a tick job. */
export async function render(deps: AppDeps, client: WebClient, r: Rotation): Promise<void> {
  if (!r.messageTs) return;
  const { view } = await changeOf(deps, r);
  try {
    await callSlack('update the rotation', () => client.chat.update({ channel: r.channel, ts: r.messageTs ?? '', ...renderRotation(r, view) }));
  } catch (e) {
    deps.logger.warn({ err: e, rotation: r.id }, 'rotation message not updated; will retry');
    await deps.store.jobs.enqueue(
      { kind: ROTATION_TICK, payload: { rotationId: r.id, render: true }, dedupeKey: `rotation-render:${r.id}`, runAt: new Date(deps.now().getTime() + 30_000) },
      deps.now(),
    );
  }
}

async function perform(deps: AppDeps, client: WebClient, r: Rotation, effect: RotationEffect): Promise<void> {
  const target = targetOf(deps, r);
  switch (effect.kind) {
    case 'prompt_enter':
      if (target) await promptEnter(deps, client, r, target);
      return;
    case 'prompt_old':
      if (target) await ephemeral(deps, client, r, renderOldPrompt(r, secretSpec(deps, target)));
      return;
    case 'announce':
      await threadReply(deps, client, r, announcement(r, effect.what));
      return;
    case 'withdraw_change': {
      const by = r.finishedBy ?? 'system';
      if (await deps.store.secretChanges.withdraw(effect.changeId, by, deps.now())) {
        const c = await deps.store.secretChanges.get(effect.changeId);
        await auditChange(deps, by, 'secret:cancel', 'withdrawn:rotation_cancelled', c);
        await syncMessage(deps, client, effect.changeId);
      }
      return;
    }
    case 'start_verify': {
      const ev = target ? await startVerification(deps, r, target) : { kind: 'verify_start_failed' as const, detail: 'the secret is no longer configured' };
      if (ev) await advance(deps, client, r.id, ev);
      return;
    }
    case 'close_pick':
      await closePick(deps, client, r);
      return;
    case 'delete_old_key': {
      const ev = await deleteOldDeployKey(deps, effect.key);
      if (ev) await advance(deps, client, r.id, ev);
      return;
    }
  }
}

function announcement(r: Rotation, what: Announcement): string {
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

async function threadReply(deps: AppDeps, client: WebClient, r: Rotation, text: string): Promise<void> {
  if (!r.messageTs) return;
  await callSlack('reply in the rotation thread', () => client.chat.postMessage({ channel: r.channel, thread_ts: r.messageTs ?? undefined, text })).catch((e: unknown) =>
    deps.logger.warn({ err: e, rotation: r.id }, 'rotation thread reply not posted'),
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

/**
 * Looks at whatever the rotation waits on by itself: its approval request, the
 * verification run, the old deploy key to delete. Comes back while it still waits.
 */
async function watchOnce(deps: AppDeps, client: WebClient, rotationId: string): Promise<{ rotation: Rotation | null; deleteFailed: boolean }> {
  let r = await deps.store.rotations.get(rotationId);
  if (!r || r.status !== 'active') return { rotation: r, deleteFailed: false };
  const { view } = await changeOf(deps, r);
  if (view && r.state.changeStatus) {
    const res = await advance(deps, client, r.id, { kind: 'change_seen', change: view });
    r = res.rotation ?? r;
  }
  if (r.state.verify.state === 'starting' || r.state.verify.state === 'running') {
    const target = targetOf(deps, r);
    const ev = target ? await checkVerification(deps, r, target) : { kind: 'verify_start_failed' as const, detail: 'the secret is no longer configured' };
    if (ev) r = (await advance(deps, client, r.id, ev)).rotation ?? r;
  }
  const key = r.state.old.deployKey;
  if (r.secretKind === 'deploy-key' && r.state.replacedAt && r.state.old.state === 'waiting' && key && (r.state.verify.state === 'passed' || r.state.verify.state === 'skipped')) {
    const ev = await deleteOldDeployKey(deps, key);
    if (ev) r = (await advance(deps, client, r.id, ev)).rotation ?? r;
    else return { rotation: r, deleteFailed: true };
  }
  return { rotation: r, deleteFailed: false };
}

/** A mirror that keeps refusing to delete the old key is asked less and less often: 15 s, 30 s, … at most hourly. */
export function deleteRetrySeconds(failures: number): number {
  return Math.min(WATCH_SECONDS.run * 2 ** Math.max(0, failures - 1), 3600);
}

const Payload = z.object({ rotationId: z.string(), render: z.boolean().optional(), deleteFailures: z.number().int().min(0).optional() });

export function rotationWatcher(deps: AppDeps, client: WebClient): JobHandler {
  return {
    kind: ROTATION_WATCH,
    leaseSeconds: 15,
    async run(job: Job): Promise<JobResult> {
      const { rotationId, deleteFailures = 0 } = Payload.parse(job.payload);
      const { rotation: r, deleteFailed } = await watchOnce(deps, client, rotationId);
      if (!r || !needsWatching(r)) return { kind: 'done' };
      const failures = deleteFailed ? deleteFailures + 1 : 0;
      const seconds = failures > 0 ? deleteRetrySeconds(failures) : r.state.changeStatus ? WATCH_SECONDS.approval : WATCH_SECONDS.run;
      let at = deps.now().getTime() + seconds * 1000;
      // A re-run asked for but not seen on GitHub: look again as soon as it may be asked for again.
      const v = r.state.verify;
      if (v.state === 'starting' && v.method === 'rerun' && v.startedAt) at = Math.min(at, Math.max(deps.now().getTime() + 1000, Date.parse(v.startedAt) + VERIFY_TAKEOVER_MS + 500));
      return { kind: 'again', at: new Date(at), payload: { rotationId, deleteFailures: failures } };
    },
  };
}

/** Runs a rotation's step right away after an event elsewhere (its approval request moved), or re-renders its message. */
export function rotationTicker(deps: AppDeps, client: WebClient): JobHandler {
  return {
    kind: ROTATION_TICK,
    leaseSeconds: 15,
    async run(job: Job): Promise<JobResult> {
      const { rotationId, render: only } = Payload.parse(job.payload);
      if (only) {
        const r = await deps.store.rotations.get(rotationId);
        if (r) await render(deps, client, r);
        return { kind: 'done' };
      }
      await watchOnce(deps, client, rotationId);
      return { kind: 'done' };
    },
  };
}
