import type { MirrorConfig } from '../config/schema.js';
import type { CredentialRevokerPort, Gateways, MirrorPorts, RepoPorts, RepoRef, TokenProbePort } from '../core/ports.js';
import { ActionsGateway } from './actionsGateway.js';
import type { GitHubClients } from './clients.js';
import { CredentialsGateway } from './credentialsGateway.js';
import { webUrlOf } from './octokit.js';
import { PollGateway } from './pollGateway.js';
import { RefsGateway } from './refsGateway.js';
import { ReleaseGateway } from './releaseGateway.js';
import { DeployKeysGateway, SecretsGateway } from './secretsGateway.js';
import { TokenProbe } from './tokenProbe.js';

/**
 * The one place outside the gateways' own tests that builds them: each credential's
 * client from GitHubClients (which keeps one per credential), wrapped in the ports of
 * core/ports.ts. The gateways hold nothing but their client, so they are made afresh
 * on each call, as cheap as the object literals they are.
 */
export class GitHubGateways implements Gateways {
  constructor(private readonly clients: GitHubClients) {}

  async repo(repo: RepoRef): Promise<RepoPorts> {
    const client = await this.clients.forRepo(repo.owner, repo.name);
    return {
      host: client.host,
      webUrl: webUrlOf(client.apiUrl),
      release: new ReleaseGateway(client),
      actions: new ActionsGateway(client),
      poll: new PollGateway(client),
      refs: new RefsGateway(client),
      secrets: new SecretsGateway(client),
      secretsOwnRetries: new SecretsGateway(client, { ownWriteRetries: true }),
    };
  }

  mirror(mirror: MirrorConfig): MirrorPorts {
    const client = this.clients.forMirror(mirror);
    return {
      host: client.host,
      webUrl: webUrlOf(client.apiUrl),
      refs: new RefsGateway(client),
      deployKeys: new DeployKeysGateway(client),
      revoker: new CredentialsGateway(client),
    };
  }

  tokenProbe(apiUrl: string, token: string): TokenProbePort {
    return new TokenProbe(this.clients.withToken(apiUrl, token));
  }

  anonymousRevoker(apiUrl: string): CredentialRevokerPort {
    return new CredentialsGateway(this.clients.anonymous(apiUrl));
  }
}
