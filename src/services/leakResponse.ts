import { setTimeout as sleep } from 'node:timers/promises';
import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import type { FoundToken } from '../core/leaks/findTokens.js';
import { displayHost } from '../github/octokit.js';
import { callSlack } from '../slack/slackErrors.js';
import { renderLeakOutcome, renderLeakWarning, type LeakOutcome, type RotationOffer } from '../ui/leaks.js';
import { knownApiUrls } from './secretTargets.js';
import { offersAsTheyStand } from './leakMessages.js';
import { historyOf } from './reminders.js';
import { PROOF_SPACING_MS, PROOF_TRIES, revokerFor } from './rotationOldToken.js';
import { recordAudit } from './audit.js';

/**
 * A GitHub token seen in a channel message: warn in the message's thread (without a
 * character of it), revoke it through GitHub's credential revocation API on the host
 * that accepts it, prove it dead, and say so by editing the warning.
 *
 * The token is held only in this call's memory, registered with the log sanitizer
 * meanwhile, and never stored: a restart during these few seconds loses the revocation
 * (the warning then still tells people to revoke it by hand), which is the price of
 * not keeping a leaked credential anywhere.
 */
export async function respondToLeak(
  deps: AppDeps,
  client: WebClient,
  o: { channel: string; threadTs: string; author: string | null; tokens: FoundToken[] },
): Promise<void> {
  const releases = o.tokens.map((t) => deps.sanitizer.register(t.value));
  try {
    const { checked, unchecked } = splitForChecking(o.tokens);
    const offered = rotationOffers(deps, o.channel);
    const history = (repo: string, secret: string) => historyOf(deps, repo, secret);
    const postedAt = deps.now();
    // A rotation already under way is shown as such from the start.
    const first = await offersAsTheyStand(offered, postedAt, history);
    const kinds = o.tokens.map((t) => t.kind);
    const posted = await callSlack('post a leak warning', () =>
      client.chat.postMessage({
        channel: o.channel,
        thread_ts: o.threadTs,
        ...renderLeakWarning({ kinds, author: o.author, offers: first.offers, unchecked }),
        unfurl_links: false,
      }),
    );
    // Kept (never the token) so the offers can be edited when a rotation of their secret starts or ends.
    const kept = posted.ts && offered.length > 0;
    if (kept)
      await deps.store.leakMessages.add({
        channel: o.channel,
        messageTs: posted.ts ?? '',
        postedAt,
        author: o.author,
        kinds,
        unchecked,
        offers: offered,
        shown: first.shown,
      });
    await recordAudit(deps, {
      actor: o.author ?? 'unknown',
      action: 'leak:detected',
      outcome: 'warned',
      detail: { channel: o.channel, kinds: [...new Set(kinds)], count: kinds.length, unchecked },
    });
    const outcomes = await revokeLeaked(deps, checked);
    if (posted.ts) {
      if (kept) await deps.store.leakMessages.setOutcomes(o.channel, posted.ts, outcomes);
      // The offers as they stand now: a rotation may have started during the revocation.
      const now = await offersAsTheyStand(offered, postedAt, history);
      await callSlack('update the leak warning', () =>
        client.chat.update({
          channel: o.channel,
          ts: posted.ts ?? '',
          ...renderLeakOutcome({ kinds, author: o.author, offers: now.offers, outcomes, unchecked }),
        }),
      );
      if (kept) await deps.store.leakMessages.setShown(o.channel, posted.ts, now.shown);
    }
    await recordAudit(deps, {
      actor: 'system',
      action: 'leak:revoke',
      outcome: unchecked === 0 && outcomes.every((x) => x.kind === 'revoked' || x.kind === 'not_valid') ? 'dead' : 'alive',
      detail: { channel: o.channel, outcomes: outcomes.map((x) => ({ kind: x.kind, host: x.host })), unchecked },
    });
  } finally {
    for (const release of releases) release();
  }
}

/**
 * Tokens checked per message: each costs a probe per known host and a few proofs, so a
 * message stuffed with token-shaped strings cannot turn into thousands of GitHub
 * requests (or spend the revocation API's 60 requests an hour). The rest are named as
 * not checked, to be revoked by hand.
 */
export const MAX_CHECKED_PER_MESSAGE = 10;

export function splitForChecking(tokens: FoundToken[]): { checked: FoundToken[]; unchecked: number } {
  return { checked: tokens.slice(0, MAX_CHECKED_PER_MESSAGE), unchecked: Math.max(0, tokens.length - MAX_CHECKED_PER_MESSAGE) };
}

/** The token-kind secrets of the repos whose channel this is: what a leak there most likely was. */
function rotationOffers(deps: AppDeps, channel: string): RotationOffer[] {
  return deps.config.repos
    .filter((r) => r.channel === channel)
    .flatMap((r) => r.secrets.filter((s) => s.kind !== 'deploy-key').map((s) => ({ repo: r.github, repoName: r.shortName, secret: s.name })))
    .slice(0, 5);
}

/**
 * Finds the host that accepts each token (only that one can revoke it), sends each
 * host's tokens in one revocation request, then proves each one dead. Outcomes in the
 * order of `tokens`.
 */
async function revokeLeaked(deps: AppDeps, tokens: FoundToken[]): Promise<LeakOutcome[]> {
  const found: Array<{ apiUrl: string; login: string } | null> = [];
  for (const t of tokens) {
    let hit: { apiUrl: string; login: string } | null = null;
    for (const apiUrl of knownApiUrls(deps.config)) {
      const who = await deps.gateways.tokenProbe(apiUrl, t.value).identity();
      if (who.ok) {
        hit = { apiUrl, login: who.value.login };
        break;
      }
    }
    found.push(hit);
  }
  const outcomes: LeakOutcome[] = found.map((f) =>
    f ? { kind: 'still_alive', host: displayHost(f.apiUrl), login: f.login } : { kind: 'not_valid', host: null },
  );
  for (const apiUrl of new Set(found.flatMap((f) => (f ? [f.apiUrl] : [])))) {
    const mine = tokens.flatMap((t, i) => (found[i]?.apiUrl === apiUrl ? [i] : []));
    const host = displayHost(apiUrl);
    const revoker = revokerFor(deps, apiUrl);
    const revoked = revoker ? await revoker.revoke(mine.map((i) => tokens[i]?.value ?? '')) : null;
    for (const i of mine) {
      const login = found[i]?.login ?? '';
      if (!revoked || revoked.kind === 'unsupported') outcomes[i] = { kind: 'unsupported', host, login };
      else if (revoked.kind === 'rate_limited') outcomes[i] = { kind: 'rate_limited', host, login };
      else if (revoked.kind === 'failed') outcomes[i] = { kind: 'failed', host, login, reason: revoked.reason };
      else outcomes[i] = (await provenDead(deps, apiUrl, tokens[i]?.value ?? '')) ? { kind: 'revoked', host, login } : { kind: 'still_alive', host, login };
    }
  }
  return outcomes;
}

async function provenDead(deps: AppDeps, apiUrl: string, token: string): Promise<boolean> {
  const probe = deps.gateways.tokenProbe(apiUrl, token);
  for (let i = 0; i < PROOF_TRIES; i++) {
    if (i > 0) await sleep(PROOF_SPACING_MS);
    const after = await probe.identity();
    if (!after.ok && after.reason === 'bad_credentials') return true;
  }
  return false;
}
