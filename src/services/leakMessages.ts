import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { offerKey, reminderOffer, settledKey, type SecretHistory } from '../core/reminders/offer.js';
import type { LeakMessage } from '../store/index.js';
import { callSlack } from '../slack/slackErrors.js';
import { renderLeakOutcome, renderLeakWarning, type LeakOutcome, type RotationOffer } from '../ui/leaks.js';
import { recordAudit } from './audit.js';

/**
 * Leak warnings keep their *Start rotation* offers true: each offer follows its secret
 * the way a reminder does (core/reminders/offer.ts: started, rotated, replaced, or back
 * after a cancel). The edits run in the `reminders.sync` job of the secret
 * (services/reminders.ts), so a Slack outage or a restart only delays them.
 */

export type HistoryOf = (repo: string, secret: string) => Promise<SecretHistory>;

const Kinds = z.array(z.enum(['classic', 'oauth', 'user-to-server', 'server-to-server', 'refresh', 'fine-grained']));
const Offers = z.array(z.object({ repo: z.string(), repoName: z.string(), secret: z.string() }));
const Outcomes = z.array(
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('revoked'), host: z.string(), login: z.string() }),
    z.object({ kind: z.literal('not_valid'), host: z.null() }),
    z.object({ kind: z.enum(['still_alive', 'rate_limited', 'unsupported']), host: z.string(), login: z.string() }),
    z.object({ kind: z.literal('failed'), host: z.string(), login: z.string(), reason: z.string() }),
  ]),
);

/** Each offer with what became of it since `postedAt`, and the key of that rendering. */
export async function offersAsTheyStand(offers: RotationOffer[], postedAt: Date, historyOf: HistoryOf): Promise<{ offers: RotationOffer[]; shown: string }> {
  const stood = await Promise.all(
    offers.map(async (o) => ({ repo: o.repo, repoName: o.repoName, secret: o.secret, state: reminderOffer(postedAt, await historyOf(o.repo, o.secret)) })),
  );
  return { offers: stood, shown: stood.map((o) => offerKey(o.state)).join('|') };
}

/** The warning as stored, rendered with these offers: with its revocation outcome once known. */
function renderStored(m: LeakMessage, offers: RotationOffer[]): { text: string; blocks: ReturnType<typeof renderLeakWarning>['blocks'] } | null {
  const kinds = Kinds.safeParse(m.kinds);
  const outcomes = m.outcomes === null ? null : Outcomes.safeParse(m.outcomes);
  if (!kinds.success || (outcomes && !outcomes.success)) return null;
  const base = { kinds: kinds.data, author: m.author, offers, unchecked: m.unchecked };
  return outcomes ? renderLeakOutcome({ ...base, outcomes: outcomes.data as LeakOutcome[] }) : renderLeakWarning(base);
}

/** Edits each leak warning that offers this secret and whose offers changed; false if Slack refused one (the job retries). */
export async function syncLeakWarnings(deps: AppDeps, client: WebClient, repo: string, secret: string, historyOf: HistoryOf): Promise<boolean> {
  const channel = deps.config.repos.find((r) => r.github === repo)?.channel;
  if (!channel) return true;
  let ok = true;
  for (const m of await deps.store.leakMessages.inChannel(channel)) {
    const stored = Offers.safeParse(m.offers);
    if (!stored.success) continue;
    const at = stored.data.findIndex((o) => o.repo === repo && o.secret === secret);
    // Not offered here, or already shown as done for good: nothing to edit.
    if (at < 0 || settledKey(m.shown?.split('|')[at] ?? null)) continue;
    const now = await offersAsTheyStand(stored.data, m.postedAt, historyOf);
    if (now.shown === m.shown) continue;
    const rendered = renderStored(m, now.offers);
    if (!rendered) continue;
    try {
      await callSlack('update a leak warning', () => client.chat.update({ channel: m.channel, ts: m.messageTs, ...rendered }));
      await deps.store.leakMessages.setShown(m.channel, m.messageTs, now.shown);
      await recordAudit(deps, {
        actor: 'system',
        action: 'leak:offer',
        repo,
        outcome: `edited:${now.offers[at]?.state?.kind ?? 'open'}`,
        detail: { secret, channel: m.channel, ts: m.messageTs },
      });
    } catch (e) {
      ok = false;
      deps.logger.warn({ err: e, repo, secret, channel: m.channel }, 'leak warning not edited; will retry');
    }
  }
  return ok;
}
