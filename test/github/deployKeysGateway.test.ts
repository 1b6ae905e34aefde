/**
 * DeployKeysGateway.add against the fake GHES with a real Octokit client, with keys
 * made by generateDeployKey: a key is added once per host, and GitHub's 422s come back
 * as GitHubErrors that say why, without repeating the key.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateDeployKey } from '../../src/core/secrets/keygen.js';
import { sameSshPublicKey } from '../../src/core/secrets/sshKey.js';
import type { RepoRef } from '../../src/core/ports.js';
import { GitHubError } from '../../src/errors.js';
import { createGitHubClient } from '../../src/github/octokit.js';
import { DeployKeysGateway } from '../../src/github/secretsGateway.js';
import { createLogger } from '../../src/log/logger.js';
import { Sanitizer } from '../../src/log/sanitizer.js';
import { FakeGitHub } from '@chatops/fake-github';
import { routingFetch } from '@chatops/sandbox/routingFetch.js';
import { seedPywats, type PywatsSeed } from '@chatops/fake-github/scenario.js';

const logger = createLogger({ level: 'silent', sanitizer: new Sanitizer() });

describe('DeployKeysGateway.add', () => {
  let github: FakeGitHub;
  let ghe: FakeGitHub;
  let seed: PywatsSeed;
  const mirror: RepoRef = { owner: 'WATS', name: 'pyWATS' };
  const gateway = (token = seed.ghe.token): DeployKeysGateway =>
    new DeployKeysGateway(
      createGitHubClient({
        apiUrl: 'https://wats.ghe.com/api/v3',
        auth: { kind: 'token', token },
        logger,
        tuning: { fetch: routingFetch({ 'wats.ghe.com': ghe.url }), retryBaseMs: 1 },
      }),
    );
  const refusal = async (p: Promise<unknown>): Promise<GitHubError> => {
    try {
      await p;
    } catch (e) {
      if (e instanceof GitHubError) return e;
      throw e;
    }
    assert.fail('expected a GitHubError');
  };

  before(async () => {
    github = new FakeGitHub({ flavor: 'dotcom' });
    ghe = new FakeGitHub({ flavor: 'ghes', webHost: 'wats.ghe.com' });
    await Promise.all([github.start(), ghe.start()]);
    seed = seedPywats(github, ghe);
    ghe.addRepo('WATS/other', { access: { [seed.ghe.login]: 'admin' } });
  });
  after(() => Promise.all([github.stop(), ghe.stop()]));

  test('a generated key is added with write access and listed as GitHub lists it', async () => {
    const key = generateDeployKey('github-actions-pywats-sync');
    const added = await gateway().add(mirror, { title: 'pywats sync (rotated)', key: key.publicKey, readOnly: false });
    assert.equal(added.title, 'pywats sync (rotated)');
    assert.equal(added.readOnly, false);
    assert.equal(added.key, key.publicKey.split(' ').slice(0, 2).join(' '), 'without its comment');
    assert.ok(sameSshPublicKey(added.key, key.publicKey));
    assert.deepEqual(
      (await gateway().list(mirror)).find((k) => k.id === added.id),
      added,
    );
  });

  test('who added a key and when, and when it was last used, come through as GitHub gives them', async () => {
    const key = generateDeployKey('github-actions-pywats-sync');
    const added = await gateway().add(mirror, { title: 'github-actions-pywats-sync', key: key.publicKey, readOnly: false });
    assert.equal(added.addedBy, seed.ghe.login);
    assert.match(added.createdAt ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.equal(added.lastUsed, null, 'never used');
    ghe.useDeployKey('WATS/pyWATS', added.id, new Date('2026-01-20T08:00:00.500Z'));
    assert.equal((await gateway().list(mirror)).find((k) => k.id === added.id)?.lastUsed, '2026-01-20T08:00:00Z');
  });

  test('a key already in use on the host: github_conflict, saying so, without the key', async () => {
    const key = generateDeployKey('shared');
    await gateway().add({ owner: 'WATS', name: 'other' }, { title: 'first', key: key.publicKey, readOnly: true });
    const e = await refusal(gateway().add(mirror, { title: 'second', key: key.publicKey, readOnly: false }));
    assert.equal(e.code, 'github_conflict');
    assert.equal(e.status, 422);
    assert.match(e.userMessage, /already in use/);
    const blob = key.publicKey.split(' ')[1] ?? '';
    assert.ok(!e.userMessage.includes(blob) && !e.message.includes(blob));
  });

  test('not an OpenSSH public key: github_error saying so', async () => {
    const e = await refusal(gateway().add(mirror, { title: 'junk', key: 'ssh-ed25519 AAAAnot-a-key', readOnly: false }));
    assert.equal(e.code, 'github_error');
    assert.equal(e.status, 422);
    assert.match(e.userMessage, /not an SSH public key in OpenSSH format/);
  });

  test('a private key is refused before anything is sent', async () => {
    const key = generateDeployKey('oops');
    const mark = ghe.requests.length;
    const e = await refusal(gateway().add(mirror, { title: 'private by mistake', key: key.privateKey, readOnly: false }));
    assert.equal(e.code, 'github_error');
    assert.match(e.userMessage, /private key/);
    const body = key.privateKey.split('\n')[1] ?? '';
    assert.ok(body.length > 0 && !e.message.includes(body), 'the key is not repeated');
    assert.equal(ghe.requests.length, mark, 'no request left the bot');
  });

  test('without admin on the repository: github_forbidden', async () => {
    ghe.addToken('ghp_writerOnly', { login: 'writer', scopes: ['repo'] });
    ghe.grantAccess('WATS/pyWATS', 'writer', 'write');
    const e = await refusal(gateway('ghp_writerOnly').add(mirror, { title: 'x', key: generateDeployKey('x').publicKey, readOnly: true }));
    assert.equal(e.code, 'github_forbidden');
  });
});
