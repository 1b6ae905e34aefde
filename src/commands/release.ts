import type { App } from '@slack/bolt';
import type { AppDeps } from '../deps.js';
import { letWaitingAcksGoFirst } from '../slack/afterAck.js';
import { readRepoArgs } from '../core/commandArgs.js';
import { parseReleaseTag, TAG_EXAMPLES } from '../core/release/tag.js';
import { releasePreflight } from '../services/release.js';
import { repoGateways } from '../services/repoGateways.js';
import { renderReleaseConfirm, releaseText } from '../ui/releaseConfirm.js';
import { USAGE } from '../ui/messages.js';
import { refusalText, usageAnswer } from '../ui/refusal.js';
import { authorise } from '../services/policy.js';

/** A confirmation is valid this long; after that it is void and nothing can be dispatched from it. */
export const CONFIRM_TTL_SECONDS = 10 * 60;

/** `/release [repo] <tag>`: checks, then a private confirmation; nothing runs until it is confirmed. */
export function register(app: App, deps: AppDeps): void {
  app.command('/release', async ({ command, ack, respond, client }) => {
    const audit = (outcome: string, detail?: Record<string, unknown>, repo?: string) =>
      deps.store.audit.record(
        { actor: command.user_id, action: 'command:/release', outcome, ...(repo ? { repo } : {}), ...(detail ? { detail } : {}) },
        deps.now(),
      );
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
      return audit('usage', { check: 'tag' }, repo.github);
    }
    if (!repo.release) {
      await ack({ response_type: 'ephemeral', text: releaseText.noReleaseConfigured(repo.shortName) });
      return audit('usage', { check: 'config' }, repo.github);
    }
    // Ack before any work that asks Slack or GitHub.
    await ack();
    await letWaitingAcksGoFirst();
    const access = await authorise(
      deps,
      client,
      { user: command.user_id, action: 'release', repo },
      { action: 'command:/release', outcome: 'refused', detail: { check: 'access' } },
    );
    if (!access.ok) return void (await respond({ response_type: 'ephemeral', text: refusalText(access.refusal) }));
    const ctx = await repoGateways(deps, repo);
    const check = await releasePreflight(deps, ctx, repo, repo.release.workflow, parsed.tag);
    // Fifty preflights that shared one GitHub answer resolve together: write and render them one per turn.
    await letWaitingAcksGoFirst();
    if (!check.ok) {
      await respond({ response_type: 'ephemeral', text: check.reason });
      return audit('refused', { tag: parsed.tag, reason: check.reason.slice(0, 300) }, repo.github);
    }
    const channel = repo.channel ?? command.channel_id;
    const created = await deps.store.releases.create(
      {
        repo: repo.github,
        repoName: repo.shortName,
        tag: parsed.tag,
        sha: check.tag.sha,
        workflow: String(check.workflow.id),
        inputs: repo.release.inputs,
        requestedBy: command.user_id,
        channel,
        ttlSeconds: CONFIRM_TTL_SECONDS,
      },
      deps.now(),
    );
    if (created.kind === 'busy') {
      // Another /release of the tag (another person, a double submit, another replica) got there first.
      await respond({ response_type: 'ephemeral', text: releaseText.busy(parsed.tag, created.active, command.user_id) });
      return audit('refused', { tag: parsed.tag, reason: 'busy', active: created.active.id }, repo.github);
    }
    const { release } = created;
    await respond({
      response_type: 'ephemeral',
      ...renderReleaseConfirm({
        releaseId: release.id,
        repo: repo.github,
        repoName: repo.shortName,
        webUrl: ctx.webUrl,
        tag: check.tag,
        workflow: check.workflow,
        inputs: repo.release.inputs,
        previousFailure: check.previousFailure,
        expiresMinutes: CONFIRM_TTL_SECONDS / 60,
      }),
    });
    return audit('confirmation', { tag: parsed.tag, sha: check.tag.sha, release: release.id, rerun: check.previousFailure !== null }, repo.github);
  });
}
