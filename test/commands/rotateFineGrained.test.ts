import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTION_IDS } from '../../src/actions/ids.js';
import { eventually, USERS, withHarness, type Harness } from '../helpers/harness.js';
import { ephemeralReply, submitValue, textOf } from '../helpers/secrets.js';
import { openModalFrom, requestsTo, rotationOf, startRotation, threadApproval, waitChecklist, waitEphemeral } from '../helpers/rotation.js';
import { everythingTheBotKept } from '../helpers/canary.js';

const R = ACTION_IDS;

/** A workflow that proves PAT_TOKEN works, run by the bot on `verify:` (synthetic: the seeds' projects have none). */
const VERIFY_WORKFLOW = `name: Verify PAT_TOKEN
on:
  workflow_dispatch:
    inputs:
      reason:
        required: false
jobs:
  check:
    name: Check PAT_TOKEN
    runs-on: ubuntu-latest
    steps:
      - name: Ask GitHub with the token
        run: gh api repos/\${{ github.repository }} --jq .full_name
        env:
          GH_TOKEN: \${{ secrets.PAT_TOKEN }}
`;

const withVerify = {
  config: (cfg: Parameters<NonNullable<Parameters<typeof withHarness>[0]['config']>>[0]) => {
    const repo = cfg.repos[0] as { secrets: Array<Record<string, unknown>> };
    const pat = repo.secrets.find((s) => s.name === 'PAT_TOKEN');
    if (pat) pat.verify = { workflow: 'verify-pat.yml', inputs: { reason: 'rotation' } };
  },
};

/** A fine-grained token on github.com for the repository, with Actions and Contents read/write, as the seed asks. */
function newFineGrainedToken(h: Harness, token: string): string {
  h.github.addToken(token, {
    login: 'olreppe',
    expiresAt: new Date(Date.now() + 300 * 86_400_000).toISOString(),
    fineGrained: { repos: [h.seed.github.repo], permissions: { actions: 'write', contents: 'write' } },
  });
  return token;
}

describe('/rotate a fine-grained token (PAT_TOKEN) with a verify workflow', () => {
  test('create (exact permissions) -> enter -> approve -> replace -> verify by dispatching verify-pat.yml -> "I revoked it"; no token anywhere', () =>
    withHarness(withVerify, async (h) => {
      h.github.addWorkflow(h.seed.github.repo, '.github/workflows/verify-pat.yml', VERIFY_WORKFLOW);
      const dispatched: number[] = [];
      h.github.onDispatch((run) => {
        if (run.workflowPath.endsWith('verify-pat.yml')) dispatched.push(run.id);
      });
      const { rotation, ts } = await startRotation(h, 'PAT_TOKEN');
      const create = textOf(await waitEphemeral(h, USERS.alice, ts, /create a fine-grained token/));
      assert.match(create, /settings\/personal-access-tokens\/new/);
      assert.match(create, /olreppe\/pyWATS/, 'names the one repository to choose');
      assert.match(create, /Actions.{0,40}[Rr]ead and write/);
      assert.match(create, /Contents.{0,40}[Rr]ead and write/);

      const newToken = newFineGrainedToken(h, `github_pat_11AAAAAAA0${'NewFineGrained'.padEnd(72, 'x')}`);
      const view = await openModalFrom(h, R.rotationEnter, rotation.id);
      const submitted = await submitValue(h, view, newToken);
      assert.equal((submitted.json as { response_action?: string }).response_action, 'update', submitted.body);
      const changeId = await threadApproval(h, ts);
      const approve = await h.click({ actionId: R.secretApprove, value: changeId, user: USERS.bob });
      assert.match(await ephemeralReply(h, approve.responseUrl), /Approved/);
      await waitChecklist(h, ts, /PAT_TOKEN` replaced/);
      assert.equal(h.github.decryptSecret(h.seed.github.repo, 'PAT_TOKEN'), newToken);

      // Verification dispatches the configured workflow, with its inputs, and follows the run.
      await eventually(() => dispatched.length === 1, 'verify-pat.yml to be dispatched');
      const dispatch = requestsTo(h.github, 'POST', /\/actions\/workflows\/verify-pat\.yml\/dispatches$/);
      assert.equal(dispatch.length, 1, 'dispatched once');
      await waitChecklist(h, ts, /Verifying/);
      h.github.completeRun(dispatched[0] ?? 0, {});
      h.bot.advance(16_000);
      await waitChecklist(h, ts, /Verified/, 15_000);
      assert.equal(requestsTo(h.github, 'POST', /\/rerun$/).length, 0, 'nothing re-run: the verify workflow was used');

      // The old value is not at hand: the requester revokes it by hand and says so.
      await waitEphemeral(h, USERS.alice, ts, /Revoke the old token/);
      const confirm = await h.click({ actionId: R.rotationConfirmOld, value: rotation.id });
      assert.equal(confirm.http.status, 200);
      await waitChecklist(h, ts, /Rotation complete/);
      assert.match(await waitChecklist(h, ts, /Rotation complete/), /<@U0ALICE001> confirmed revoking the old token by hand/);
      assert.equal((await rotationOf(h, rotation.id)).status, 'done');
      const audit = (await h.store.audit.list({ limit: 1000 })).map((e) => `${e.action}:${e.outcome}`);
      assert.ok(
        audit.some((a) => a.startsWith('rotation:old_confirmed')),
        audit.join(' '),
      );

      const kept = await everythingTheBotKept(h);
      assert.ok(kept.length > 10_000);
      assert.equal(kept.includes(newToken), false, 'the new token is nowhere');
      assert.equal(kept.includes(newToken.slice(11, 40)), false, 'not even in part');
    }));

  test('a verify run that fails says what to check, and "Verify again" dispatches once more', () =>
    withHarness(withVerify, async (h) => {
      h.github.addWorkflow(h.seed.github.repo, '.github/workflows/verify-pat.yml', VERIFY_WORKFLOW);
      const dispatched: number[] = [];
      h.github.onDispatch((run) => dispatched.push(run.id));
      const { rotation, ts } = await startRotation(h, 'PAT_TOKEN');
      const newToken = newFineGrainedToken(h, `github_pat_11AAAAAAA0${'FailingVerify'.padEnd(72, 'y')}`);
      await submitValue(h, await openModalFrom(h, R.rotationEnter, rotation.id), newToken);
      await h.click({ actionId: R.secretApprove, value: await threadApproval(h, ts), user: USERS.bob });
      await eventually(() => dispatched.length === 1, 'the first verify dispatch');
      h.github.completeRun(dispatched[0] ?? 0, {
        check: { conclusion: 'failure', failedStep: 'Ask GitHub with the token', log: 'gh: Bad credentials (HTTP 401)' },
      });
      h.bot.advance(16_000);
      const failed = await waitChecklist(h, ts, /Verification failed/, 15_000);
      assert.ok(failed.includes(R.rotationRetryVerify), 'a Verify again button');
      await h.click({ actionId: R.rotationRetryVerify, value: rotation.id });
      await eventually(() => dispatched.length === 2, 'a second dispatch');
      h.github.completeRun(dispatched[1] ?? 0, {});
      h.bot.advance(16_000);
      await waitChecklist(h, ts, /Verified/, 15_000);
    }));
});
