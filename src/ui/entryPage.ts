import type { SecretKind } from '../config/schema.js';

/**
 * The one-time masked entry page (HTML). Everything here is text for people; the
 * value someone typed is never part of it, not even after a refused submission.
 */

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export interface EntryPageContext {
  repo: string;
  secret: string;
  kind: SecretKind;
  host: string;
  scopes: string[];
  maxAgeDays: number;
  expiresAt: Date;
  triesLeft: number;
}

const STYLE = `
body{font:16px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,sans-serif;background:#f8f8f8;color:#1d1c1d;margin:0}
main{max-width:34rem;margin:3rem auto;background:#fff;border:1px solid #ddd;border-radius:8px;padding:1.5rem 2rem}
h1{font-size:1.3rem;margin:0 0 .75rem}
code{background:#f1f1f1;border-radius:3px;padding:0 .25rem}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input[type=password]{width:100%;box-sizing:border-box;font:inherit;padding:.5rem;border:1px solid #888;border-radius:4px}
button{margin-top:1rem;font:inherit;font-weight:600;color:#fff;background:#007a5a;border:0;border-radius:4px;padding:.5rem 1rem;cursor:pointer}
.problems{background:#fdf0f0;border-left:4px solid #c00;padding:.5rem 1rem;margin:1rem 0}
.ok{background:#eef8f3;border-left:4px solid #007a5a;padding:.5rem 1rem;margin:1rem 0}
small{color:#616061}`;

export interface PageHtml {
  status: number;
  html: string;
}

function page(status: number, title: string, body: string, nonce: string): PageHtml {
  return {
    status,
    html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex,nofollow"><title>${escapeHtml(title)}</title><style nonce="${nonce}">${STYLE}</style></head><body><main>${body}</main></body></html>`,
  };
}

function what(c: EntryPageContext): string {
  if (c.kind === 'classic-pat') {
    const scopes = c.scopes.map((s) => `<code>${escapeHtml(s)}</code>`).join(', ') || 'none configured';
    return `a classic token from ${escapeHtml(c.host)} with scope${c.scopes.length === 1 ? '' : 's'} ${scopes}, expiring within ${c.maxAgeDays} days`;
  }
  if (c.kind === 'fine-grained-pat')
    return `a fine-grained token from ${escapeHtml(c.host)} for this repository only (Actions and Contents: read and write), expiring within ${c.maxAgeDays} days`;
  return 'the private SSH key of the mirror’s write deploy key';
}

const utc = (d: Date) => `${d.toISOString().slice(11, 16)} UTC`;

/**
 * The form. `problems`: why the last submission was refused (sentences from the checks, never the value).
 * `hostError`: GitHub did not answer, so the value was not judged and the try not spent.
 */
export function renderEntryForm(
  c: EntryPageContext,
  nonce: string,
  problems: string[] = [],
  o: { hostError?: boolean; host?: 'GitHub' | 'Slack' } = {},
): PageHtml {
  const tries = c.triesLeft > 0 ? `<small>${c.triesLeft} tr${c.triesLeft === 1 ? 'y' : 'ies'} left on this link.</small>` : '';
  const headline = o.hostError
    ? `${o.host ?? 'GitHub'} did not answer, so the value could not be checked. Nothing was stored, and this did not count as a try: submit it again in a minute.`
    : 'Not accepted; nothing was stored.';
  const refused = problems.length
    ? `<div class="problems" role="alert"><strong>${headline}</strong><ul>${problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul>${tries}</div>`
    : '';
  return page(
    o.hostError ? 503 : problems.length ? 422 : 200,
    `New ${c.secret} for ${c.repo}`,
    `<h1>New value of <code>${escapeHtml(c.secret)}</code> for <code>${escapeHtml(c.repo)}</code></h1>
<p>Paste ${what(c)}. It is checked against its host, encrypted for GitHub at once and never shown again; the bot keeps no readable copy. An approver must agree before GitHub is changed.</p>
${refused}<form method="post" autocomplete="off"><label for="value">New ${escapeHtml(c.secret)}</label><input id="value" name="value" type="password" autocomplete="new-password" autocapitalize="off" spellcheck="false" maxlength="3000" required autofocus><button type="submit">Check and request approval</button></form>
<p><small>This page is for you alone and works once, until ${utc(c.expiresAt)}. You can close it to give up; nothing is stored until you submit.</small></p>`,
    nonce,
  );
}

export function renderEntryDone(o: { ok: boolean; secret: string; text: string }, nonce: string): PageHtml {
  return page(
    o.ok ? 200 : 502,
    o.ok ? 'Request sent' : 'Not sent',
    `<h1>${o.ok ? 'Checked and encrypted' : 'Not sent'}</h1><div class="${o.ok ? 'ok' : 'problems'}">${escapeHtml(o.text)}</div><p><small>${o.ok ? 'Follow the approval in the rotation’s thread in Slack. You can close this page.' : 'Nothing was stored. Ask for a new link in Slack with <strong>My next step</strong> in the rotation’s thread.'}</small></p>`,
    nonce,
  );
}

/** Used, expired, voided by a newer link, or never issued: all look the same from outside. */
export function renderEntryGone(nonce: string): PageHtml {
  return page(
    410,
    'Link no longer valid',
    `<h1>This link no longer works</h1><p>It was used, it expired, a newer link replaced it, or it never existed. Nothing was stored.</p><p>Ask for a new one in Slack: <strong>My next step</strong> in the rotation’s thread, then <strong>Use a masked page</strong>.</p>`,
    nonce,
  );
}

export function renderEntryRefused(text: string, nonce: string): PageHtml {
  return page(403, 'Not accepted', `<h1>Not accepted</h1><div class="problems">${escapeHtml(text)}</div><p><small>Nothing was stored.</small></p>`, nonce);
}

/** Too many requests from one address in a short time. */
export function renderEntryBusy(retryAfterSeconds: number, nonce: string): PageHtml {
  return page(
    429,
    'Too many requests',
    `<h1>Too many requests</h1><p>This address sent too many requests to the bot’s entry pages. Nothing was stored. Wait ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'} and reload.</p>`,
    nonce,
  );
}

/** Plain answers for requests that are not a page view or a submission. */
export const entryPlain = {
  methodNotAllowed: 'Method not allowed: this page answers GET, HEAD and POST.\n',
  notFound: 'Not found.\n',
};

export function renderEntryError(nonce: string): PageHtml {
  return page(
    500,
    'Something went wrong',
    `<h1>Something went wrong</h1><p>Nothing was stored. Try again in a moment, or use <strong>Enter the new token</strong> in Slack.</p>`,
    nonce,
  );
}

/** Shortens a mrkdwn sentence from the bot's Slack wording to plain text for the page. */
export function plainFromMrkdwn(s: string): string {
  return (
    s
      .replace(/<#([A-Z0-9]+)(\|[^>]*)?>/g, 'the rotation’s channel')
      .replace(/<@([A-Z0-9]+)>/g, 'someone')
      .replace(/:[a-z0-9_+-]+:\s*/g, '')
      .replace(/`/g, '')
      // Only paired markers are formatting: `PAT_TOKEN` keeps its underscore.
      .replace(/(^|[^\w*])\*([^*\n]+)\*(?![\w*])/g, '$1$2')
      .replace(/(^|[^\w])_([^_\n]+)_(?!\w)/g, '$1$2')
  );
}
