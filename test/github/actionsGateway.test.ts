/**
 * ActionsGateway.rerunJob against the fake github.com with a real Octokit client: the
 * re-run shows as a new attempt of the run, and GitHub's refusals come back as
 * GitHubErrors that say what happened.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ActionsGateway } from '../../src/github/actionsGateway.js';
import { createGitHubClient } from '../../src/github/octokit.js';
import type { RepoRef } from '../../src/core/ports.js';
import { GitHubError } from '../../src/errors.js';
import { createLogger } from '../../src/log/logger.js';
import { Sanitizer } from '../../src/log/sanitizer.js';
import { FakeGitHub } from '@chatops/fake-github';
import { routingFetch } from '@chatops/sandbox/routingFetch.js';
import { seedPywats, type PywatsSeed } from '@chatops/fake-github/scenario.js';

const logger = createLogger({ level: 'silent', sanitizer: new Sanitizer() });

describe('ActionsGateway.rerunJob', () => {
  let github: FakeGitHub;
  let ghe: FakeGitHub;
  let seed: PywatsSeed;
  const repo: RepoRef = { owner: 'olreppe', name: 'pyWATS' };
  const gateway = (token = seed.github.token): ActionsGateway =>
    new ActionsGateway(
      createGitHubClient({
        apiUrl: 'https://api.github.com',
        auth: { kind: 'token', token },
        logger,
        tuning: { fetch: routingFetch({ 'api.github.com': github.url }), retryBaseMs: 1 },
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
  });
  after(() => Promise.all([github.stop(), ghe.stop()]));

  test('the failed sync job runs again as attempt 2 of its run; played out, the run succeeds', async () => {
    const g = gateway();
    const before = await g.latestRun(repo, 'publish.yml');
    assert.ok(before);
    assert.deepEqual([before.runAttempt, before.conclusion], [1, 'failure']);
    const sync = (await g.runJobs(repo, before.id)).find((j) => j.name === 'Sync to GitHub Enterprise');
    assert.ok(sync);

    await g.rerunJob(repo, sync.id);
    const queued = await g.latestRun(repo, 'publish.yml');
    assert.deepEqual([queued?.id, queued?.runAttempt, queued?.status, queued?.conclusion], [before.id, 2, 'queued', null]);
    const jobs = await g.runJobs(repo, before.id);
    assert.deepEqual(
      jobs.map((j) => [j.name, j.status, j.conclusion]),
      [
        ['Build and publish to PyPI', 'completed', 'success'],
        ['Sync to GitHub Enterprise', 'queued', null],
      ],
    );
    assert.notEqual(jobs[1]?.id, sync.id);

    github.completeRun(before.id);
    const done = await g.latestRun(repo, 'publish.yml');
    assert.deepEqual([done?.runAttempt, done?.status, done?.conclusion], [2, 'completed', 'success']);
  });

  test('a run still in progress: github_conflict, saying to wait', async () => {
    const runId = github.startRun(seed.github.repo, 'publish.yml', { headBranch: 'main' });
    github.setJob(runId, 'build-and-publish', { status: 'in_progress' });
    const [build] = await gateway().runJobs(repo, runId);
    const e = await refusal(gateway().rerunJob(repo, build?.id ?? 0));
    assert.equal(e.code, 'github_conflict');
    assert.equal(e.status, 403);
    assert.match(e.userMessage, /still in progress/);
    github.completeRun(runId);
  });

  test('without Actions write: github_forbidden; an unknown job: github_not_found', async () => {
    github.addToken('ghp_readerOfPywats', { login: 'reader', fineGrained: { repos: [seed.github.repo], permissions: { actions: 'read', metadata: 'read' } } });
    github.grantAccess(seed.github.repo, 'reader', 'write');
    const runId = seed.github.lastPublishRunId ?? 0;
    const [build] = await gateway().runJobs(repo, runId);
    const forbidden = await refusal(gateway('ghp_readerOfPywats').rerunJob(repo, build?.id ?? 0));
    assert.equal(forbidden.code, 'github_forbidden');
    assert.match(forbidden.userMessage, /Actions write/);
    assert.equal((await refusal(gateway().rerunJob(repo, 12345))).code, 'github_not_found');
  });
});
