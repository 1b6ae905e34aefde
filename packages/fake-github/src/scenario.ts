import { readFileSync } from 'node:fs';
import type { RepoConfig } from '../../../src/config/schema.js';
import type { FakeGitHub } from './server.js';
import type { JobOutcome } from './runs.js';
import type { Permission } from './types.js';

/**
 * The world the seeds describe (../shared/seeds): olreppe/pyWATS on github.com
 * publishes tags `v0.1.0b…` with publish.yml, whose `sync-to-ghe` job pushes main and
 * the tags to the mirror WATS/pyWATS on wats.ghe.com with the GHE_TOKEN secret.
 * By default the newest publish run's sync failed authenticating (the GHE token
 * expired), so the mirror lacks the newest tag. Every part can be changed.
 */

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/workflows/${name}`, import.meta.url), 'utf8');

export type LastPublishRun =
  /** build-and-publish succeeded, sync-to-ghe failed at `git push` with "Authentication failed". */
  | 'sync-auth-failure'
  /** Publishing failed, so sync-to-ghe was skipped. */
  | 'publish-failure'
  | 'success'
  /** Started, build-and-publish in progress. */
  | 'in-progress'
  /** No publish run for the newest tag at all. */
  | 'none'
  | Record<string, JobOutcome>;

export interface PywatsSeedOptions {
  githubRepo?: string;
  mirrorRepo?: string;
  /** Tags in release order; the last one is the newest. */
  tags?: string[];
  /** How many of the newest tags the mirror lacks (default 1). */
  mirrorMissingTags?: number;
  lastPublishRun?: LastPublishRun;
  /** updated_at of the GHE_TOKEN / PAT_TOKEN secrets; null leaves the secret out. */
  gheTokenUpdatedAt?: string | null;
  patTokenUpdatedAt?: string | null;
  /**
   * Expiry of the GHE PAT held in GHE_TOKEN. Default: a year after the secret was set;
   * with the default age (375 days) it expired between the last two releases, which is
   * why the newest sync failed.
   */
  gheTokenExpiresAt?: string | null;
  /** The bot's collaborator permission on each repository. */
  githubBotAccess?: Permission;
  gheBotAccess?: Permission;
  /** The bots' tokens (defaults are fixed strings). */
  githubBotToken?: string;
  gheBotToken?: string;
  /** Days between successive releases (default 7). */
  releaseEveryDays?: number;
}

export interface PywatsSeed {
  github: {
    repo: string;
    login: string;
    token: string;
    publishWorkflowId: number;
    releaseWorkflowId: number;
    mainSha: string;
    /** tag -> commit SHA */
    tags: Record<string, string>;
    /** Publish runs, oldest first. */
    publishRunIds: number[];
    lastPublishRunId: number | null;
  };
  ghe: {
    repo: string;
    login: string;
    token: string;
    mainSha: string;
    tags: Record<string, string>;
    /** The GHE PAT stored in the GHE_TOKEN secret, and its owner on GHE. */
    syncToken: string;
    syncLogin: string;
  };
  /** This repository's entry of the bot's YAML configuration. */
  repoConfig: RepoConfig;
  /** Environment for the bot: GITHUB_TOKEN, GITHUB_API_URL and the mirror's token variable. */
  env: Record<string, string>;
}

const DAY = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function outcomesFor(kind: Exclude<LastPublishRun, 'none' | 'in-progress'>, gheHost: string, mirror: string): Record<string, JobOutcome> {
  if (typeof kind === 'object') return kind;
  if (kind === 'success') return {};
  if (kind === 'publish-failure') {
    return {
      'build-and-publish': {
        conclusion: 'failure',
        failedStep: 'Publish to PyPI',
        log: 'Uploading distributions to https://upload.pypi.org/legacy/\nERROR    HTTPError: 400 Bad Request from https://upload.pypi.org/legacy/\n         File already exists.',
      },
    };
  }
  return {
    'sync-to-ghe': {
      conclusion: 'failure',
      failedStep: 'Push to GitHub Enterprise',
      log: [
        'Pushing main branch to GHE...',
        'remote: Invalid username or password.',
        `fatal: Authentication failed for 'https://${gheHost}/${mirror}.git/'`,
      ].join('\n'),
    },
  };
}

export function seedPywats(github: FakeGitHub, ghe: FakeGitHub, o: PywatsSeedOptions = {}): PywatsSeed {
  const repo = o.githubRepo ?? 'olreppe/pyWATS';
  const mirror = o.mirrorRepo ?? 'WATS/pyWATS';
  const tags = o.tags ?? ['v0.1.0b37', 'v0.1.0b38', 'v0.1.0b39'];
  const missing = Math.min(tags.length, o.mirrorMissingTags ?? 1);
  const every = (o.releaseEveryDays ?? 7) * DAY;
  const now = Date.now();
  const start = now - (tags.length + 1) * every;
  const gheHost = new URL(ghe.webUrl).host;

  const botLogin = 'release-chatops-bot';
  const gheBotLogin = 'svc-release-chatops';
  const syncLogin = 'svc-pywats-sync';
  const githubToken = o.githubBotToken ?? 'ghp_fakeGithubBotToken000000000000000000';
  const gheToken = o.gheBotToken ?? 'ghp_fakeGheBotToken00000000000000000000000';
  const syncToken = 'ghp_fakeGheSyncToken0000000000000000000000';

  github.setClock(iso(start));
  ghe.setClock(iso(start));
  github.addRepo(repo, { private: true, access: { [botLogin]: o.githubBotAccess ?? 'write' } });
  ghe.addRepo(mirror, { private: true, access: { [gheBotLogin]: o.gheBotAccess ?? 'admin' } });
  github.addToken(githubToken, { login: botLogin, scopes: ['repo', 'workflow'] });
  ghe.addToken(gheToken, { login: gheBotLogin, scopes: ['repo'] });

  const publishWorkflowId = github.addWorkflow(repo, '.github/workflows/publish.yml', fixture('pywats-publish.yml'));
  const releaseWorkflowId = github.addWorkflow(repo, '.github/workflows/release.yml', fixture('jankins-release.yml'));
  // The mirror carries the same files (GHES does not run them: its Actions are not the point here).
  ghe.addFile(mirror, '.github/workflows/publish.yml', fixture('pywats-publish.yml'));
  ghe.addFile(mirror, '.github/workflows/release.yml', fixture('jankins-release.yml'));

  const pushBoth = (message: string, date: number, toMirror: boolean): string => {
    const sha = github.pushCommit(repo, { message, date: iso(date) });
    if (toMirror) ghe.pushCommit(mirror, { message, date: iso(date), sha });
    return sha;
  };
  pushBoth('Initial import of pyWATS', start, true);

  const tagShas: Record<string, string> = {};
  const mirrorTags: Record<string, string> = {};
  const publishRunIds: number[] = [];
  let lastPublishRunId: number | null = null;
  tags.forEach((tag, i) => {
    const t = start + (i + 1) * every - 2 * 3600_000;
    const version = tag.replace(/^v/, '');
    pushBoth(`feat: report builder improvements for ${version}`, t - 3 * 3600_000, true);
    // The mirror's main matches github's: only the newest tags are missing there.
    const sha = pushBoth(`chore(release): ${version}`, t, true);
    github.createTag(repo, tag, { sha, annotated: true, message: `Release ${version}` });
    tagShas[tag] = sha;
    if (i < tags.length - missing) {
      ghe.createTag(mirror, tag, { sha, annotated: true, message: `Release ${version}` });
      mirrorTags[tag] = sha;
    }
    const last = i === tags.length - 1;
    const kind: LastPublishRun = last ? (o.lastPublishRun ?? 'sync-auth-failure') : 'success';
    if (kind === 'none') return;
    const runOpts = { event: 'push', headBranch: tag, headSha: sha, actor: 'olreppe', createdAt: iso(t + 60_000) };
    if (kind === 'in-progress') {
      lastPublishRunId = github.startRun(repo, '.github/workflows/publish.yml', runOpts);
      github.setJob(lastPublishRunId, 'build-and-publish', { status: 'in_progress' });
    } else {
      lastPublishRunId = github.simulateRun(repo, '.github/workflows/publish.yml', runOpts, outcomesFor(kind, gheHost, mirror));
    }
    publishRunIds.push(lastPublishRunId);
  });

  const gheTokenUpdatedAt = o.gheTokenUpdatedAt === undefined ? iso(now - 375 * DAY) : o.gheTokenUpdatedAt;
  const patTokenUpdatedAt = o.patTokenUpdatedAt === undefined ? iso(now - 40 * DAY) : o.patTokenUpdatedAt;
  if (gheTokenUpdatedAt) github.setSecret(repo, 'GHE_TOKEN', { value: syncToken, updatedAt: gheTokenUpdatedAt });
  if (patTokenUpdatedAt) github.setSecret(repo, 'PAT_TOKEN', { updatedAt: patTokenUpdatedAt });
  const syncExpiry =
    o.gheTokenExpiresAt !== undefined ? o.gheTokenExpiresAt : gheTokenUpdatedAt ? iso(new Date(gheTokenUpdatedAt).getTime() + 365 * DAY) : null;
  ghe.addToken(syncToken, { login: syncLogin, scopes: ['repo'], expiresAt: syncExpiry });
  ghe.grantAccess(mirror, syncLogin, 'write');

  const mainSha = tagShas[tags.at(-1) ?? ''] ?? '';
  const repoConfig: RepoConfig = {
    name: 'pywats',
    github: repo,
    release: { workflow: 'release.yml', inputs: {} },
    sync: { workflow: 'publish.yml', job: 'sync-to-ghe', mirror: { apiUrl: ghe.apiUrl, repo: mirror, tokenEnv: 'GHE_API_TOKEN' } },
    secrets: [
      { name: 'GHE_TOKEN', kind: 'classic-pat', host: ghe.webUrl, scopes: ['repo'], maxAgeDays: 365 },
      { name: 'PAT_TOKEN', kind: 'fine-grained-pat', host: github.webUrl, scopes: [], maxAgeDays: 365 },
    ],
  };
  return {
    github: { repo, login: botLogin, token: githubToken, publishWorkflowId, releaseWorkflowId, mainSha, tags: tagShas, publishRunIds, lastPublishRunId },
    ghe: { repo: mirror, login: gheBotLogin, token: gheToken, mainSha, tags: mirrorTags, syncToken, syncLogin },
    repoConfig,
    env: { GITHUB_TOKEN: githubToken, GITHUB_API_URL: github.apiUrl, GHE_API_TOKEN: gheToken },
  };
}
