import type { App } from '@slack/bolt';
import type { AppDeps } from '../deps.js';
import { letWaitingAcksGoFirst } from '../slack/afterAck.js';
import { readRepoArgs } from '../core/commandArgs.js';
import { parseReleaseTag, TAG_EXAMPLES } from '../core/release/tag.js';
import { requestRelease } from '../services/release.js';
import { auditorFor } from '../services/audit.js';
import { releaseText } from '../ui/releaseConfirm.js';
import { USAGE } from '../ui/messages.js';
import { usageAnswer } from '../ui/refusal.js';

export { CONFIRM_TTL_SECONDS } from '../services/release.js';

/** `/release [repo] <tag>`: checks, then a private confirmation; nothing runs until it is confirmed. */
export function register(app: App, deps: AppDeps): void {
  app.command('/release', async ({ command, ack, respond, client }) => {
    const audit = auditorFor(deps, command.user_id, 'command:/release');
    const names = deps.config.repos.map((r) => r.shortName);
    const args = readRepoArgs(command.text, deps.config.repos, 1);
    if (args.kind !== 'ok') {
      const answer = usageAnswer(args, USAGE.release, names);
      await ack({ response_type: 'ephemeral', text: answer.text });
      return audit(answer.outcome);
    }
    const { repo } = args;
    const tagInput = args.rest[0] ?? '';
    const parsed = parseReleaseTag(tagInput);
    if (!parsed.ok) {
      await ack({ response_type: 'ephemeral', text: releaseText.badTag(parsed.reason, TAG_EXAMPLES) });
      return audit('usage', repo.github, { check: 'tag' });
    }
    const release = repo.release;
    if (!release) {
      await ack({ response_type: 'ephemeral', text: releaseText.noReleaseConfigured(repo.shortName) });
      return audit('usage', repo.github, { check: 'config' });
    }
    // Ack before any work that asks Slack or GitHub.
    await ack();
    await letWaitingAcksGoFirst();
    const answer = await requestRelease(deps, client, {
      repo: { ...repo, release },
      tag: parsed.tag,
      user: command.user_id,
      fallbackChannel: command.channel_id,
      auditAction: 'command:/release',
    });
    await respond({ response_type: 'ephemeral', ...answer.message });
    if (answer.audit) return audit(answer.audit.outcome, repo.github, answer.audit.detail);
  });
}
