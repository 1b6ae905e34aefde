import type { App } from '@slack/bolt';
import type { AppDeps } from '../deps.js';
import { parseSecretCommand } from '../core/secrets/command.js';
import { letWaitingAcksGoFirst } from '../slack/afterAck.js';
import { callSlack } from '../slack/slackErrors.js';
import { prepareRevoke } from '../services/secretRevoke.js';
import { auditChange, requestChange } from '../services/secretChange.js';
import { authorise, secretMayChange } from '../services/policy.js';
import { encodeModalMeta } from '../views/secretValue.js';
import { renderSecretModal, secretText } from '../ui/secretChange.js';
import { text, USAGE } from '../ui/messages.js';
import { refusalText } from '../ui/refusal.js';

/**
 * `/secret replace|revoke [repo] <SECRET>`. Replace opens a modal for the value
 * (never a message); revoke asks for approval straight away. Nothing changes on
 * GitHub until a second person approves.
 */
export function register(app: App, deps: AppDeps): void {
  app.command('/secret', async ({ command, ack, respond, client }) => {
    const user = command.user_id;
    const audit = (outcome: string, repo?: string) =>
      deps.store.audit.record({ actor: user, action: 'command:/secret', outcome, ...(repo ? { repo } : {}) }, deps.now());
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
    const access = await authorise(deps, client, { user, action: 'request_secret_change', repo }, { action: 'command:/secret', outcome: 'refused:access' });
    if (!access.ok) return void (await respond({ response_type: 'ephemeral', text: refusalText(access.refusal) }));
    const channel = repo.channel ?? command.channel_id;
    const { block } = await secretMayChange(deps, repo, secret, { kind: 'request' });
    if (block) {
      await respond({ response_type: 'ephemeral', text: refusalText(block) });
      return audit(block.code === 'rotation_busy' ? 'busy:rotation' : 'busy', repo.github);
    }
    if (verb === 'replace') {
      await callSlack('views.open', () =>
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
      return audit('modal', repo.github);
    }
    const prepared = await prepareRevoke(deps, repo, secret);
    if (!prepared.ok) {
      await respond({ response_type: 'ephemeral', text: prepared.reason });
      return audit('refused:nothing_to_revoke', repo.github);
    }
    const res = await requestChange(deps, client, { repo, secret, action: 'revoke', user, channel, facts: prepared.facts });
    await respond({ response_type: 'ephemeral', text: res.kind === 'created' ? secretText.requested(secret.name, res.change.channel) : res.text });
    if (res.kind === 'created') await auditChange(deps, user, 'command:/secret', 'requested', res.change);
    else await audit(res.kind, repo.github);
  });
}
