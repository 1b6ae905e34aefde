import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Refusal, RefusalCode } from '../../src/core/refusal.js';
import { initialState, type Rotation } from '../../src/core/rotation/state.js';
import { answerText, refusalText } from '../../src/ui/refusal.js';

const cancelled: Rotation = {
  id: 'r1',
  repo: 'acme/pywats',
  repoName: 'pywats',
  secret: 'GHE_TOKEN',
  secretKind: 'classic-pat',
  requestedBy: 'UALICE',
  channel: 'C1',
  messageTs: '1.2',
  status: 'cancelled',
  state: initialState({ verifyMethod: null, verifyWorkflow: null, isDeployKey: false, oldDeployKey: null }),
  version: 3,
  createdAt: new Date('2026-01-01T00:00:00Z'),
  updatedAt: new Date('2026-01-01T00:00:00Z'),
  finishedAt: null,
  finishedBy: 'UBOB',
};
const record = { login: 'svc-bot', last4: '1a2b', setAt: '2026-01-01T00:00:00Z' };

/**
 * The codes that were sentences built in services and actions (test/core/policy.test.ts covers
 * the older ones), with the sentence each said before: the wording moved to ui/, unchanged.
 */
const cases: { [C in RefusalCode]?: [Extract<Refusal, { code: C }>, RegExp][] } = {
  rotation_step: [
    [{ code: 'rotation_step', why: 'already' }, /^That step is already done\. Nothing more changed\.$/],
    [{ code: 'rotation_step', why: 'applying' }, /^The approved change is being written to GitHub right now/],
    [{ code: 'rotation_step', why: 'not_now' }, /^That step is not open yet \(or no longer\)\./],
  ],
  rotation_unknown: [[{ code: 'rotation_unknown' }, /^I no longer know this rotation\. Nothing changed\.$/]],
  rotation_over: [[{ code: 'rotation_over', rotation: cancelled }, /^The rotation of `GHE_TOKEN` was cancelled by <@UBOB>.*Nothing changed by this click\.$/]],
  rotation_not_requester: [
    [{ code: 'rotation_not_requester', requestedBy: 'UALICE' }, /^Only <@UALICE>, who started this rotation, can do this step\. Nothing changed\.$/],
  ],
  rotation_not_requester_or_approver: [
    [
      { code: 'rotation_not_requester_or_approver', requestedBy: 'UALICE', approvers: ['UALICE', 'UAPPROVE'] },
      /^Only <@UALICE>, who started this rotation, or an approver \(.*UAPPROVE.*\) can do this\./,
    ],
  ],
  rotation_click_void: [
    [{ code: 'rotation_click_void', rotation: null, reason: 'not_now' }, /^I no longer know this rotation\./],
    [{ code: 'rotation_click_void', rotation: cancelled, reason: 'applying' }, /^The approved change is being written/],
    [{ code: 'rotation_click_void', rotation: cancelled, reason: 'not_now' }, /was cancelled by <@UBOB>.*Nothing changed by this click\.$/],
    [{ code: 'rotation_click_void', rotation: { ...cancelled, status: 'active' }, reason: 'not_now' }, /^That step is no longer open\./],
  ],
  old_key_gone: [[{ code: 'old_key_gone' }, /^That key is no longer on the mirror/]],
  old_key_is_new: [[{ code: 'old_key_is_new' }, /^That is the new key the bot added in this rotation/]],
  old_token_not_held: [
    [
      { code: 'old_token_not_held', secret: 'GHE_TOKEN', record, pasted: { login: null, last4: '9z9z' } },
      /^\*Not the token this secret held\*: `GHE_TOKEN` held a token of svc-bot ending in 1a2b, set by the bot .*; you pasted a token ending in 9z9z\. Nothing was revoked/,
    ],
  ],
  old_token_not_capable: [
    [
      { code: 'old_token_not_capable', secret: 'GHE_TOKEN', pasted: { login: 'mallory', last4: '' }, target: 'acme/mirror' },
      /this token of mallory ending in … cannot push to `acme\/mirror`/,
    ],
  ],
  old_token_cannot_show: [
    [{ code: 'old_token_cannot_show', secret: 'GHE_TOKEN', why: 'no_record', record: null }, /no record of the value `GHE_TOKEN` held/],
    [{ code: 'old_token_cannot_show', secret: 'GHE_TOKEN', why: 'no_digest', record }, /recorded only a token of svc-bot ending in 1a2b/],
  ],
  deploy_key_no_mirror: [[{ code: 'deploy_key_no_mirror' }, /^No mirror is configured for this repository, so there is nowhere to add a deploy key\.$/]],
  revoke_nothing: [
    [{ code: 'revoke_nothing', secret: 'GHE_TOKEN', repo: 'acme/pywats' }, /^`GHE_TOKEN` does not exist on `acme\/pywats`; there is nothing to revoke\.$/],
  ],
};

describe('ui: the refusals the services return as codes', () => {
  test('each is worded as the service worded it before', () => {
    for (const list of Object.values(cases)) for (const [r, want] of list ?? []) assert.match(refusalText(r as Refusal), want, JSON.stringify(r));
  });

  test("answerText words a refusal and passes a text through (a success's, a failure's)", () => {
    assert.equal(answerText({ refusal: { code: 'old_key_gone' } }), refusalText({ code: 'old_key_gone' }));
    assert.equal(answerText({ text: 'GitHub did not accept the revocation.' }), 'GitHub did not accept the revocation.');
  });
});
