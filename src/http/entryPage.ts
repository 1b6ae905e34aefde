import { randomBytes } from 'node:crypto';
import { METHODS, type IncomingMessage, type ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { targetOf } from '../services/rotation/target.js';
import { ENTRY_PATH } from '../services/entryLinks.js';
import { checkReplacement } from '../services/secretReplace.js';
import { admitReplacement, sendReplacement } from '../services/secretSubmission.js';
import { ENTRY_LINK_MAX_ATTEMPTS, type EntryLink } from '../store/index.js';
import { clientAddress } from '../core/requestWindow.js';
import {
  entryPlain,
  plainFromMrkdwn,
  renderEntryBusy,
  renderEntryDone,
  renderEntryError,
  renderEntryForm,
  renderEntryGone,
  renderEntryRefused,
  type PageHtml,
} from '../ui/entryPage.js';
import { readBody } from './body.js';
import { EntryTraffic } from './entryTraffic.js';
import { auditorFor } from '../services/audit.js';

/** A form with one token in it; anything larger is not one. */
const MAX_FORM_BYTES = 16 * 1024;

const FormValue = z.string().min(1, 'Paste the new token first.').max(3000, 'That value is too long to be a token.');

/** What the page answers; every other method gets 405 with this (Bolt would log an unhandled request with its URL). */
const ALLOWED = 'GET, HEAD, POST';

function send(res: ServerResponse, p: PageHtml, nonce: string, extra: Record<string, string> = {}): void {
  res.writeHead(p.status, {
    ...extra,
    'content-type': 'text/html; charset=utf-8',
    // The page is a credential form: no caching anywhere, no referrer leaking its URL, no framing, nothing but its own style.
    'cache-control': 'no-store',
    pragma: 'no-cache',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  });
  res.end(p.html);
}

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', ...headers });
  res.end(text);
}

/** The path's segments after /enter: exactly one (the link) for a page; any other count is no page at all. */
const segmentsOf = (params: Record<string, string | string[]> | undefined): string[] => {
  const v = params?.['rest'];
  return (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []).filter(Boolean);
};

/**
 * GET shows the masked form without spending the link (browsers and scanners may
 * fetch a page more than once); POST takes the link for one submission: checked,
 * sealed and sent to the approvers like the modal's, or refused with the reasons
 * (never the value) and one try fewer.
 */
export function entryPageRoutes(deps: AppDeps, client: () => WebClient): CustomRoute[] {
  const log = deps.logger.child({ component: 'entry-page' });
  const traffic = new EntryTraffic(deps, log);
  // The link's owner is the actor (a page without a valid link has none), and its rotation leads the detail.
  const audit = (link: EntryLink | null, outcome: string, repo?: string, detail: Record<string, unknown> = {}) =>
    auditorFor(deps, link?.userId ?? 'anonymous', 'page:secret-value')(outcome, repo, { ...(link ? { rotation: link.rotationId } : {}), ...detail });

  const context = async (link: EntryLink) => {
    const r = await deps.store.rotations.get(link.rotationId);
    const t = r ? targetOf(deps, r) : null;
    if (!r || !t) return null;
    const ctx = {
      repo: t.repo.shortName,
      secret: t.secret.name,
      kind: t.secret.kind,
      host: t.secret.host,
      scopes: t.secret.scopes,
      maxAgeDays: t.secret.maxAgeDays,
      expiresAt: link.expiresAt,
      triesLeft: ENTRY_LINK_MAX_ATTEMPTS - link.attempts - 1,
    };
    return { rotation: r, target: t, ctx };
  };

  const show = async (secret: string, nonce: string): Promise<PageHtml> => {
    // Another replica may have minted it: this one's logs must not show it either (nor do they: see ENTRY_LINK_IN_TEXT).
    const forget = deps.sanitizer.register(secret);
    try {
      const peek = await deps.store.entryLinks.peek(secret, deps.now());
      const c = peek.kind === 'open' ? await context(peek.link) : null;
      return c ? renderEntryForm(c.ctx, nonce) : renderEntryGone(nonce);
    } finally {
      forget();
    }
  };

  const submit = async (secret: string, body: Buffer | null, nonce: string, address: string): Promise<PageHtml> => {
    const link = await deps.store.entryLinks.claim(secret, deps.now());
    if (!link) {
      // Anyone can send these: one row per minute sums them up (EntryTraffic), not one each.
      await traffic.unknownLink(address, 'refused:gone');
      return renderEntryGone(nonce);
    }
    const forget = deps.sanitizer.register(secret);
    let outcome: 'release' | 'keep' | 'finish' = 'release';
    try {
      const c = await context(link);
      if (!c) {
        outcome = 'finish';
        await audit(link, 'refused:form');
        return renderEntryGone(nonce);
      }
      const value = body ? FormValue.safeParse(new URLSearchParams(body.toString('utf8')).get('value') ?? '') : null;
      if (!value?.success) {
        await audit(link, 'refused:value', c.rotation.repo);
        return renderEntryForm(c.ctx, nonce, [value ? (value.error.issues[0]?.message ?? 'Not a value.') : 'That form is too large to hold a token.']);
      }
      const admitted = await admitReplacement(deps, client(), {
        user: link.userId,
        repo: c.rotation.repo,
        secret: c.rotation.secret,
        channel: c.rotation.channel,
        rotation: c.rotation.id,
      });
      if (!admitted.ok && admitted.retry) {
        // Slack did not answer the access check: nothing was decided, the link and its tries stay.
        outcome = 'keep';
        await audit(link, admitted.outcome, admitted.repo);
        return renderEntryForm({ ...c.ctx, triesLeft: c.ctx.triesLeft + 1 }, nonce, [admitted.text], { hostError: true, host: 'Slack' });
      }
      if (!admitted.ok) {
        // The rotation moved on, or this person may no longer request changes: the link has nothing left to do.
        outcome = 'finish';
        await audit(link, admitted.outcome, admitted.repo);
        return renderEntryRefused(admitted.text, nonce);
      }
      const check = await checkReplacement(deps, admitted.repo, admitted.secret, value.data);
      if (!check.ok && check.hostError) {
        // GitHub did not answer (an outage, a rate limit): the value was not judged, so the try is not spent.
        outcome = 'keep';
        await audit(link, 'refused:host_unavailable', admitted.repo.github, { problems: check.problems.length });
        return renderEntryForm({ ...c.ctx, triesLeft: c.ctx.triesLeft + 1 }, nonce, check.problems.map(plainFromMrkdwn), { hostError: true });
      }
      if (!check.ok) {
        await audit(link, 'refused:checks', admitted.repo.github, { problems: check.problems.length });
        return renderEntryForm(c.ctx, nonce, check.problems.map(plainFromMrkdwn));
      }
      outcome = 'finish';
      const sent = await sendReplacement(deps, client(), {
        user: link.userId,
        channel: c.rotation.channel,
        repo: admitted.repo,
        secret: admitted.secret,
        rotation: admitted.rotation,
        check,
      });
      await audit(link, sent.ok ? 'requested' : 'not_sent', admitted.repo.github);
      return renderEntryDone({ ok: sent.ok, secret: admitted.secret.name, text: plainFromMrkdwn(sent.text) }, nonce);
    } finally {
      try {
        if (outcome === 'finish') await deps.store.entryLinks.finish(link, deps.now());
        else await deps.store.entryLinks.release(link, { spendTry: outcome === 'release' });
      } finally {
        forget();
      }
    }
  };

  const guarded = (res: ServerResponse, work: (nonce: string) => Promise<PageHtml>) => {
    const nonce = randomBytes(16).toString('base64');
    work(nonce).then(
      (p) => send(res, p, nonce),
      (e: unknown) => {
        // The logger's sanitizer knows the value (checkReplacement registered it) and the link.
        log.error({ err: e }, 'masked entry page failed');
        send(res, renderEntryError(nonce), nonce);
      },
    );
  };

  const handler = (req: IncomingMessage & { params?: Record<string, string | string[]> }, res: ServerResponse) => {
    const method = (req.method ?? '').toUpperCase();
    const segments = segmentsOf(req.params);
    const address = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for']);
    // Only a POST's body is read; any other is left unread (and dropped with the connection if large).
    if (method !== 'POST') req.resume();
    const admission = traffic.admit(address);
    if (!admission.allowed) {
      const nonce = randomBytes(16).toString('base64');
      if (method === 'POST') req.resume();
      return send(res, renderEntryBusy(admission.retryAfterSeconds, nonce), nonce, { 'retry-after': String(admission.retryAfterSeconds) });
    }
    const [secret = ''] = segments;
    if (segments.length !== 1) {
      if (method === 'POST') req.resume();
      return plain(res, 404, entryPlain.notFound);
    }
    if (method === 'GET' || method === 'HEAD') return guarded(res, (nonce) => show(secret, nonce));
    if (method === 'POST') {
      return guarded(res, async (nonce) => {
        const body = await readBody(req, MAX_FORM_BYTES);
        return submit(secret, body, nonce, address);
      });
    }
    if (method === 'OPTIONS') {
      res.writeHead(204, { allow: ALLOWED, 'cache-control': 'no-store' });
      return res.end();
    }
    return plain(res, 405, entryPlain.methodNotAllowed, { allow: ALLOWED });
  };

  // Every method Node parses, on /enter and everything under it: no request there reaches Bolt's
  // unhandled-request log (which prints the URL, link included).
  return [{ path: `${ENTRY_PATH}{/*rest}`, method: [...METHODS], handler }];
}
