import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACTION_IDS } from '../../src/actions/ids.js';
import { eventually, USERS, withHarness, type Harness } from '../helpers/harness.js';
import { approvalRequest, openReplaceModal, submitValue, textOf } from '../helpers/secrets.js';

const sshKeygen = ['/usr/bin/ssh-keygen', '/bin/ssh-keygen'].find((p) => existsSync(p));

async function newKeyPair(): Promise<{ priv: string; pub: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'chatops-key-'));
  try {
    execFileSync(sshKeygen ?? 'ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'github-actions-pywats-sync', '-f', join(dir, 'k')]);
    return { priv: await readFile(join(dir, 'k'), 'utf8'), pub: (await readFile(join(dir, 'k.pub'), 'utf8')).trim() };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Adds a deploy key to the mirror the way an admin would: through the (fake) GHE API. */
async function addDeployKey(h: Harness, key: string, title: string, readOnly = false): Promise<void> {
  const res = await fetch(`${h.ghe.apiUrl}/repos/${h.seed.ghe.repo}/keys`, {
    method: 'POST',
    headers: { authorization: `token ${h.seed.ghe.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title, key, read_only: readOnly }),
  });
  assert.equal(res.status, 201, await res.text());
}

const withDeployKeySecret = {
  config: (cfg: { repos: Array<Record<string, unknown>> }) => {
    const repo = cfg.repos[0] as { secrets: Array<Record<string, unknown>> };
    repo.secrets.push({ name: 'GHE_DEPLOY_KEY', kind: 'deploy-key', host: 'https://wats.ghe.com', scopes: [], maxAgeDays: 365 });
  },
};

describe('deploy-key secrets', { skip: sshKeygen ? false : 'ssh-keygen is not installed' }, () => {
  test('replace: the key must be a write deploy key of the mirror; revoke deletes the secret and that deploy key', () =>
    withHarness(withDeployKeySecret, async (h) => {
      const { priv, pub } = await newKeyPair();
      // Not yet a deploy key: refused, with the public half to add.
      let view = await openReplaceModal(h, 'replace GHE_DEPLOY_KEY');
      let res = await submitValue(h, view, priv);
      const refused = JSON.stringify(res.json);
      assert.match(refused, /not a deploy key of WATS\/pyWATS/);
      assert.ok(refused.includes(pub.split(' ')[1] ?? '-'), 'says which public key to add');
      assert.equal(refused.includes('PRIVATE KEY'), false);

      await addDeployKey(h, pub, 'GitHub Actions sync');
      const earlier = new Set(h.slack.callsTo('chat.postMessage'));
      view = await openReplaceModal(h, 'replace GHE_DEPLOY_KEY');
      // Slack may turn the key's line breaks into spaces; it still reads.
      res = await submitValue(h, view, priv.replace(/\n(?!-----END)/g, ' '));
      assert.equal((res.json as { response_action?: string }).response_action, 'update', res.body);
      const { message, id } = await approvalRequest(h, 'GHE_DEPLOY_KEY', { notAmong: earlier });
      assert.match(textOf(message), /Key fingerprint `SHA256:/);
      await h.click({ actionId: ACTION_IDS.secretApprove, value: id, user: USERS.bob });
      await eventually(async () => (await h.store.secretChanges.get(id))?.status === 'done', 'applied', 10_000);
      const stored = h.github.decryptSecret(h.seed.github.repo, 'GHE_DEPLOY_KEY');
      assert.equal(stored?.replace(/\s+/g, ''), priv.replace(/\s+/g, ''), 'GitHub holds the private key');

      const before = new Set(h.slack.callsTo('chat.postMessage'));
      await addDeployKey(h, (await newKeyPair()).pub, 'someone else');
      await h.command('/secret', 'revoke GHE_DEPLOY_KEY');
      const revoke = await approvalRequest(h, 'GHE_DEPLOY_KEY', { notAmong: before });
      assert.match(textOf(revoke.message), /Also deletes the deploy key \\"GitHub Actions sync\\"/);
      await h.click({ actionId: ACTION_IDS.secretApprove, value: revoke.id, user: USERS.bob });
      await eventually(async () => (await h.store.secretChanges.get(revoke.id))?.status === 'done', 'revoked', 10_000);
      assert.equal(h.github.decryptSecret(h.seed.github.repo, 'GHE_DEPLOY_KEY'), undefined);
      assert.deepEqual(
        h.ghe.deployKeys(h.seed.ghe.repo).map((k) => k.title),
        ['someone else'],
        'only the matching deploy key is gone',
      );
    }));
});
