import type { Rotation } from '../core/rotation/state.js';
import { VIEW_IDS } from '../core/ids.js';
import { code, section, noticeModal, type ModalView } from './blocks.js';

/** The modal where the old token is pasted to be revoked, and what it shows once submitted. */

export const OLD_TOKEN_INPUT = { blockId: 'old_token_block', actionId: 'old_token_input' } as const;

/** The modal where the old token is pasted to be revoked. */
export function renderOldTokenModal(r: Rotation, privateMetadata: string): ModalView {
  return {
    type: 'modal',
    callback_id: VIEW_IDS.rotationOldToken,
    private_metadata: privateMetadata,
    title: { type: 'plain_text', text: 'Revoke the old token' },
    submit: { type: 'plain_text', text: 'Revoke it' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      ...section(
        `The *old* value of ${code(r.secret)} for ${code(r.repo)}. It is revoked at once through GitHub's credential revocation API and never stored.`,
      ),
      {
        type: 'input',
        block_id: OLD_TOKEN_INPUT.blockId,
        label: { type: 'plain_text', text: `Old value of ${r.secret}` },
        hint: { type: 'plain_text', text: 'Slack cannot hide what you type here. The token is used only to revoke it and to check that it is dead.' },
        element: { type: 'plain_text_input', action_id: OLD_TOKEN_INPUT.actionId, max_length: 300 },
      },
    ],
  };
}

const OLD_TOKEN_TITLES = {
  checking: 'Checking the token',
  revoked: 'Old token revoked',
  already_dead: 'Old token already dead',
  refused: 'Not revoked',
} as const;

/** The old-token modal once submitted: checking, then the outcome (its title never says "revoked" unless it was). */
export function renderOldTokenDone(o: { state: keyof typeof OLD_TOKEN_TITLES; text: string }): ModalView {
  return noticeModal({ callbackId: `${VIEW_IDS.rotationOldToken}_done`, title: OLD_TOKEN_TITLES[o.state], text: o.text });
}
