import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { RecordedCall, StoredMessage } from '@chatops/fake-slack';
import { ACTION_IDS } from '../../src/core/ids.js';
import { TAG_ALERT_KIND } from '../../src/services/events/tagAlerts.js';
import { CHANNEL, eventually, USERS, startHarness, type Harness } from '../helpers/harness.js';
import { deliver } from '../helpers/webhooks.js';
import { ephemeralReply } from '../helpers/secrets.js';

const SECRET = 'whsec-tag-without-release';
const MINUTE = 60_000;

/** A tag pushed on the fake GitHub (so /release finds it), and GitHub's `push` delivery for it. */
async function pushTag(h: Harness, tag: string, id: string): Promise<void> {
  h.github.createTag(h.seed.github.repo, tag, { sha: h.seed.github.mainSha, annotated: true, message: `Release ${tag}` });
  await deliverTag(h, tag, id);
}

async function deliverTag(h: Harness, tag: string, id: string, event: 'push' | 'create' = 'push'): Promise<void> {
  const repository = { full_name: h.seed.github.repo };
  const payload =
    event === 'push'
      ? { ref: `refs/tags/${tag}`, before: '0'.repeat(40), after: h.seed.github.mainSha, created: true, deleted: false, repository }
      : { ref: tag, ref_type: 'tag', master_branch: 'main', repository };
  const res = await deliver({ appUrl: h.appUrl, secret: SECRET }, event, payload, { id });
  assert.equal(res.status, 202);
  await applied(h);
}

const applied = (h: Harness) =>
  eventually(async () => (await h.store.githubEvents.pending(h.seed.github.repo, 5)).length === 0, 'the deliveries applied', 10_000);

/** A run of release.yml on the tag, as GitHub's workflow_run delivery carries it. */
async function deliverReleaseRun(h: Harness, tag: string): Promise<number> {
  const runId = h.github.startRun(h.seed.github.repo, '.github/workflows/release.yml', {
    event: 'push',
    headBranch: tag,
    headSha: h.seed.github.mainSha,
    actor: 'olreppe',
  });
  const res = await fetch(`${h.github.apiUrl}/repos/${h.seed.github.repo}/actions/runs/${runId}`, {
    headers: { authorization: `token ${h.seed.github.token}` },
  });
  assert.equal(res.status, 200);
  const run = (await res.json()) as Record<string, unknown>;
  const sent = await deliver({ appUrl: h.appUrl, secret: SECRET }, 'workflow_run', {
    action: 'requested',
    workflow_run: run,
    repository: { full_name: h.seed.github.repo },
  });
  assert.equal(sent.status, 202);
  await applied(h);
  return runId;
}

const alertPosts = (h: Harness, tag: string) =>
  h.slack.calls.filter((c) => c.method === 'chat.postMessage' && typeof c.args.text === 'string' && c.args.text.includes(`${tag} was tagged`));

async function checkJobs(h: Harness, tag: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*) as n from jobs where kind = ${TAG_ALERT_KIND} and payload like ${`%"${tag}"%`}`.execute(h.store.db);
  return Number(r.rows[0]?.n ?? 0);
}

/** Moves the bot's clock and waits for the tag's check to have run (its row left `scheduled`). */
async function passDue(h: Harness, tag: string, ms: number): Promise<void> {
  h.bot.advance(ms);
  await eventually(async () => (await h.store.tagAlerts.get(h.seed.github.repo, tag))?.state !== 'scheduled', `the check of ${tag}`, 10_000);
}

describe('tag without a release (webhooks on)', () => {
  let h: Harness;
  let alert: StoredMessage;
  /** The buttons' values as posted (the fake edits the stored message in place). */
  let releaseValue: string;
  let rotateValue: string;
  before(async () => {
    h = await startHarness({ env: { GITHUB_WEBHOOK_SECRET: SECRET } });
  });
  after(() => h.close());

  test('a release tag schedules one check; a redelivered tag (another delivery id, the create event) adds none', async () => {
    await pushTag(h, 'v0.1.0b40', 'tag-b40');
    const row = await h.store.tagAlerts.get(h.seed.github.repo, 'v0.1.0b40');
    assert.equal(row?.state, 'scheduled');
    const seen = await h.store.githubEvents.tag(h.seed.github.repo, 'v0.1.0b40');
    assert.ok(seen);
    assert.equal(row.dueAt.getTime(), seen.seenAt.getTime() + 15 * MINUTE, 'due the default 15 minutes after the tag was seen');
    await deliverTag(h, 'v0.1.0b40', 'tag-b40-again');
    await deliverTag(h, 'v0.1.0b40', 'tag-b40-create', 'create');
    assert.equal(await checkJobs(h, 'v0.1.0b40'), 1);
    // A tag that is not a release tag is recorded and never checked.
    await deliverTag(h, 'nightly', 'tag-nightly');
    assert.ok(await h.store.githubEvents.tag(h.seed.github.repo, 'nightly'));
    assert.equal(await h.store.tagAlerts.get(h.seed.github.repo, 'nightly'), null);
    assert.equal(await checkJobs(h, 'nightly'), 0);
  });

  test('before it is due nothing is posted; once due, exactly one alert with Release now and Rotate PAT_TOKEN', async () => {
    h.bot.advance(10 * MINUTE);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(alertPosts(h, 'v0.1.0b40').length, 0, 'not due yet');
    h.bot.advance(5 * MINUTE + 1000);
    const posted = await h.slack.waitFor((c) => c.method === 'chat.postMessage' && String(c.args.text).includes('v0.1.0b40 was tagged'), 10_000);
    assert.equal(posted.args.channel, CHANNEL);
    assert.match(
      String(posted.args.text),
      /v0\.1\.0b40 was tagged 15 minutes ago but release\.yml has not run for it; the token that triggers it \(PAT_TOKEN\) may have expired/,
    );
    const text = JSON.stringify(posted.args);
    assert.match(text, /"action_id":"tag_alert_release"/);
    assert.match(text, /Release now/);
    assert.match(text, /"action_id":"rotation_start"/);
    assert.match(text, /Rotate PAT_TOKEN/);
    const stored = h.slack.workspace.messages(CHANNEL).find((m) => (m.text ?? '').includes('v0.1.0b40 was tagged'));
    assert.ok(stored);
    alert = stored;
    releaseValue = /"action_id":"tag_alert_release","value":"([^"]+)"/.exec(text)?.[1] ?? '';
    rotateValue = /"action_id":"rotation_start","value":"([^"]+)"/.exec(text)?.[1] ?? '';
    await eventually(async () => (await h.store.tagAlerts.get(h.seed.github.repo, 'v0.1.0b40'))?.messageTs === stored.ts, 'the ts stored');
    assert.equal((await h.store.tagAlerts.get(h.seed.github.repo, 'v0.1.0b40'))?.state, 'posted');
    // A redelivery, and the clock moving on (the job would run again if it were left): still one post.
    await deliverTag(h, 'v0.1.0b40', 'tag-b40-late');
    h.bot.advance(20 * MINUTE);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(alertPosts(h, 'v0.1.0b40').length, 1);
  });

  test('Release now gives the person who clicked the /release confirmation for that tag; carol (no access) is refused', async () => {
    const value = releaseValue;
    assert.ok(value);
    const carol = await h.click({ actionId: ACTION_IDS.tagAlertRelease, value, user: USERS.carol, on: alert });
    assert.match(await ephemeralReply(h, carol.responseUrl), /not allowed to release/);
    const alice = await h.click({ actionId: ACTION_IDS.tagAlertRelease, value, user: USERS.alice, on: alert });
    const reply: RecordedCall = await h.responseTo(alice.responseUrl);
    const text = JSON.stringify(reply.args);
    assert.equal(reply.args.response_type, 'ephemeral');
    assert.notEqual(reply.args.replace_original, true, 'the alert itself is left alone');
    assert.match(text, /Release `v0\.1\.0b40` of `pywats`\?/);
    assert.match(text, /"action_id":"release_confirm"/);
    const pending = await h.store.releases.active(h.seed.github.repo, 'v0.1.0b40', h.deps.now());
    assert.equal(pending.length, 1);
    assert.equal(pending[0]?.requestedBy, USERS.alice);
    assert.equal(pending[0]?.status, 'pending');
    const junk = await h.click({ actionId: ACTION_IDS.tagAlertRelease, value: 'someone/else v1.0.0', user: USERS.alice, on: alert });
    assert.match(await ephemeralReply(h, junk.responseUrl), /no longer matches the configuration/);
  });

  test('Rotate PAT_TOKEN starts the rotation of PAT_TOKEN, as /rotate does', async () => {
    const value = rotateValue;
    assert.ok(value);
    assert.equal(await h.store.rotations.active(h.seed.github.repo, 'PAT_TOKEN'), null);
    const click = await h.click({ actionId: ACTION_IDS.rotationStart, value, user: USERS.alice, on: alert });
    assert.match(await ephemeralReply(h, click.responseUrl), /Rotation of `PAT_TOKEN` started/);
    await eventually(async () => Boolean(await h.store.rotations.active(h.seed.github.repo, 'PAT_TOKEN')), 'the rotation of PAT_TOKEN', 10_000);
  });

  test('the release run arriving after the alert edits it to say so, without buttons; a stale Release now is told privately', async () => {
    const runId = await deliverReleaseRun(h, 'v0.1.0b40');
    const edit = await h.slack.waitFor((c) => c.method === 'chat.update' && c.args.ts === alert.ts, 10_000);
    const text = JSON.stringify(edit.args);
    assert.match(text, /release run started/);
    assert.match(text, new RegExp(`actions/runs/${runId}`), 'links the run');
    assert.doesNotMatch(text, /tag_alert_release|rotation_start/);
    assert.equal((await h.store.tagAlerts.get(h.seed.github.repo, 'v0.1.0b40'))?.state, 'resolved');
    // Another release run of the tag: no second edit.
    await deliverReleaseRun(h, 'v0.1.0b40');
    assert.equal(h.slack.calls.filter((c) => c.method === 'chat.update' && c.args.ts === alert.ts).length, 1);
    const stale = await h.click({ actionId: ACTION_IDS.tagAlertRelease, value: releaseValue, user: USERS.alice, on: alert });
    assert.match(await ephemeralReply(h, stale.responseUrl), /release run for `v0\.1\.0b40` has started already/);
  });

  test('a release run before the check is due: nothing is posted', async () => {
    await pushTag(h, 'v0.1.0b41', 'tag-b41');
    await deliverReleaseRun(h, 'v0.1.0b41');
    await passDue(h, 'v0.1.0b41', 16 * MINUTE);
    assert.equal((await h.store.tagAlerts.get(h.seed.github.repo, 'v0.1.0b41'))?.state, 'settled');
    await eventually(async () => (await checkJobs(h, 'v0.1.0b41')) === 1, 'one check');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(alertPosts(h, 'v0.1.0b41').length, 0);
  });
});

describe('tag without a release: off, and without a token secret', () => {
  test('alerts.tagWithoutRelease 0 schedules nothing', async () => {
    const h = await startHarness({
      env: { GITHUB_WEBHOOK_SECRET: SECRET },
      config: (cfg) => {
        const repo = cfg.repos[0];
        assert.ok(repo);
        repo.alerts = { tagWithoutRelease: 0 };
      },
    });
    try {
      await pushTag(h, 'v0.1.0b40', 'off-b40');
      assert.ok(await h.store.githubEvents.tag(h.seed.github.repo, 'v0.1.0b40'));
      assert.equal(await h.store.tagAlerts.get(h.seed.github.repo, 'v0.1.0b40'), null);
      assert.equal(await checkJobs(h, 'v0.1.0b40'), 0);
    } finally {
      await h.close();
    }
  });

  test('no token for the GitHub host configured: the alert names no token and offers only Release now, after the configured minutes', async () => {
    const h = await startHarness({
      env: { GITHUB_WEBHOOK_SECRET: SECRET },
      config: (cfg) => {
        const repo = cfg.repos[0] as { secrets: Array<{ name: string }>; alerts?: unknown };
        repo.secrets = repo.secrets.filter((s) => s.name !== 'PAT_TOKEN');
        repo.alerts = { tagWithoutRelease: 5 };
      },
    });
    try {
      await pushTag(h, 'v0.1.0b40', 'nopat-b40');
      await passDue(h, 'v0.1.0b40', 5 * MINUTE + 1000);
      const posted = await h.slack.waitFor((c) => c.method === 'chat.postMessage' && String(c.args.text).includes('v0.1.0b40 was tagged'), 10_000);
      assert.match(String(posted.args.text), /v0\.1\.0b40 was tagged 5 minutes ago but release\.yml has not run for it$/);
      const text = JSON.stringify(posted.args);
      assert.match(text, /tag_alert_release/);
      assert.doesNotMatch(text, /rotation_start|Rotate|token/);
    } finally {
      await h.close();
    }
  });
});
