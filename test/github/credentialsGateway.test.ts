/**
 * CredentialsGateway against the fake github.com and GHES, through the clients the
 * services would use: `GitHubClients.anonymous` for github.com (which refuses
 * authenticated revocations) and `forMirror` for GHES (which requires them). A revoked
 * token is proved dead the way the bot will: `/user` with it answers 401.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { Octokit } from '@octokit/rest';
import { RequestError } from '@octokit/request-error';
import { loadConfig, type AppConfig } from '../../src/config/load.js';
import type { RevokeOutcome } from '../../src/core/ports.js';
import { GitHubClients } from '../../src/github/clients.js';
import { CredentialsGateway } from '../../src/github/credentialsGateway.js';
import { createLogger } from '../../src/log/logger.js';
import { Sanitizer } from '../../src/log/sanitizer.js';
import { FakeGitHub } from '@chatops/fake-github';
import { routingFetch } from '@chatops/sandbox/routingFetch.js';
import { seedPywats, type PywatsSeed } from '@chatops/fake-github/scenario.js';

const GITHUB_API = 'https://api.github.com';
const GHE_API = 'https://wats.ghe.com/api/v3';
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

describe('CredentialsGateway', () => {
  let github: FakeGitHub;
  let ghe: FakeGitHub;
  let seed: PywatsSeed;
  let config: AppConfig;
  let clients: GitHubClients;
  let dir: string;
  let n = 0;

  /** A fresh leaked-looking PAT on `fake`, alive until revoked. */
  const leak = (fake: FakeGitHub): string => {
    const token = `ghp_leaked${n++}${'x'.repeat(30)}`.slice(0, 40);
    fake.addToken(token, { login: `leaker${n}`, scopes: ['repo'] });
    return token;
  };
  /** `/user` with the token itself: 200 while alive, 401 once revoked. */
  const userStatus = async (fake: FakeGitHub, token: string): Promise<number> => {
    try {
      return (await new Octokit({ auth: token, baseUrl: fake.apiUrl, log: silent }).rest.users.getAuthenticated()).status;
    } catch (e) {
      if (e instanceof RequestError) return e.status;
      throw e;
    }
  };
  /** Revocation requests the fake answered, from request number `from` on (the log is never cleared here: the rate-limit tests count it all). */
  const revokeCalls = (fake: FakeGitHub, from = 0) => fake.requests.slice(from).filter((r) => r.method === 'POST' && r.path.endsWith('/credentials/revoke'));
  const dotcom = () => new CredentialsGateway(clients.anonymous(config.env.GITHUB_API_URL));
  const mirrorOf = () => {
    const mirror = config.repos[0]?.sync?.mirror;
    assert.ok(mirror, 'the seeded configuration has a GHE mirror');
    return mirror;
  };
  const onGhes = () => new CredentialsGateway(clients.forMirror(mirrorOf()));
  const noSecretIn = (outcome: RevokeOutcome, token: string): void =>
    assert.ok(!JSON.stringify(outcome).includes(token), 'the outcome never repeats the credential');

  before(async () => {
    github = new FakeGitHub({ flavor: 'dotcom' });
    ghe = new FakeGitHub({ flavor: 'ghes', webHost: 'wats.ghe.com' });
    await Promise.all([github.start(), ghe.start()]);
    seed = seedPywats(github, ghe);
    dir = await mkdtemp(join(tmpdir(), 'credentials-test-'));
    const repo = { ...seed.repoConfig, sync: seed.repoConfig.sync && { ...seed.repoConfig.sync, mirror: { ...seed.repoConfig.sync.mirror, apiUrl: GHE_API } } };
    await writeFile(join(dir, 'chatops.yml'), toYaml({ repos: [repo], access: { release: ['U0ALICE001'], approve: ['U0BOB00002'] } }));
    config = await loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-0000000001-test-bot-token',
      SLACK_SIGNING_SECRET: 'test-signing-secret',
      GITHUB_TOKEN: seed.github.token,
      GITHUB_API_URL: GITHUB_API,
      GHE_API_TOKEN: seed.ghe.token,
      CHATOPS_CONFIG: join(dir, 'chatops.yml'),
      DATABASE_URL: join(dir, 'chatops.sqlite'),
    });
    const logger = createLogger({ level: 'silent', sanitizer: new Sanitizer() });
    clients = new GitHubClients({ config, logger, tuning: { fetch: routingFetch({ 'api.github.com': github.url, 'wats.ghe.com': ghe.url }), retryBaseMs: 1 } });
  });
  after(async () => {
    await Promise.all([github.stop(), ghe.stop()]);
    await rm(dir, { recursive: true, force: true });
  });

  describe('github.com: sent without a credential', () => {
    test('the token is revoked: accepted, and /user with it answers 401 afterwards', async () => {
      const token = leak(github);
      assert.equal(await userStatus(github, token), 200);
      const mark = github.requests.length;
      assert.deepEqual(await dotcom().revoke([token]), { kind: 'accepted' });
      const [call] = revokeCalls(github, mark);
      assert.equal(call?.status, 202);
      assert.equal(call?.login, undefined, 'no credential was sent');
      assert.equal(await userStatus(github, token), 401);
    });

    test('sent with the bot credential instead, github.com refuses (403): failed, token alive', async () => {
      const token = leak(github);
      const outcome = await new CredentialsGateway(await clients.forRepo('olreppe', 'pyWATS')).revoke([token]);
      assert.equal(outcome.kind, 'failed');
      assert.equal(outcome.kind === 'failed' && outcome.status, 403);
      assert.match(outcome.kind === 'failed' ? outcome.reason : '', /without a credential/);
      noSecretIn(outcome, token);
      assert.equal(await userStatus(github, token), 200);
    });

    test('a 5xx is failed, not thrown, and the reason does not name the token', async () => {
      const token = leak(github);
      github.failNext({ method: 'POST', path: /\/credentials\/revoke$/ }, { status: 502 });
      const outcome = await dotcom().revoke([token]);
      assert.deepEqual(outcome, { kind: 'failed', status: 502, reason: 'github.com did not answer properly (HTTP 502) when asked to revoke credentials.' });
      noSecretIn(outcome, token);
      assert.equal(await userStatus(github, token), 200, 'nothing was revoked');
    });

    test('an unreachable host is failed, not thrown', async () => {
      const token = leak(github);
      github.setUnreachable(true);
      try {
        const outcome = await dotcom().revoke([token]);
        assert.equal(outcome.kind, 'failed');
        assert.match(outcome.kind === 'failed' ? outcome.reason : '', /^github\.com could not be reached/);
        noSecretIn(outcome, token);
      } finally {
        github.setUnreachable(false);
      }
    });

    test('nothing to revoke sends nothing; duplicates and blanks are dropped', async () => {
      const mark = github.requests.length;
      assert.deepEqual(await dotcom().revoke([]), { kind: 'accepted' });
      assert.deepEqual(await dotcom().revoke(['', '  ']), { kind: 'accepted' });
      assert.equal(revokeCalls(github, mark).length, 0);
      const token = leak(github);
      assert.deepEqual(await dotcom().revoke([token, ` ${token}\n`, token]), { kind: 'accepted' });
      assert.equal(revokeCalls(github, mark).length, 1);
      assert.equal(await userStatus(github, token), 401);
    });

    // Last in this group: it spends the hour's budget of this fake.
    test('after 60 requests in an hour: rate_limited with the time to wait', async () => {
      const accepted = () => revokeCalls(github).filter((r) => r.status === 202).length;
      let outcome: RevokeOutcome = { kind: 'accepted' };
      for (let i = 0; i < 70 && outcome.kind === 'accepted'; i++) outcome = await dotcom().revoke([`ghp_nothing${i}`]);
      assert.equal(accepted(), 60, 'sixty requests in all were taken, earlier tests included');
      assert.equal(outcome.kind, 'rate_limited');
      const wait = outcome.kind === 'rate_limited' ? outcome.retryAfterSeconds : null;
      assert.ok(wait !== null && wait > 3500 && wait <= 3601, String(wait));
    });
  });

  describe('GHES: sent with the bot credential for that host', () => {
    test('the token is revoked: accepted, and /user with it answers 401 afterwards', async () => {
      const token = leak(ghe);
      assert.equal(await userStatus(ghe, token), 200);
      const mark = ghe.requests.length;
      assert.deepEqual(await onGhes().revoke([token]), { kind: 'accepted' });
      assert.equal(revokeCalls(ghe, mark)[0]?.login, seed.ghe.login, 'sent as the bot');
      assert.equal(await userStatus(ghe, token), 401);
    });

    test('sent without a credential, GHES answers 401: failed, token alive', async () => {
      const token = leak(ghe);
      const outcome = await new CredentialsGateway(clients.anonymous(mirrorOf().apiUrl)).revoke([token]);
      assert.equal(outcome.kind, 'failed');
      assert.equal(outcome.kind === 'failed' && outcome.status, 401);
      noSecretIn(outcome, token);
      assert.equal(await userStatus(ghe, token), 200);
    });

    test('a GHES without the endpoint (404) is unsupported', async () => {
      const token = leak(ghe);
      ghe.failNext({ method: 'POST', path: /\/credentials\/revoke$/ }, { status: 404 });
      const outcome = await onGhes().revoke([token]);
      assert.equal(outcome.kind, 'unsupported');
      assert.match(outcome.kind === 'unsupported' ? outcome.reason : '', /^wats\.ghe\.com has no credential revocation API/);
      noSecretIn(outcome, token);
    });

    test('a 500 that lasts through the retries is failed without the token', async () => {
      const token = leak(ghe);
      ghe.failNext({ method: 'POST', path: /\/credentials\/revoke$/ }, { status: 500, times: 3 });
      const outcome = await onGhes().revoke([token]);
      assert.deepEqual(outcome, { kind: 'failed', status: 500, reason: 'wats.ghe.com did not answer properly (HTTP 500) when asked to revoke credentials.' });
      noSecretIn(outcome, token);
    });

    test('more than 1000 credentials go in batches of 1000', async () => {
      const tokens = [leak(ghe), ...Array.from({ length: 1499 }, (_, i) => `ghp_batch${i}`)];
      const mark = ghe.requests.length;
      assert.deepEqual(await onGhes().revoke(tokens), { kind: 'accepted' });
      assert.deepEqual(
        revokeCalls(ghe, mark).map((r) => r.status),
        [202, 202],
      );
      assert.equal(await userStatus(ghe, tokens[0] ?? ''), 401);
    });

    test('after 60 requests in an hour: rate_limited with retry-after from the 422', async () => {
      const accepted = () => revokeCalls(ghe).filter((r) => r.status === 202 && r.login === seed.ghe.login).length;
      let outcome: RevokeOutcome = { kind: 'accepted' };
      for (let i = 0; i < 70 && outcome.kind === 'accepted'; i++) outcome = await onGhes().revoke([`ghp_nothing${i}`]);
      assert.equal(accepted(), 60, 'sixty requests in all were taken, earlier tests included');
      assert.equal(revokeCalls(ghe).at(-1)?.status, 422);
      assert.equal(outcome.kind, 'rate_limited');
      const wait = outcome.kind === 'rate_limited' ? outcome.retryAfterSeconds : null;
      assert.ok(wait !== null && wait > 3500 && wait <= 3600, String(wait));
    });
  });
});
