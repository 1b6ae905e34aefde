import { observeSecretDates } from '../metrics/registry.js';
import { RequestError } from '@octokit/request-error';
import { z } from 'zod';
import type { DeployKeyInfo, DeployKeysPort, RepoRef, SecretMeta, SecretsPort, SecretsPublicKey } from '../core/ports.js';
import { GitHubError } from '../errors.js';
import type { GitHubClient } from './octokit.js';
import { callGitHub } from './translateError.js';

const PublicKeyJson = z.object({ key_id: z.string().min(1), key: z.string().min(1) });
const SecretJson = z.object({ name: z.string(), updated_at: z.string() });
const DeployKeyJson = z.object({
  id: z.number().int(),
  title: z.string(),
  key: z.string(),
  read_only: z.boolean(),
  created_at: z.string().nullish(),
  added_by: z.string().nullish(),
  last_used: z.string().nullish(),
});
const toInfo = (k: z.infer<typeof DeployKeyJson>): DeployKeyInfo => ({
  id: k.id,
  title: k.title,
  key: k.key,
  readOnly: k.read_only,
  createdAt: k.created_at ?? null,
  addedBy: k.added_by ?? null,
  lastUsed: k.last_used ?? null,
});

const is404 = (e: unknown) => e instanceof RequestError && e.status === 404;

/** GitHub's validation answer: `{message: 'Validation Failed', errors: [{field: 'key', message: 'key is already in use'}]}`. */
const ValidationJson = z.object({ errors: z.array(z.object({ message: z.string().optional() }).passthrough()).optional() });

function validationMessages(e: RequestError): string[] {
  const parsed = ValidationJson.safeParse(e.response?.data);
  return parsed.success ? (parsed.data.errors ?? []).flatMap((x) => (x.message ? [x.message] : [])) : [];
}

/**
 * SecretsPort over the Actions secrets REST API, with the bot's own credential.
 * `o.ownWriteRetries`: the caller retries the PUT itself, after reading the secret back,
 * so Octokit's retry plugin never sends an unanswered write again blind. (Rate limits
 * are still waited out by the throttling plugin; reads keep the plugin's retries.)
 */
export class SecretsGateway implements SecretsPort {
  private readonly writeOptions: { request?: { retries: number } };

  constructor(
    private readonly client: GitHubClient,
    o: { ownWriteRetries?: boolean } = {},
  ) {
    this.writeOptions = o.ownWriteRetries ? { request: { retries: 0 } } : {};
  }

  publicKey(repo: RepoRef): Promise<SecretsPublicKey> {
    return callGitHub(this.client.host, `the Actions public key of ${repo.owner}/${repo.name}`, async () => {
      const { data } = await this.client.rest.actions.getRepoPublicKey({ owner: repo.owner, repo: repo.name });
      const k = PublicKeyJson.parse(data);
      return { keyId: k.key_id, key: k.key };
    });
  }

  secret(repo: RepoRef, name: string): Promise<SecretMeta | null> {
    return callGitHub(this.client.host, `the Actions secret ${name} of ${repo.owner}/${repo.name}`, async () => {
      try {
        const { data } = await this.client.rest.actions.getRepoSecret({ owner: repo.owner, repo: repo.name, secret_name: name });
        const s = SecretJson.parse(data);
        observeSecretDates(`${repo.owner}/${repo.name}`, [{ name: s.name, updatedAt: s.updated_at }]);
        return { name: s.name, updatedAt: s.updated_at };
      } catch (e) {
        if (is404(e)) return null;
        throw e;
      }
    });
  }

  put(repo: RepoRef, name: string, sealed: { encryptedValue: string; keyId: string }): Promise<void> {
    return callGitHub(this.client.host, `the Actions secret ${name} of ${repo.owner}/${repo.name}`, async () => {
      await this.client.rest.actions.createOrUpdateRepoSecret({
        owner: repo.owner,
        repo: repo.name,
        secret_name: name,
        encrypted_value: sealed.encryptedValue,
        key_id: sealed.keyId,
        ...this.writeOptions,
      });
    });
  }

  remove(repo: RepoRef, name: string): Promise<boolean> {
    return callGitHub(this.client.host, `the Actions secret ${name} of ${repo.owner}/${repo.name}`, async () => {
      try {
        await this.client.rest.actions.deleteRepoSecret({ owner: repo.owner, repo: repo.name, secret_name: name });
        return true;
      } catch (e) {
        if (is404(e)) return false;
        throw e;
      }
    });
  }
}

/** DeployKeysPort over the deploy keys REST API (needs admin on the repository). */
export class DeployKeysGateway implements DeployKeysPort {
  constructor(private readonly client: GitHubClient) {}

  list(repo: RepoRef): Promise<DeployKeyInfo[]> {
    return callGitHub(this.client.host, `the deploy keys of ${repo.owner}/${repo.name}`, async () => {
      const all = await this.client.rest.paginate(this.client.rest.repos.listDeployKeys, { owner: repo.owner, repo: repo.name, per_page: 100 });
      return z.array(DeployKeyJson).parse(all).map(toInfo);
    });
  }

  add(repo: RepoRef, key: { title: string; key: string; readOnly: boolean }): Promise<DeployKeyInfo> {
    const host = this.client.host;
    const full = `${repo.owner}/${repo.name}`;
    // A private key pasted where the public half belongs must not leave the bot.
    if (/PRIVATE KEY-----/.test(key.key)) {
      return Promise.reject(
        new GitHubError(
          'github_error',
          `Not sent to ${host}: that is a private key; a deploy key is the public half (\`ssh-ed25519 AAAA…\`).`,
          host,
          undefined,
        ),
      );
    }
    return callGitHub(host, `the deploy keys of ${full}`, async () => {
      try {
        const { data } = await this.client.rest.repos.createDeployKey({
          owner: repo.owner,
          repo: repo.name,
          title: key.title,
          key: key.key,
          read_only: key.readOnly,
        });
        return toInfo(DeployKeyJson.parse(data));
      } catch (e) {
        if (!(e instanceof RequestError) || e.status !== 422) throw e;
        // Neither message repeats the key; GitHub's own wording is not shown as it may.
        const messages = validationMessages(e).join(' ');
        if (/already in use/i.test(messages)) {
          throw new GitHubError(
            'github_conflict',
            `${host} refused the new deploy key for ${full}: that key is already in use (GitHub takes a deploy key on one repository only, and not if it is someone's SSH key). Use a new key.`,
            host,
            422,
            { cause: e },
          );
        }
        if (/OpenSSH public key format|key is invalid/i.test(messages)) {
          throw new GitHubError('github_error', `${host} refused the new deploy key for ${full}: it is not an SSH public key in OpenSSH format.`, host, 422, {
            cause: e,
          });
        }
        throw new GitHubError('github_error', `${host} refused the new deploy key for ${full} (HTTP 422).`, host, 422, { cause: e });
      }
    });
  }

  remove(repo: RepoRef, id: number): Promise<boolean> {
    return callGitHub(this.client.host, `deploy key ${id} of ${repo.owner}/${repo.name}`, async () => {
      try {
        await this.client.rest.repos.deleteDeployKey({ owner: repo.owner, repo: repo.name, key_id: id });
        return true;
      } catch (e) {
        if (is404(e)) return false;
        throw e;
      }
    });
  }
}
