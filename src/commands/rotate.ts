import type { App } from '@slack/bolt';
import type { AppDeps } from '../deps.js';
import { parseSecretTarget } from '../core/secrets/command.js';
import { letWaitingAcksGoFirst } from '../slack/afterAck.js';
import { requestRotation } from '../services/rotation/start.js';
import { rotationText } from '../ui/rotationText.js';
import { text, USAGE } from '../ui/messages.js';
import { refusalText } from '../ui/refusal.js';
import { auditorFor } from '../services/audit.js';

/**
 * `/rotate [repo] <SECRET>`: starts a guided rotation in the repo's channel. The
 * checklist message and its thread carry it from there; nothing changes on GitHub
 * until an approver agrees.
 */
export function register(app: App, deps: AppDeps): void {
  app.command('/rotate', async ({ command, ack, respond, client }) => {
    const user = command.user_id;
    const audit = auditorFor(deps, user, 'command:/rotate');
    const names = deps.config.repos.map((r) => r.shortName);
    const raw = typeof command.text === 'string' ? command.text.slice(0, 2000) : '';
    const args = /^\s*(help|-h|--help|\?)?\s*$/i.test(raw) ? ({ kind: 'help' } as const) : parseSecretTarget(raw, deps.config.repos);
    if (args.kind === 'credential') {
      await ack({ response_type: 'ephemeral', text: rotationText.credentialTyped });
      return audit('refused:credential_typed');
    }
    if (args.kind !== 'ok') {
      await ack({ response_type: 'ephemeral', text: args.kind === 'help' ? text.help(USAGE.rotate, names) : `${refusalText(args.refusal)}\n${USAGE.rotate}` });
      return audit(args.kind === 'help' ? 'help' : 'usage');
    }
    const { repo, secret } = args;
    await ack();
    await letWaitingAcksGoFirst();
    const res = await requestRotation(deps, client, { repo, secret, user, channel: command.channel_id });
    await respond({ response_type: 'ephemeral', text: res.text });
    if (res.outcome !== 'started') return audit(res.outcome, repo.github);
  });
}
