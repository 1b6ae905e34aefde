import type { WebClient } from '@slack/web-api';
import type { ResolvedRepo } from '../config/load.js';
import type { SecretConfig } from '../config/schema.js';
import type { AppDeps } from '../deps.js';
import type { SecretVerb } from '../core/secrets/command.js';
import { secretText } from '../ui/secretChange.js';
import { refusalText } from '../ui/refusal.js';
import { aboutChange, auditorFor, recordAudit } from './audit.js';
import { secretMayChange } from './policy.js';
import { prepareRevoke } from './secretRevoke.js';
import { requestChange } from './secretChange.js';

/** How the command answers: a private reply, or the modal for a replacement value (the surface builds it). */
export interface SecretRequestSurface {
  reply(text: string): Promise<unknown>;
  openValueModal(): Promise<unknown>;
}

/**
 * What `/secret replace|revoke` does once the person may ask (commands/secret.ts checked
 * access): refuses while the secret is busy, opens the modal for a replacement value, or
 * asks for approval of a revoke at once, each audited as `command:/secret` after the
 * person has their answer.
 */
export async function askSecretChange(
  deps: AppDeps,
  client: WebClient,
  o: { user: string; verb: SecretVerb; repo: ResolvedRepo; secret: SecretConfig; channel: string },
  surface: SecretRequestSurface,
): Promise<void> {
  const { user, repo, secret, channel } = o;
  const audit = auditorFor(deps, user, 'command:/secret');
  const { block } = await secretMayChange(deps, repo, secret, { kind: 'request' });
  if (block) {
    await surface.reply(refusalText(block));
    return audit(block.code === 'rotation_busy' ? 'busy:rotation' : 'busy', repo.github);
  }
  if (o.verb === 'replace') {
    await surface.openValueModal();
    return audit('modal', repo.github);
  }
  const prepared = await prepareRevoke(deps, repo, secret);
  if (!prepared.ok) {
    await surface.reply(refusalText(prepared.refusal));
    return audit('refused:nothing_to_revoke', repo.github);
  }
  const res = await requestChange(deps, client, { repo, secret, action: 'revoke', user, channel, facts: prepared.facts });
  await surface.reply(res.kind === 'created' ? secretText.requested(secret.name, res.change.channel) : res.text);
  if (res.kind === 'created') await recordAudit(deps, { actor: user, action: 'command:/secret', outcome: 'requested', ...aboutChange(res.change) });
  else await audit(res.kind, repo.github);
}
