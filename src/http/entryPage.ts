import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { targetOf } from '../services/rotation.js';
import { ENTRY_PATH } from '../services/entryLinks.js';
import { checkReplacement } from '../services/secretReplace.js';
import { admitReplacement, sendReplacement } from '../services/secretSubmission.js';
import { ENTRY_LINK_MAX_ATTEMPTS, type EntryLink } from '../store/index.js';
import { plainFromMrkdwn, renderEntryDone, renderEntryError, renderEntryForm, renderEntryGone, renderEntryRefused, type PageHtml } from '../ui/entryPage.js';
import { readBody } from './body.js';

/** A form with one token in it; anything larger is not one. */
const MAX_FORM_BYTES = 16 * 1024;

const FormValue = z.string().min(1, 'Paste the new token first.').max(3000, 'That value is too long to be a token.');

function send(res: ServerResponse, p: PageHtml, nonce: string): void {
  res.writeHead(p.status, {
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

const linkSecretOf = (params: Record<string, string | string[]> | undefined) => {
  const v = params?.['link'];
  return typeof v === 'string' ? v : '';
};

/**
 * GET shows the masked form without spending the link (browsers and scanners may
 * fetch a page more than once); POST takes the link for one submission: checked,
 * sealed and sent to the approvers like the modal's, or refused with the reasons
 * (never the value) and one try fewer.
 */
export function entryPageRoutes(deps: AppDeps, client: () => WebClient): CustomRoute[] {
  const log = deps.logger.child({ component: 'entry-page' });
  const audit = (link: EntryLink | null, outcome: string, repo?: string, detail: Record<string, unknown> = {}) =>
    deps.store.audit.record({ actor: link?.userId ?? 'anonymous', action: 'page:secret-value', outcome, ...(repo ? { repo } : {}), detail: { ...(link ? { rotation: link.rotationId } : {}), ...detail } }, deps.now());

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
    const peek = await deps.store.entryLinks.peek(secret, deps.now());
    // Another replica may have minted it: this one's logs must not show it either.
    if (peek.kind === 'open') deps.sanitizer.register(secret);
    const c = peek.kind === 'open' ? await context(peek.link) : null;
    return c ? renderEntryForm(c.ctx, nonce) : renderEntryGone(nonce);
  };

  const submit = async (secret: string, body: Buffer | null, nonce: string): Promise<PageHtml> => {
    const link = await deps.store.entryLinks.claim(secret, deps.now());
    if (!link) {
      await audit(null, 'refused:gone');
      return renderEntryGone(nonce);
    }
    deps.sanitizer.register(secret);
    let outcome: 'release' | 'finish' = 'release';
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
      const admitted = await admitReplacement(deps, client(), { user: link.userId, repo: c.rotation.repo, secret: c.rotation.secret, channel: c.rotation.channel, rotation: c.rotation.id });
      if (!admitted.ok) {
        // The rotation moved on, or this person may no longer request changes: the link has nothing left to do.
        outcome = 'finish';
        await audit(link, admitted.outcome, admitted.repo);
        return renderEntryRefused(admitted.text, nonce);
      }
      const check = await checkReplacement(deps, admitted.repo, admitted.secret, value.data);
      if (!check.ok) {
        await audit(link, 'refused:checks', admitted.repo.github, { problems: check.problems.length });
        return renderEntryForm(c.ctx, nonce, check.problems.map(plainFromMrkdwn));
      }
      outcome = 'finish';
      const sent = await sendReplacement(deps, client(), { user: link.userId, channel: c.rotation.channel, repo: admitted.repo, secret: admitted.secret, rotation: admitted.rotation, check });
      await audit(link, sent.ok ? 'requested' : 'not_sent', admitted.repo.github);
      return renderEntryDone({ ok: sent.ok, secret: admitted.secret.name, text: plainFromMrkdwn(sent.text) }, nonce);
    } finally {
      if (outcome === 'finish') await deps.store.entryLinks.finish(link, deps.now());
      else await deps.store.entryLinks.release(link);
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

  return [
    { path: `${ENTRY_PATH}/:link`, method: 'GET', handler: (req, res) => guarded(res, (nonce) => show(linkSecretOf(req.params), nonce)) },
    {
      path: `${ENTRY_PATH}/:link`,
      method: 'POST',
      handler: (req, res) =>
        guarded(res, async (nonce) => {
          const body = await readBody(req, MAX_FORM_BYTES);
          return submit(linkSecretOf(req.params), body, nonce);
        }),
    },
  ];
}
