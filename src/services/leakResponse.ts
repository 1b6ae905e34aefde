import { setTimeout as sleep } from 'node:timers/promises';
import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import type { FoundToken } from '../core/leaks/findTokens.js';
import { CredentialsGateway } from '../github/credentialsGateway.js';
import { displayHost } from '../github/octokit.js';
import { TokenProbe } from '../github/tokenProbe.js';
import { callSlack } from '../slack/slackErrors.js';
import { renderLeakOutcome, renderLeakWarning, type LeakOutcome, type RotationOffer } from '../ui/leaks.js';
import { knownApiUrls } from './secretTargets.js';
import { PROOF_SPACING_MS, PROOF_TRIES, revokerFor } from './rotationOldToken.js';

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
export async function respondToLeak(deps: AppDeps, client: WebClient, o: { channel: string; threadTs: string; author: string | null; tokens: FoundToken[] }): Promise<void> {
  const releases = o.tokens.map((t) => deps.sanitizer.register(t.value));
  try {
    const offers = rotationOffers(deps, o.channel);
    const posted = await callSlack('post a leak warning', () =>
      client.chat.postMessage({ channel: o.channel, thread_ts: o.threadTs, ...renderLeakWarning({ kinds: o.tokens.map((t) => t.kind), author: o.author, offers }), unfurl_links: false }),
    );
    await deps.store.audit.record({ actor: o.author ?? 'unknown', action: 'leak:detected', outcome: 'warned', detail: { channel: o.channel, kinds: o.tokens.map((t) => t.kind) } }, deps.now());
    const outcomes: LeakOutcome[] = [];
    for (const t of o.tokens) outcomes.push(await revokeLeaked(deps, t));
    if (posted.ts) {
      await callSlack('update the leak warning', () =>
        client.chat.update({ channel: o.channel, ts: posted.ts ?? '', ...renderLeakOutcome({ kinds: o.tokens.map((t) => t.kind), author: o.author, offers, outcomes }) }),
      );
    }
    await deps.store.audit.record(
      { actor: 'system', action: 'leak:revoke', outcome: outcomes.every((x) => x.kind === 'revoked' || x.kind === 'not_valid') ? 'dead' : 'alive', detail: { channel: o.channel, outcomes: outcomes.map((x) => ({ kind: x.kind, host: x.host })) } },
      deps.now(),
    );
  } finally {
    for (const release of releases) release();
  }
}

/** The token-kind secrets of the repos whose channel this is: what a leak there most likely was. */
function rotationOffers(deps: AppDeps, channel: string): RotationOffer[] {
  return deps.config.repos
    .filter((r) => r.channel === channel)
    .flatMap((r) => r.secrets.filter((s) => s.kind !== 'deploy-key').map((s) => ({ repo: r.github, repoName: r.shortName, secret: s.name })))
    .slice(0, 5);
}

async function revokeLeaked(deps: AppDeps, t: FoundToken): Promise<LeakOutcome> {
  // Which host accepts it? Only that one can revoke it, and proving it dead needs the same host.
  let found: { apiUrl: string; login: string } | null = null;
  for (const apiUrl of knownApiUrls(deps.config)) {
    const who = await new TokenProbe(deps.github.withToken(apiUrl, t.value)).identity();
    if (who.ok) {
      found = { apiUrl, login: who.value.login };
      break;
    }
  }
  if (!found) return { kind: 'not_valid', host: null };
  const host = displayHost(found.apiUrl);
  const revoker = revokerFor(deps, found.apiUrl);
  if (!revoker) return { kind: 'unsupported', host, login: found.login };
  const outcome = await new CredentialsGateway(revoker).revoke([t.value]);
  if (outcome.kind === 'rate_limited') return { kind: 'rate_limited', host, login: found.login };
  if (outcome.kind === 'unsupported') return { kind: 'unsupported', host, login: found.login };
  if (outcome.kind === 'failed') return { kind: 'failed', host, login: found.login, reason: outcome.reason };
  const probe = new TokenProbe(deps.github.withToken(found.apiUrl, t.value));
  for (let i = 0; i < PROOF_TRIES; i++) {
    if (i > 0) await sleep(PROOF_SPACING_MS);
    const after = await probe.identity();
    if (!after.ok && after.reason === 'bad_credentials') return { kind: 'revoked', host, login: found.login };
  }
  return { kind: 'still_alive', host, login: found.login };
}
