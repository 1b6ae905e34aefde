import type { AppDeps } from '../deps.js';
import type { Rotation } from '../core/rotation/state.js';
import { ENTRY_LINK_MINUTES } from '../ui/rotationPrompts.js';

/** The path of the masked entry page; the link's secret part follows it. */
export const ENTRY_PATH = '/enter';

/**
 * The link part of a masked-page URL wherever it appears in text (also URL-encoded),
 * for the log sanitizer: every replica masks it, whichever minted the link.
 */
export const ENTRY_LINK_IN_TEXT = { re: /(\/|%2F)enter(\/|%2F)[^\s/?#"'<>\\&]+/gi, replacement: '$1enter$2[REDACTED]' };

/**
 * The masked page is served by the bot's own HTTP server, so it needs one that
 * browsers reach: HTTP mode (a Socket Mode bot may have no public address) and PUBLIC_URL.
 */
export function maskedPageEnabled(deps: Pick<AppDeps, 'config'>): boolean {
  const { env } = deps.config;
  return !env.SLACK_APP_TOKEN && Boolean(env.PUBLIC_URL);
}

/** A fresh one-time link for this rotation's requester (any unused earlier one of theirs stops working). */
export async function mintEntryLink(deps: AppDeps, r: Rotation, user: string): Promise<{ url: string; expiresAt: Date }> {
  const now = deps.now();
  const ttlMs = ENTRY_LINK_MINUTES * 60_000;
  const secret = await deps.store.entryLinks.mint({ rotationId: r.id, userId: user, ttlMs }, now);
  // The link is a credential for one submission: keep it out of the logs like every other
  // (registered for good: links are few, and the pattern ENTRY_LINK_IN_TEXT covers it in URLs anyway).
  deps.sanitizer.register(secret);
  return { url: `${deps.config.env.PUBLIC_URL ?? ''}${ENTRY_PATH}/${secret}`, expiresAt: new Date(now.getTime() + ttlMs) };
}
