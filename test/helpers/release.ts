import type { RunSummary } from '@chatops/fake-github';
import { CHANNEL, type Harness } from './harness.js';

/** The release follower's job (the newest, when several releases were confirmed). */
export async function followJob(h: Harness) {
  return h.store.db.selectFrom('jobs').selectAll().where('kind', '=', 'release.follow').orderBy('id', 'desc').executeTakeFirstOrThrow();
}

/** The bot's edits of messages in the release channel. */
export const channelUpdates = (h: Harness) => h.slack.calls.filter((c) => c.method === 'chat.update' && c.args.channel === CHANNEL);

/**
 * Confirms a release of `tag` the way a person does (/release, then the confirmation's button) and waits for the
 * channel message; returns the dispatched run, the release's id, its follower job and the index in the fake's
 * request log just after the dispatch.
 */
export async function confirmRelease(h: Harness, tag: string): Promise<{ run: RunSummary; releaseId: string; jobId: string; afterDispatch: number }> {
  const { responseUrl } = await h.command('/release', tag);
  const confirm = JSON.stringify((await h.responseTo(responseUrl)).args);
  const releaseId = /"action_id":"release_confirm","value":"([^"]+)"/.exec(confirm)?.[1] ?? '';
  await h.click({ actionId: 'release_confirm', value: releaseId });
  await h.slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === CHANNEL && JSON.stringify(c.args).includes(tag), 10_000);
  const afterDispatch = h.github.requests.findIndex((r) => r.method === 'POST' && r.path.endsWith('/dispatches')) + 1;
  if (afterDispatch === 0) throw new Error(`the release of ${tag} was not dispatched`);
  const run = h.github.runs(h.seed.github.repo, '.github/workflows/release.yml').find((r) => r.event === 'workflow_dispatch' && r.headBranch === tag);
  if (!run) throw new Error(`no run was dispatched for ${tag}`);
  return { run, releaseId, jobId: String((await followJob(h)).id), afterDispatch };
}
