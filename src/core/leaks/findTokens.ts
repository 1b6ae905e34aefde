/**
 * GitHub tokens in a message's text, by the shapes GitHub gives them: `ghp_` (classic
 * PAT), `gho_` (OAuth), `ghu_` (user-to-server), `ghs_` (server-to-server), `ghr_`
 * (refresh) followed by 36 or more base62 characters, and `github_pat_` (fine-grained)
 * followed by 82 characters. Slack's formatting around them (backticks, code blocks,
 * `<…>` links, punctuation) is not part of the token; a longer word containing one is
 * not a token.
 */

export type LeakedKind = 'classic' | 'oauth' | 'user-to-server' | 'server-to-server' | 'refresh' | 'fine-grained';

const PREFIX_KIND: Record<string, LeakedKind> = { ghp: 'classic', gho: 'oauth', ghu: 'user-to-server', ghs: 'server-to-server', ghr: 'refresh' };

const TOKEN = /(?<![A-Za-z0-9_])(?:(gh[pousr])_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{82})(?![A-Za-z0-9_])/g;

export interface FoundToken {
  value: string;
  kind: LeakedKind;
}

export function findTokens(text: string): FoundToken[] {
  const seen = new Map<string, FoundToken>();
  for (const m of text.slice(0, 40_000).matchAll(TOKEN)) {
    const value = m[0];
    if (!seen.has(value)) seen.set(value, { value, kind: m[1] ? (PREFIX_KIND[m[1]] ?? 'classic') : 'fine-grained' });
  }
  return [...seen.values()];
}

/** How to name a kind without quoting any of the token: its prefix only. */
export function kindLabel(kind: LeakedKind): string {
  const labels: Record<LeakedKind, string> = {
    classic: 'classic personal access token (`ghp_…`)',
    'fine-grained': 'fine-grained personal access token (`github_pat_…`)',
    oauth: 'OAuth token (`gho_…`)',
    'user-to-server': 'GitHub App user token (`ghu_…`)',
    'server-to-server': 'GitHub App installation token (`ghs_…`)',
    refresh: 'refresh token (`ghr_…`)',
  };
  return labels[kind];
}
