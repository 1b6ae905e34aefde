import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { principalsFor, secretChangeBlock } from '../../src/core/policy.js';
import type { Refusal } from '../../src/core/refusal.js';
import { refusalText } from '../../src/ui/refusal.js';

const access = { release: ['URELEASE', 'SGROUP'], approve: ['UAPPROVE'] };
const quiet = { rotationActive: false, openChange: false };
const mine = { status: 'active' as const, requestedBy: 'UALICE' };

describe('policy: who may', () => {
  test('releasing, rotating and asking for a change need access.release; approving needs access.approve', () => {
    for (const a of ['release', 'rotate', 'request_secret_change'] as const) assert.deepEqual(principalsFor(a, access), access.release, a);
    assert.deepEqual(principalsFor('approve_secret_change', access), access.approve);
  });
});

describe('policy: may this secret change now?', () => {
  test('a /secret request waits for a running rotation, then for an open request', () => {
    assert.equal(secretChangeBlock('GHE_TOKEN', { kind: 'request' }, quiet), null);
    assert.deepEqual(secretChangeBlock('GHE_TOKEN', { kind: 'request' }, { rotationActive: true, openChange: true }), {
      code: 'rotation_busy',
      secret: 'GHE_TOKEN',
    });
    assert.deepEqual(secretChangeBlock('GHE_TOKEN', { kind: 'request' }, { rotationActive: false, openChange: true }), {
      code: 'change_busy',
      secret: 'GHE_TOKEN',
      asking: 'change',
    });
  });
  test("a rotation starts unless a request is open (a second rotation is the store's to refuse)", () => {
    assert.equal(secretChangeBlock('GHE_TOKEN', { kind: 'rotation_start' }, { rotationActive: true, openChange: false }), null);
    assert.deepEqual(secretChangeBlock('GHE_TOKEN', { kind: 'rotation_start' }, { rotationActive: false, openChange: true }), {
      code: 'change_busy',
      secret: 'GHE_TOKEN',
      asking: 'rotation',
    });
  });
  test('a value for a rotation: its requester, while it is active and its enter step open, and no request open', () => {
    const value = (rotation: typeof mine | null, user = 'UALICE', enterOpen = true) => ({ kind: 'rotation_value' as const, rotation, user, enterOpen });
    assert.equal(secretChangeBlock('GHE_TOKEN', value(mine), { rotationActive: true, openChange: false }), null);
    assert.deepEqual(secretChangeBlock('GHE_TOKEN', value(null), quiet), { code: 'rotation_step', why: 'not_active' });
    assert.deepEqual(secretChangeBlock('GHE_TOKEN', value({ ...mine, status: 'done' } as never), quiet), { code: 'rotation_step', why: 'not_active' });
    assert.deepEqual(secretChangeBlock('GHE_TOKEN', value(mine, 'UBOB'), quiet), { code: 'rotation_step', why: 'not_requester' });
    assert.deepEqual(secretChangeBlock('GHE_TOKEN', value(mine, 'UALICE', false), quiet), { code: 'rotation_step', why: 'not_now' });
    assert.deepEqual(secretChangeBlock('GHE_TOKEN', value(mine), { rotationActive: true, openChange: true }), {
      code: 'change_busy',
      secret: 'GHE_TOKEN',
      asking: 'change',
    });
  });
});

describe('ui: every refusal is worded', () => {
  test('each code gives a sentence that names what it is about', () => {
    const cases: [Refusal, RegExp][] = [
      [{ code: 'too_many_args' }, /more than this command takes/],
      [{ code: 'args_missing' }, /missing/],
      [{ code: 'unknown_repo', given: 'nope', repos: ['pywats'] }, /`nope`.*`pywats`/],
      [{ code: 'repo_required', repos: ['pywats', 'jankins'] }, /`pywats`, `jankins`/],
      [{ code: 'secret_verb_missing' }, /`replace` or `revoke`/],
      [{ code: 'secret_name_missing', repo: 'pywats', configured: [] }, /`pywats`: none\./],
      [
        { code: 'unknown_secret', given: 'NOPE', repo: 'pywats', configured: ['GHE_TOKEN'] },
        /`NOPE` is not a configured secret of `pywats`\. Configured: `GHE_TOKEN`\./,
      ],
      [{ code: 'not_allowed', action: 'release', repo: 'pywats', principals: [] }, /not allowed to release `pywats`/],
      [{ code: 'not_allowed', action: 'rotate', repo: 'pywats', principals: [] }, /not allowed to rotate secrets of `pywats`/],
      [{ code: 'not_allowed', action: 'request_secret_change', repo: 'pywats', principals: [] }, /not allowed to request secret changes for `pywats`/],
      [{ code: 'not_allowed', action: 'approve_secret_change', repo: 'pywats', principals: ['UAPPROVE'] }, /not an approver.*UAPPROVE/],
      [{ code: 'change_busy', secret: 'GHE_TOKEN', asking: 'change' }, /already an open request for `GHE_TOKEN`/],
      [{ code: 'change_busy', secret: 'GHE_TOKEN', asking: 'rotation' }, /open `\/secret` request for `GHE_TOKEN`.*before rotating/],
      [{ code: 'rotation_busy', secret: 'GHE_TOKEN' }, /rotation of `GHE_TOKEN` is already in progress/],
      [{ code: 'rotation_step', why: 'not_requester' }, /Only the person who started this rotation/],
      [{ code: 'rotation_step', why: 'not_active' }, /already finished or cancelled/],
      [{ code: 'access_unavailable', why: 'Slack did not answer.' }, /^Slack did not answer\. Nothing was stored/],
    ];
    for (const [r, want] of cases) assert.match(refusalText(r), want, r.code);
  });
});
