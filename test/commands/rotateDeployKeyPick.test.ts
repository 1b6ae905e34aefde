import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACTION_IDS } from '../../src/actions/ids.js';
import { CHANNEL, eventually, USERS, withHarness, type Harness } from '../helpers/harness.js';
import { ephemeralReply, textOf } from '../helpers/secrets.js';
import { requestsTo, rotationOf, startRotation, threadApproval, waitChecklist } from '../helpers/rotation.js';

/**
 * A deploy-key rotation where nothing says which key the secret holds: the key was made
 * with the seed's own command, `ssh-keygen -t ed25519 -C "github-actions-pywats-sync"`,
 * and added under that title. The requester is asked once, in the thread; the answer is
 * kept and the chosen key deleted after verification, or nothing is deleted for "None".
 */

const sshKeygen = ['/usr/bin/ssh-keygen', '/bin/ssh-keygen'].find((p) => existsSync(p));
const SEED_TITLE = 'github-actions-pywats-sync';

/** A public key made as the seed says (`-C` is the comment). */
async function seedKey(comment = SEED_TITLE): Promise<{ publicKey: string; fingerprint: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'chatops-key-'));
  try {
    execFileSync(sshKeygen ?? 'ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', join(dir, 'k')]);
    const publicKey = (await readFile(join(dir, 'k.pub'), 'utf8')).trim();
    const fingerprint =
      execFileSync(sshKeygen ?? 'ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, 'k.pub')])
        .toString()
        .split(' ')[1] ?? '';
    return { publicKey, fingerprint };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function addDeployKey(h: Harness, key: string, title: string, readOnly = false): Promise<number> {
  const res = await fetch(`${h.ghe.apiUrl}/repos/${h.seed.ghe.repo}/keys`, {
    method: 'POST',
    headers: { authorization: `token ${h.seed.ghe.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title, key, read_only: readOnly }),
  });
  const body = (await res.json()) as { id: number };
  assert.equal(res.status, 201);
  return body.id;
}

const withDeployKeySecret = {
  config: (cfg: { repos: Array<Record<string, unknown>> }) => {
    const repo = cfg.repos[0] as { secrets: Array<Record<string, unknown>> };
    repo.secrets.push({ name: 'GHE_DEPLOY_KEY', kind: 'deploy-key', host: 'https://wats.ghe.com', scopes: [], maxAgeDays: 365 });
  },
};

/** The question in the thread (a public message with the pick buttons). */
async function question(h: Harness, ts: string) {
  await h.slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.thread_ts === ts && textOf(c).includes(ACTION_IDS.rotationPickKey), 10_000);
  const m = h.slack.messages(CHANNEL).find((x) => x.thread_ts === ts && JSON.stringify(x.blocks ?? []).includes('which deploy key'));
  assert.ok(m, 'the question is in the thread');
  return m;
}
const messageText = (h: Harness, msgTs: string) => JSON.stringify(h.slack.messages(CHANNEL).find((m) => m.ts === msgTs));

/** Generate, approve, and let the re-run pass. */
async function replaceAndVerify(h: Harness, rotationId: string, ts: string): Promise<void> {
  await h.click({ actionId: ACTION_IDS.rotationGenerate, value: rotationId });
  await h.click({ actionId: ACTION_IDS.secretApprove, value: await threadApproval(h, ts), user: USERS.bob });
  await waitChecklist(h, ts, /GHE_DEPLOY_KEY` replaced/);
  await eventually(() => requestsTo(h.github, 'POST', /\/actions\/jobs\/\d+\/rerun$/).some((r) => r.status === 201), 'the sync job to be re-run');
  h.github.completeRun(h.seed.github.lastPublishRunId ?? 0, {});
  h.bot.advance(16_000);
  await waitChecklist(h, ts, /Verified: re-run the last sync job passed/, 15_000);
}

describe('/rotate a deploy key whose title does not name the secret', { skip: sshKeygen ? false : 'ssh-keygen is not installed' }, () => {
  test('the requester is asked once which write key it is (title, fingerprint, who added it and when, last used); the chosen key is deleted after verification, the others stay', () =>
    withHarness(withDeployKeySecret, async (h) => {
      const seed = await seedKey();
      const oldId = await addDeployKey(h, seed.publicKey, SEED_TITLE);
      h.ghe.useDeployKey(h.seed.ghe.repo, oldId, new Date('2026-01-20T08:00:00Z'));
      const otherId = await addDeployKey(h, (await seedKey('ci')).publicKey, 'ci-pusher');
      const readerId = await addDeployKey(h, (await seedKey('ro')).publicKey, 'read-only-mirror', true);
      const { rotation, ts } = await startRotation(h, 'GHE_DEPLOY_KEY');
      assert.equal(rotation.state.old.deployKey, null, 'nothing matched by key or title');
      assert.equal(rotation.state.old.pick?.state, 'asked');

      const q = await question(h, ts);
      const qText = JSON.stringify(q.blocks);
      assert.match(qText, new RegExp(`\\*${SEED_TITLE}\\*  \`${seed.fingerprint.replace(/[+/]/g, '\\$&')}\``), 'title and fingerprint');
      assert.match(qText, /added by [\w-]+ <!date\^/, 'who added it and when');
      assert.match(qText, /last used <!date\^1768896000\^/, 'last_used where GitHub gives it');
      assert.ok(qText.includes(`${rotation.id}:${oldId}`) && qText.includes(`${rotation.id}:${otherId}`), 'a button per write key');
      assert.equal(qText.includes(`${rotation.id}:${readerId}`), false, 'no button for a read-only key');
      assert.ok(qText.includes(`${rotation.id}:none`), 'and "None of these"');
      await eventually(async () => (await rotationOf(h, rotation.id)).state.old.pick?.messageTs === q.ts, 'the question to be remembered');
      await waitChecklist(h, ts, /say which deploy key of the mirror is the old one/);

      // Only the requester answers; a stranger's click changes nothing.
      const carol = await h.click({ actionId: ACTION_IDS.rotationPickKey, value: `${rotation.id}:${otherId}`, user: USERS.carol });
      assert.match(await ephemeralReply(h, carol.responseUrl), /Only <@U\w+>, who started this rotation/);
      assert.equal((await rotationOf(h, rotation.id)).state.old.pick?.state, 'asked');

      const pick = await h.click({ actionId: ACTION_IDS.rotationPickKey, value: `${rotation.id}:${oldId}` });
      assert.match(await ephemeralReply(h, pick.responseUrl), new RegExp(`Noted: .{1,2}${SEED_TITLE}.{1,2} is the old key`));
      await eventually(() => !messageText(h, q.ts).includes(ACTION_IDS.rotationPickKey), 'the question to lose its buttons');
      assert.match(messageText(h, q.ts), new RegExp(`<@U0ALICE001> said \`GHE_DEPLOY_KEY\` held the deploy key \\*${SEED_TITLE}\\*`));
      const picked = await rotationOf(h, rotation.id);
      assert.equal(picked.state.old.deployKey?.id, oldId);
      assert.equal(picked.state.old.pick?.by, USERS.alice);
      const again = await h.click({ actionId: ACTION_IDS.rotationPickKey, value: `${rotation.id}:${otherId}` });
      assert.match(await ephemeralReply(h, again.responseUrl), /already done/);
      assert.equal((await rotationOf(h, rotation.id)).state.old.deployKey?.id, oldId, 'the first answer stands');
      assert.equal(h.ghe.deployKeys(h.seed.ghe.repo).length, 3, 'nothing deleted before verification');

      await replaceAndVerify(h, rotation.id, ts);
      await waitChecklist(h, ts, new RegExp(`Old deploy key .{1,2}${SEED_TITLE}.{1,2} \\(chosen by <@U0ALICE001>\\) deleted`), 15_000);
      await waitChecklist(h, ts, /Rotation complete/);
      await eventually(() => /It was deleted after the new key passed verification/.test(messageText(h, q.ts)), 'the question to say the key is gone');
      const left = h.ghe.deployKeys(h.seed.ghe.repo).map((k) => k.id);
      assert.equal(left.includes(oldId), false, 'the chosen key is gone');
      assert.ok(left.includes(otherId) && left.includes(readerId), 'the others stay');
      assert.equal(left.length, 3, 'and the new key is there');
      assert.equal(
        h.slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === ts && textOf(c).includes(ACTION_IDS.rotationPickKey)).length,
        1,
        'asked once',
      );
    }));

  test('"None of these": nothing is deleted and the last step says so plainly', () =>
    withHarness(withDeployKeySecret, async (h) => {
      const oldId = await addDeployKey(h, (await seedKey()).publicKey, SEED_TITLE);
      const { rotation, ts } = await startRotation(h, 'GHE_DEPLOY_KEY');
      const q = await question(h, ts);
      const none = await h.click({ actionId: ACTION_IDS.rotationPickKey, value: `${rotation.id}:none` });
      assert.match(await ephemeralReply(h, none.responseUrl), /Noted: none of these\. No deploy key will be deleted/);
      await eventually(() => !messageText(h, q.ts).includes(ACTION_IDS.rotationPickKey), 'the question to lose its buttons');
      assert.match(messageText(h, q.ts), /said none of the deploy keys of `WATS\/pyWATS` is the one `GHE_DEPLOY_KEY` held: no deploy key will be deleted/);

      await replaceAndVerify(h, rotation.id, ts);
      const list = await waitChecklist(h, ts, /Rotation complete/);
      assert.match(list, /Nothing deleted: <@U0ALICE001> said none of the mirror's deploy keys is the old one/);
      assert.equal(requestsTo(h.ghe, 'DELETE', /\/keys\/\d+$/).length, 0, 'no deploy key deleted');
      assert.ok(h.ghe.deployKeys(h.seed.ghe.repo).some((k) => k.id === oldId));
    }));

  test('an answer given only after the verification passed: the key is deleted then; a cancelled rotation voids the question', () =>
    withHarness(withDeployKeySecret, async (h) => {
      const oldId = await addDeployKey(h, (await seedKey()).publicKey, SEED_TITLE);
      const { rotation, ts } = await startRotation(h, 'GHE_DEPLOY_KEY');
      await question(h, ts);
      await replaceAndVerify(h, rotation.id, ts);
      await waitChecklist(h, ts, /:arrow_forward: \*\d\.\* <@U0ALICE001>: say which deploy key/);
      assert.equal((await rotationOf(h, rotation.id)).status, 'active', 'waits for the answer');
      const next = await h.click({ actionId: ACTION_IDS.rotationNext, value: rotation.id });
      assert.match(await ephemeralReply(h, next.responseUrl), /say which deploy key of the mirror is the old one: the question is in the thread/);
      await h.click({ actionId: ACTION_IDS.rotationPickKey, value: `${rotation.id}:${oldId}` });
      await waitChecklist(h, ts, /Rotation complete/, 15_000);
      assert.equal(
        h.ghe.deployKeys(h.seed.ghe.repo).some((k) => k.id === oldId),
        false,
      );

      // A second rotation (the new key now matches by its recorded public key), cancelled: nothing is asked.
      const second = await startRotation(h, 'GHE_DEPLOY_KEY');
      assert.ok(second.rotation.state.old.deployKey, 'the key the bot set is recorded');
      assert.equal(second.rotation.state.old.pick, null);
    }));

  test('cancelled while the question is open: the question is edited, no buttons left', () =>
    withHarness(withDeployKeySecret, async (h) => {
      await addDeployKey(h, (await seedKey()).publicKey, SEED_TITLE);
      const { rotation, ts } = await startRotation(h, 'GHE_DEPLOY_KEY');
      const q = await question(h, ts);
      await eventually(async () => !!(await rotationOf(h, rotation.id)).state.old.pick?.messageTs, 'the question to be remembered');
      await h.click({ actionId: ACTION_IDS.rotationCancel, value: rotation.id });
      await eventually(() => !messageText(h, q.ts).includes(ACTION_IDS.rotationPickKey), 'the question to lose its buttons');
      assert.match(messageText(h, q.ts), /no longer needs an answer: the rotation was cancelled\. No deploy key was deleted/);
    }));
});
