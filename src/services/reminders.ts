import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import { z } from 'zod';
import { dueReminders, type SecretDates } from '../core/reminders/due.js';
import { offerKey, reminderOffer, settledKey, storedReminder, type ReminderOffer, type SecretHistory } from '../core/reminders/offer.js';
import { isChatOpsError } from '../errors.js';
import { callSlack } from '../slack/slackErrors.js';
import { renderReminder } from '../ui/reminders.js';
import { syncLeakWarnings } from './leakMessages.js';
import type { Job } from '../store/index.js';
import type { JobHandler, JobResult } from '../worker/runner.js';
import { recordAudit } from './audit.js';

/** The daily check; one job for all replicas (its dedupe key), re-queued for the next day by whoever ran it. */
export const REMINDERS_DAILY = 'reminders.daily';
/** Edits the posted reminders and leak warnings of one secret to what they still offer; payload { repo, secret }. */
export const REMINDERS_SYNC = 'reminders.sync';
const DEDUPE_KEY = 'reminders:daily';
/** The next daily check: at `hourUtc` (configuration `reminders.hourUtc`, default 09:00 UTC). */
export function nextReminderRun(now: Date, hourUtc: number): Date {
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hourUtc));
  if (next.getTime() <= now.getTime()) next.setUTCDate(next.getUTCDate() + 1);
  return next;
}

/** At start-up: make sure the daily check exists, and run it now (a new deployment learns what is due without waiting for 09:00). */
export async function ensureReminderJob(deps: AppDeps): Promise<void> {
  if (!deps.config.file.reminders.enabled) return;
  await deps.store.jobs.enqueue({ kind: REMINDERS_DAILY, payload: {}, dedupeKey: DEDUPE_KEY, runAt: deps.now(), sooner: true }, deps.now());
}

/** Dates of every configured secret: `updated_at` from GitHub (one list per repo), expiry from the last approved replacement's checks. */
async function secretDates(deps: AppDeps): Promise<SecretDates[]> {
  const all: SecretDates[] = [];
  for (const repo of deps.config.repos) {
    if (repo.secrets.length === 0) continue;
    let listed: Map<string, string> | null = null;
    try {
      const ref = { owner: repo.owner, name: repo.repo };
      const { actions } = await deps.gateways.repo(ref);
      listed = new Map((await actions.listSecrets(ref)).map((s) => [s.name.toUpperCase(), s.updatedAt]));
    } catch (e) {
      if (!isChatOpsError(e)) throw e;
      // Without GitHub's dates the recorded expiries still count.
      deps.logger.warn({ err: e, repo: repo.github }, 'reminders: secrets not listed');
    }
    for (const s of repo.secrets) {
      const last = await deps.store.secretChanges.lastDone(repo.github, s.name, 'replace');
      const expiresAt = last?.facts.expiresAt ? new Date(last.facts.expiresAt) : null;
      const updated = listed?.get(s.name.toUpperCase());
      all.push({ repo: repo.github, secret: s.name, maxAgeDays: s.maxAgeDays, updatedAt: updated ? new Date(updated) : null, expiresAt });
    }
  }
  return all;
}

/** Posts what is due, each reminder once: claimed in the store first, given back if the post fails. */
export async function sendDueReminders(deps: AppDeps, client: WebClient): Promise<number> {
  const now = deps.now();
  let sent = 0;
  for (const r of dueReminders(await secretDates(deps), now)) {
    const repo = deps.config.repos.find((x) => x.github === r.repo);
    const secret = repo?.secrets.find((s) => s.name === r.secret);
    if (!repo || !secret) continue;
    if (!repo.channel) {
      deps.logger.warn({ repo: r.repo, secret: r.secret }, 'reminder due but the repository has no channel configured');
      continue;
    }
    if (!(await deps.store.reminders.claim({ key: r.key, repo: r.repo, secret: r.secret }, now))) continue;
    const offer = reminderOffer(now, await historyOf(deps, r.repo, r.secret));
    try {
      const posted = await callSlack('post a reminder', () =>
        client.chat.postMessage({
          channel: repo.channel ?? '',
          ...renderReminder(r, { repoName: repo.shortName, maxAgeDays: secret.maxAgeDays, offer }),
          unfurl_links: false,
        }),
      );
      await deps.store.reminders.sent(r.key, repo.channel, posted.ts ?? '', {
        basis: r.basis,
        deadline: r.deadline,
        threshold: r.threshold,
        daysLeft: r.daysLeft,
        offer: offerKey(offer),
      });
      sent += 1;
      await recordAudit(
        deps,
        {
          actor: 'system',
          action: 'reminder',
          repo: r.repo,
          outcome: 'sent',
          detail: { secret: r.secret, basis: r.basis, threshold: r.threshold, deadline: r.deadline.toISOString() },
        },
        now,
      );
    } catch (e) {
      await deps.store.reminders.release(r.key);
      deps.logger.warn({ err: e, repo: r.repo, secret: r.secret }, 'reminder not posted; the next run tries again');
    }
  }
  return sent;
}

export function reminderScheduler(deps: AppDeps, client: WebClient): JobHandler {
  return {
    kind: REMINDERS_DAILY,
    leaseSeconds: 30,
    async run(_job: Job): Promise<JobResult> {
      // Turned off since it was queued: the job ends; turning it on again starts it at the next start-up.
      if (!deps.config.file.reminders.enabled) return { kind: 'done' };
      try {
        await sendDueReminders(deps, client);
        // Catches up on edits a crash or a Slack outage left undone.
        for (const s of await deps.store.reminders.unsettled()) await syncReminderMessagesSoon(deps, s.repo, s.secret);
      } catch (e) {
        // A bad day (store or GitHub down) must not end the daily schedule: tomorrow's run catches up.
        deps.logger.error({ err: e }, 'reminders: the daily check failed');
      }
      return { kind: 'again', at: nextReminderRun(deps.now(), deps.config.file.reminders.hourUtc) };
    },
  };
}

/** What the bot knows of a secret since its reminders: the rotation under way, the last one that ended, its last change. */
export async function historyOf(deps: AppDeps, repo: string, secret: string): Promise<SecretHistory> {
  const active = await deps.store.rotations.active(repo, secret);
  const last = await deps.store.rotations.lastFinished(repo, secret);
  const replaced = await deps.store.secretChanges.lastDone(repo, secret, 'replace');
  const revoked = await deps.store.secretChanges.lastDone(repo, secret, 'revoke');
  const change = [replaced, revoked].filter((c) => c !== null).sort((a, b) => (b.finishedAt?.getTime() ?? 0) - (a.finishedAt?.getTime() ?? 0))[0] ?? null;
  return {
    active: active ? { requestedBy: active.requestedBy, createdAt: active.createdAt } : null,
    lastFinished:
      last && last.status !== 'active'
        ? { status: last.status, requestedBy: last.requestedBy, finishedBy: last.finishedBy, finishedAt: last.finishedAt }
        : null,
    lastChange: change ? { action: change.action, decidedBy: change.decidedBy, finishedAt: change.finishedAt } : null,
  };
}

/**
 * Asks for the reminders (and leak warnings) of a secret to be brought in line with what they still offer
 * (a rotation started, ended, or the secret was set): a job, so a Slack outage or a
 * restart only delays the edit.
 */
export async function syncReminderMessagesSoon(deps: AppDeps, repo: string, secret: string): Promise<void> {
  await deps.store.jobs.enqueue(
    { kind: REMINDERS_SYNC, payload: { repo, secret }, dedupeKey: `reminders-sync:${repo}:${secret}`, runAt: deps.now(), sooner: true },
    deps.now(),
  );
  deps.wake?.();
}

/** Edits each posted reminder of the secret whose offer changed; false if Slack refused one (the job retries). */
export async function syncReminderMessages(deps: AppDeps, client: WebClient, repo: string, secret: string): Promise<boolean> {
  const config = deps.config.repos.find((x) => x.github === repo);
  const spec = config?.secrets.find((s) => s.name === secret);
  if (!config || !spec) return true;
  const history = await historyOf(deps, repo, secret);
  let ok = true;
  for (const row of await deps.store.reminders.ofSecret(repo, secret)) {
    if (settledKey(row.offer)) continue;
    const r = storedReminder(row);
    if (!r) continue;
    const offer: ReminderOffer = reminderOffer(row.claimedAt, history);
    const key = offerKey(offer);
    if (key === (row.offer ?? 'open')) continue;
    try {
      await callSlack('update a reminder', () =>
        client.chat.update({
          channel: row.channel,
          ts: row.messageTs,
          ...renderReminder(r, { repoName: config.shortName, maxAgeDays: spec.maxAgeDays, offer }),
        }),
      );
      await deps.store.reminders.setOffer(row.key, key);
      await recordAudit(deps, { actor: 'system', action: 'reminder', repo, outcome: `edited:${offer.kind}`, detail: { secret, key: row.key } });
    } catch (e) {
      ok = false;
      deps.logger.warn({ err: e, repo, secret, reminder: row.key }, 'reminder not edited; will retry');
    }
  }
  return ok;
}

const SyncPayload = z.object({ repo: z.string(), secret: z.string() });

export function reminderMessenger(deps: AppDeps, client: WebClient): JobHandler {
  return {
    kind: REMINDERS_SYNC,
    leaseSeconds: 15, // renewed while it runs (worker heartbeat)
    async run(job: Job): Promise<JobResult> {
      const { repo, secret } = SyncPayload.parse(job.payload);
      const reminders = await syncReminderMessages(deps, client, repo, secret);
      // Leak warnings offer the same Start rotation (services/leakMessages.ts).
      const leaks = await syncLeakWarnings(deps, client, repo, secret, (r, s) => historyOf(deps, r, s));
      return reminders && leaks ? { kind: 'done' } : { kind: 'retry', error: 'Slack refused a reminder or leak warning update' };
    },
  };
}
