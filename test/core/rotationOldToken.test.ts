import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { judgeOldToken, type OldValueRecord, type PastedToken } from '../../src/core/rotation/oldToken.js';
import { matchesDigest, tokenDigest } from '../../src/core/secrets/tokenDigest.js';

const OLD = 'ghp_OLDsetBYtheBOT0123456789abcdefghijOLD1';
const withDigest: OldValueRecord = { login: 'svc', last4: 'OLD1', digest: tokenDigest(OLD), setAt: '2026-01-01T00:00:00Z' };
const legacy: OldValueRecord = { login: 'svc', last4: 'OLD1', setAt: '2026-01-01T00:00:00Z' };
const pasted = (o: Partial<PastedToken>): PastedToken => ({
  last4: 'OLD1',
  matchesDigest: null,
  identity: { kind: 'live', login: 'svc' },
  canPush: null,
  ...o,
});

describe('the salted digest of a token', () => {
  it('matches its own value only, differs per record, and never contains the value', () => {
    const a = tokenDigest(OLD);
    const b = tokenDigest(OLD);
    assert.notEqual(a, b, 'a new salt each time');
    assert.ok(matchesDigest(OLD, a) && matchesDigest(` ${OLD}\n`, b), 'trimmed like the value the bot set');
    assert.equal(matchesDigest(`${OLD.slice(0, -1)}2`, a), false);
    assert.equal(a.includes(OLD) || a.includes(OLD.slice(4, 20)), false);
    for (const junk of ['', 'hmac-sha256', 'md5:x:y', 'hmac-sha256::', 'hmac-sha256:AA:']) assert.equal(matchesDigest(OLD, junk), false, junk);
  });
  it('property: a digest matches exactly the value it was made of', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 80 }), fc.string({ minLength: 1, maxLength: 80 }), (x, y) => {
        const d = tokenDigest(x);
        assert.equal(matchesDigest(x, d), true);
        if (x.trim() !== y.trim()) assert.equal(matchesDigest(y, d), false);
      }),
      { numRuns: 200 },
    );
  });
});

describe('judging a pasted old token before anything is revoked', () => {
  it('with a digest on record: revoke only the recorded value; rejected already and matching is done; anything else is not the token', () => {
    assert.deepEqual(judgeOldToken(withDigest, pasted({ matchesDigest: true })), { kind: 'revoke', record: 'matched' });
    assert.deepEqual(judgeOldToken(withDigest, pasted({ matchesDigest: true, identity: { kind: 'rejected' } })), { kind: 'already_dead' });
    // A made-up token GitHub rejects: not the old one, even with the right last four.
    assert.deepEqual(judgeOldToken(withDigest, pasted({ matchesDigest: false, identity: { kind: 'rejected' } })), { kind: 'not_held', why: 'digest' });
    assert.deepEqual(judgeOldToken(withDigest, pasted({ matchesDigest: false })), { kind: 'not_held', why: 'digest' });
    assert.deepEqual(judgeOldToken(withDigest, pasted({ matchesDigest: true, identity: { kind: 'unknown' } })), { kind: 'unknown' });
  });
  it('with only login and last four on record (set before digests were kept): a rejected token cannot be shown to match', () => {
    assert.deepEqual(judgeOldToken(legacy, pasted({})), { kind: 'revoke', record: 'matched' });
    assert.deepEqual(
      judgeOldToken(legacy, pasted({ identity: { kind: 'live', login: 'SVC' } })),
      { kind: 'revoke', record: 'matched' },
      'logins are case-insensitive',
    );
    assert.deepEqual(judgeOldToken(legacy, pasted({ identity: { kind: 'rejected' } })), { kind: 'cannot_show', why: 'no_digest' });
    assert.deepEqual(judgeOldToken(legacy, pasted({ last4: 'ZZZZ' })), { kind: 'not_held', why: 'last4' });
    assert.deepEqual(judgeOldToken(legacy, pasted({ identity: { kind: 'live', login: 'other' } })), { kind: 'not_held', why: 'login' });
  });
  it('with no record (set outside the bot): a live token that can push is revoked as unrecorded; a rejected one cannot be shown; one that cannot push is refused', () => {
    assert.deepEqual(judgeOldToken(null, pasted({ canPush: true })), { kind: 'revoke', record: 'unrecorded' });
    assert.deepEqual(judgeOldToken(null, pasted({ canPush: null })), { kind: 'revoke', record: 'unrecorded' }, 'no target repository to ask about');
    assert.deepEqual(judgeOldToken(null, pasted({ identity: { kind: 'rejected' } })), { kind: 'cannot_show', why: 'no_record' });
    assert.deepEqual(judgeOldToken(null, pasted({ canPush: false })), { kind: 'not_capable' });
    assert.deepEqual(judgeOldToken(null, pasted({ identity: { kind: 'unknown' } })), { kind: 'unknown' });
    assert.deepEqual(judgeOldToken({ setAt: 'x' }, pasted({ canPush: false })), { kind: 'not_capable' }, 'an empty record is no record');
  });
  it('property: nothing is ever "already dead" without the digest showing it is the recorded value', () => {
    const rec = fc.option(
      fc.record({
        login: fc.option(fc.constantFrom('svc', 'x'), { nil: undefined }),
        last4: fc.option(fc.constantFrom('OLD1', 'ZZZZ'), { nil: undefined }),
        digest: fc.option(fc.constant('d'), { nil: undefined }),
        setAt: fc.constant('t'),
      }),
      { nil: null },
    );
    const tok = fc.record({
      last4: fc.constantFrom('OLD1', 'ZZZZ'),
      matchesDigest: fc.constantFrom(true, false, null),
      identity: fc.constantFrom<PastedToken['identity']>(
        { kind: 'live', login: 'svc' },
        { kind: 'live', login: 'x' },
        { kind: 'rejected' },
        { kind: 'unknown' },
      ),
      canPush: fc.constantFrom(true, false, null),
    });
    fc.assert(
      fc.property(rec, tok, (r, p) => {
        const v = judgeOldToken(r, p);
        if (v.kind === 'already_dead') assert.ok(r?.digest && p.matchesDigest === true && p.identity.kind === 'rejected');
        if (v.kind === 'revoke') assert.equal(p.identity.kind, 'live', 'only a token GitHub says is live is revoked');
        if (v.kind === 'revoke' && v.record === 'matched' && r?.digest) assert.equal(p.matchesDigest, true);
      }),
    );
  });
});
