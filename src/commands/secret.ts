import type { App } from '@slack/bolt';
import type { AppDeps } from '../deps.js';
import { parseSecretCommand } from '../core/secrets/command.js';
import { letWaitingAcksGoFirst } from '../slack/afterAck.js';
import { auditorFor } from '../services/audit.js';
import { authorise } from '../services/policy.js';
import { askSecretChange } from '../services/secretRequest.js';
import { callSlack } from '../slack/slackErrors.js';
import { encodeModalMeta } from '../views/secretValue.js';
import { renderSecretModal, secretText } from '../ui/secretChange.js';
import { text, USAGE } from '../ui/messages.js';
import { refusalText } from '../ui/refusal.js';

/**
 * `/secret replace|revoke [repo] <SECRET>`. Replace opens a modal for the value
 * (never a message); revoke asks for approval straight away. Nothing changes on
 * GitHub until a second person approves. Parse, authorise, then services/secretRequest.ts.
 */
export function register(app: App, deps: AppDeps): void {
  app.command('/secret', async ({ command, ack, respond, client }) => {
    const user = command.user_id;
    const audit = auditorFor(deps, user, 'command:/secret');
    const names = deps.config.repos.map((r) => r.shortName);
    const { verb, args } = parseSecretCommand(command.text, deps.config.repos);
    if (args.kind === 'credential') {
      await ack({ response_type: 'ephemeral', text: secretText.credentialTyped });
      return audit('refused:credential_typed');
    }
    if (args.kind !== 'ok' || !verb) {
      const message = args.kind === 'help' ? text.help(USAGE.secret, names) : `${args.kind === 'invalid' ? refusalText(args.refusal) : ''}\n${USAGE.secret}`;
      await ack({ response_type: 'ephemeral', text: message });
      return audit(args.kind === 'help' ? 'help' : 'usage');
    }
    const { repo, secret } = args;
    await ack();
    await letWaitingAcksGoFirst();
    const reply = (answer: string) => respond({ response_type: 'ephemeral', text: answer });
    const channel = repo.channel ?? command.channel_id;
    const openValueModal = () =>
      callSlack('views.open', () =>
        client.views.open({
          trigger_id: command.trigger_id,
          view: renderSecretModal({
            repoName: repo.shortName,
            repo: repo.github,
            secret: secret.name,
            kind: secret.kind,
            host: secret.host,
            scopes: secret.scopes,
            maxAgeDays: secret.maxAgeDays,
            privateMetadata: encodeModalMeta({ repo: repo.github, secret: secret.name, channel }),
          }),
        }),
      );
    const access = await authorise(deps, client, { user, action: 'request_secret_change', repo }, { action: 'command:/secret', outcome: 'refused:access' });
    if (!access.ok) return void (await reply(refusalText(access.refusal)));
    await askSecretChange(deps, client, { user, verb, repo, secret, channel }, { reply, openValueModal });
  });
}
