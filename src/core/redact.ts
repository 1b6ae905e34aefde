/**
 * Removes anything shaped like a credential from text that may be shown to people or
 * written to logs. GitHub already masks registered secrets as `***` in job logs, but a
 * token can still leak through a value it did not know to mask (a token built inside a
 * step, a URL echoed by git), so every log excerpt goes through this first.
 */

export const REDACTED = '[redacted]';

const PATTERNS: Array<[RegExp, string]> = [
  // GitHub tokens: classic PAT, OAuth, user-to-server, server-to-server, refresh.
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, REDACTED],
  // Fine-grained PATs.
  [/\bgithub_pat_[A-Za-z0-9_]{20,}/g, REDACTED],
  // Slack tokens (bot, user, app-level, config).
  [/\bxox[abeprs]-[A-Za-z0-9-]{10,}/g, REDACTED],
  [/\bxapp-[A-Za-z0-9-]{10,}/g, REDACTED],
  // user:password@ in a URL (git remotes such as https://oauth2:TOKEN@host/).
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@:]*:[^\s/?#@]*@/gi, `$1${REDACTED}@`],
  // Authorization headers echoed by curl -v or a debug log.
  [/\b(authorization:\s*(?:bearer|token|basic)\s+)[^\s"']+/gi, `$1${REDACTED}`],
];

/** `text` with every token-shaped substring replaced by `[redacted]`. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
  return out;
}
