import type { Rotation } from '../core/rotation/state.js';
import { actions, button, code, context, link, section, type KnownBlock } from './blocks.js';
import { slackDate } from './format.js';
import { createSteps, host, isToken, ROTATION_ACTIONS, type SecretSpec } from './rotation.js';

/** The private prompts of a rotation, to its requester in the thread: enter the new value, the masked page's link, revoke the old token. */

/**
 * Private prompt: create (tokens) or generate (deploy keys), then enter. `maskedPage`: the
 * bot can serve its one-time masked entry page (HTTP mode with PUBLIC_URL).
 */
export function renderEnterPrompt(r: Rotation, s: SecretSpec, now: Date, o: { maskedPage?: boolean } = {}): { text: string; blocks: KnownBlock[] } {
  const again = r.state.lastOutcome?.writeUnknown
    ? ':warning: GitHub did not confirm the last write, so the secret may already hold that value (see the checklist). '
    : r.state.lastOutcome
      ? ':information_source: The last request did not go through, so nothing changed. '
      : '';
  const blocks: KnownBlock[] = [
    ...section(`${again}*Step 1: ${isToken(r) ? 'create the new token' : 'a new key pair'}* for ${code(r.secret)}`),
    ...section(createSteps(r, s, now).join('\n')),
  ];
  if (!isToken(r)) {
    blocks.push(actions([button({ text: 'Generate the key and ask for approval', actionId: ROTATION_ACTIONS.generate, value: r.id, style: 'primary' })]));
    return { text: `Step 1 of the rotation of ${r.secret}`, blocks };
  }
  const buttons = [button({ text: 'Enter the new token', actionId: ROTATION_ACTIONS.enter, value: r.id, style: 'primary' })];
  if (o.maskedPage) buttons.push(button({ text: 'Use a masked page', actionId: ROTATION_ACTIONS.maskedPage, value: r.id }));
  blocks.push(actions(buttons));
  if (o.maskedPage)
    blocks.push(
      context(
        `Slack cannot hide what you type. *Use a masked page* gives you a one-time link to a page on the bot with a hidden field (yours only, valid ${ENTRY_LINK_MINUTES} minutes).`,
      ),
    );
  return { text: `Step 1 of the rotation of ${r.secret}`, blocks };
}

/** How long a masked entry link stays valid. */
export const ENTRY_LINK_MINUTES = 10;

/** Private reply to "Use a masked page": the link itself, which is as good as the rotation's enter step until it is used. */
export function renderEntryLink(r: Rotation, url: string, expiresAt: Date): { text: string; blocks: KnownBlock[] } {
  return {
    text: `Your one-time page to enter the new ${r.secret}`,
    blocks: [
      ...section(
        `:lock: *Your one-time page for ${code(r.secret)}*: open it, paste the new token into the hidden field and submit. It works once, for you alone, until ${slackDate(expiresAt.toISOString())}. Do not share the link; ask for a new one with *My next step* if it runs out.`,
      ),
      actions([button({ text: 'Open the masked page', actionId: ROTATION_ACTIONS.maskedOpen, value: r.id, url, style: 'primary' })]),
    ],
  };
}

/** Private prompt once the new token is in place: revoke the old one. */
export function renderOldPrompt(r: Rotation, s: SecretSpec): { text: string; blocks: KnownBlock[] } {
  const tokensPage = `${s.host.replace(/\/+$/, '')}/settings/tokens`;
  return {
    text: `Revoke the old ${r.secret}`,
    blocks: [
      ...section(
        [
          `*Revoke the old token* that ${code(r.secret)} held: it is no longer used, and a token nobody uses should not keep working.`,
          `• *Paste the old token*: I send it to GitHub's credential revocation API, check that it is dead, and forget it.`,
          `• Or revoke it yourself on ${link(tokensPage, `${host(s.host)} → Settings → Tokens`)} and click *I revoked it* (recorded in the audit log).`,
        ].join('\n'),
      ),
      actions([
        button({ text: 'Paste the old token', actionId: ROTATION_ACTIONS.revokeOld, value: r.id, style: 'primary' }),
        button({
          text: 'I revoked it',
          actionId: ROTATION_ACTIONS.confirmOld,
          value: r.id,
          confirm: { title: 'Old token revoked?', text: 'Confirm that you revoked the old token on its host. Your name is recorded.', confirm: 'I revoked it' },
        }),
      ]),
    ],
  };
}
