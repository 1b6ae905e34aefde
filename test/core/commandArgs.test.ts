import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { holdsCredential, readRepoArgs } from '../../src/core/commandArgs.js';
import type { ResolvedRepo } from '../../src/config/load.js';
import { refusalText } from '../../src/ui/refusal.js';

/** The core's answer with its refusal worded by ui/, as the commands show it. */
const parseRepoArgs = (raw: string, repos: readonly ResolvedRepo[], restCount: number) => {
  const r = readRepoArgs(raw, repos, restCount);
  return r.kind === 'invalid' ? { ...r, message: refusalText(r.refusal) } : r;
};

const repo = (shortName: string, github: string): ResolvedRepo => {
  const [owner = '', name = ''] = github.split('/');
  return { shortName, github, owner, repo: name, secrets: [] };
};
const one = [repo('pywats', 'olreppe/pyWATS')];
const two = [...one, repo('jankins', 'thecturner/jankins')];

describe('parseRepoArgs', () => {
  test('no argument picks the only configured repo', () => {
    const r = parseRepoArgs('', one, 0);
    assert.ok(r.kind === 'ok' && r.repo.shortName === 'pywats');
  });
  test('short name and owner/name match case-insensitively', () => {
    for (const t of ['PyWATS', 'olreppe/pywats', '  pywats  ']) {
      const r = parseRepoArgs(t, two, 0);
      assert.ok(r.kind === 'ok' && r.repo.shortName === 'pywats', t);
    }
  });
  test('several repos: the name is required', () => {
    const r = parseRepoArgs('', two, 0);
    assert.ok(r.kind === 'invalid' && r.message.includes('`jankins`'));
  });
  test('unknown repo and extra words are refused with the configured names', () => {
    const r = parseRepoArgs('nope', two, 0);
    assert.ok(r.kind === 'invalid' && r.message.includes('called `nope`') && r.message.includes('`pywats`'));
    assert.equal(parseRepoArgs('pywats extra', two, 0).kind, 'invalid');
  });
  test('help', () => {
    for (const t of ['help', 'HELP', '--help', '-h', '?']) assert.equal(parseRepoArgs(t, two, 0).kind, 'help');
  });
  test('a further argument after the optional repo', () => {
    const a = parseRepoArgs('v1.3.0', one, 1);
    assert.ok(a.kind === 'ok' && a.rest[0] === 'v1.3.0');
    const b = parseRepoArgs('jankins v1.3.0', two, 1);
    assert.ok(b.kind === 'ok' && b.repo.shortName === 'jankins' && b.rest[0] === 'v1.3.0');
  });
  test('arbitrary text never throws and never picks a repo it was not given', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3000 }), (s) => {
        const r = parseRepoArgs(s, two, 0);
        if (r.kind === 'ok')
          assert.ok(s.trim() === '' || s.trim().toLowerCase() === r.repo.shortName || s.trim().toLowerCase() === r.repo.github.toLowerCase());
      }),
      { numRuns: 500 },
    );
  });
});

describe('holdsCredential', () => {
  test('token shapes, private keys and old-format hex tokens are credentials; names and tags are not', () => {
    for (const t of [
      'ghp_' + 'a'.repeat(36),
      `pywats github_pat_${'x9'.repeat(20)}`,
      'xoxb-1234567890-abcdef',
      '-----BEGIN RSA PRIVATE KEY-----',
      'v1 0123456789abcdef0123456789abcdef01234567',
    ]) {
      assert.equal(holdsCredential(t), true, t);
      assert.equal(parseRepoArgs(t, one, 1).kind, 'credential', t);
    }
    for (const t of ['pywats v0.1.0b39', 'olreppe/pyWATS', 'GHE_TOKEN', 'v1.3.0-rc.1', 'deadbeef', 'help']) assert.equal(holdsCredential(t), false, t);
  });
});
