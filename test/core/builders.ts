/**
 * Small builders of SyncFacts for the tests of the /sync-status core and its rendering.
 * Defaults describe a healthy pyWATS (seeds/ghe-token-setup.md, fixtures/workflows/pywats-publish.yml):
 * the last tag push ran "Publish to PyPI", both jobs succeeded, GHE has every tag.
 */
import type { SecretConfig } from '../../src/config/schema.js';
import type { JobInfo, RepoRefsState, SecretMeta, StepInfo, WorkflowRunInfo } from '../../src/core/ports.js';
import type { Fetched, SyncFacts } from '../../src/core/sync/facts.js';

export const NOW = new Date('2026-02-01T12:00:00.000Z');
export const RUN_ID = 21_000_000_001;
export const HEAD = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
export const WEB = 'https://github.com/olreppe/pyWATS';
export const GHE_WEB = 'https://wats.ghe.com/WATS/pyWATS';

export const ok = <T>(value: T): Fetched<T> => ({ ok: true, value });
export const failed = <T = never>(reason: string): Fetched<T> => ({ ok: false, reason });

/** A 40-hex SHA that differs for each seed. */
export function sha(seed: string | number): string {
  let h = 0x811c9dc5;
  const s = String(seed);
  let out = '';
  for (let round = 0; out.length < 40; round++) {
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
    h = Math.imul(h ^ round, 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, 40);
}

export function run(over: Partial<WorkflowRunInfo> = {}): WorkflowRunInfo {
  return {
    id: RUN_ID,
    runNumber: 42,
    runAttempt: 1,
    name: 'Publish to PyPI',
    event: 'push',
    status: 'completed',
    conclusion: 'success',
    headSha: HEAD,
    headBranch: 'v0.1.0b39',
    displayTitle: 'Release 0.1.0b39',
    createdAt: '2026-02-01T11:40:00Z',
    runStartedAt: '2026-02-01T11:40:00Z',
    updatedAt: '2026-02-01T11:50:00Z',
    htmlUrl: `${WEB}/actions/runs/${RUN_ID}`,
    ...over,
  };
}

export function step(number: number, name: string, conclusion: StepInfo['conclusion'] = 'success'): StepInfo {
  return {
    number,
    name,
    status: 'completed',
    conclusion,
    startedAt: '2026-02-01T11:45:00Z',
    completedAt: '2026-02-01T11:45:10Z',
  };
}

export function job(over: Partial<JobInfo> & Pick<JobInfo, 'id' | 'name'>): JobInfo {
  return {
    runId: RUN_ID,
    status: 'completed',
    conclusion: 'success',
    startedAt: '2026-02-01T11:41:00Z',
    completedAt: '2026-02-01T11:44:00Z',
    htmlUrl: `${WEB}/actions/runs/${RUN_ID}/job/${over.id}`,
    steps: [],
    ...over,
  };
}

export function buildJob(over: Partial<JobInfo> = {}): JobInfo {
  return job({
    id: 61_000_000_001,
    name: 'Build and publish to PyPI',
    steps: [
      step(1, 'Set up job'),
      step(2, 'Checkout repository'),
      step(3, 'Set up Python'),
      step(4, 'Install build dependencies'),
      step(5, 'Build package'),
      step(6, 'Check package'),
      step(7, 'Publish to PyPI'),
      step(8, 'Complete job'),
    ],
    ...over,
  });
}

/** The sync job as GitHub reports it: took 3m 12s from 11:45:00. */
export function syncJob(over: Partial<JobInfo> = {}): JobInfo {
  return job({
    id: 61_000_000_002,
    name: 'Sync to GitHub Enterprise',
    startedAt: '2026-02-01T11:45:00Z',
    completedAt: '2026-02-01T11:48:12Z',
    steps: [
      step(1, 'Set up job'),
      step(2, 'Checkout repository'),
      step(3, 'Configure Git'),
      step(4, 'Add GHE remote'),
      step(5, 'Push to GitHub Enterprise'),
      step(6, 'Complete job'),
    ],
    ...over,
  });
}

/** The sync job failing at "Push to GitHub Enterprise". */
export function failedSyncJob(over: Partial<JobInfo> = {}): JobInfo {
  return syncJob({
    conclusion: 'failure',
    steps: [
      step(1, 'Set up job'),
      step(2, 'Checkout repository'),
      step(3, 'Configure Git'),
      step(4, 'Add GHE remote'),
      step(5, 'Push to GitHub Enterprise', 'failure'),
      step(6, 'Post Checkout repository'),
      step(7, 'Complete job'),
    ],
    ...over,
  });
}

export function skippedSyncJob(over: Partial<JobInfo> = {}): JobInfo {
  return syncJob({
    conclusion: 'skipped',
    startedAt: '2026-02-01T11:44:01Z',
    completedAt: '2026-02-01T11:44:01Z',
    steps: [],
    ...over,
  });
}

export const TAGS = ['v0.1.0b36', 'v0.1.0b37', 'v0.1.0b38', 'v0.1.0b39'];

export function refs(tags: readonly string[] = TAGS, over: Partial<RepoRefsState> = {}): RepoRefsState {
  const map: Record<string, string> = {};
  for (const t of tags) map[t] = sha(t);
  return { defaultBranch: 'main', headSha: HEAD, tags: map, totalTags: tags.length, ...over };
}

export function secretConfig(over: Partial<SecretConfig> = {}): SecretConfig {
  return {
    name: 'GHE_TOKEN',
    kind: 'classic-pat',
    host: 'https://wats.ghe.com',
    scopes: ['repo'],
    maxAgeDays: 365,
    ...over,
  };
}

/** A secret last set `days` days before NOW. */
export function secretMeta(name: string, days: number): SecretMeta {
  return { name, updatedAt: new Date(NOW.getTime() - days * 86_400_000).toISOString() };
}

export function facts(over: Partial<SyncFacts> = {}): SyncFacts {
  return {
    repo: { name: 'pywats', github: 'olreppe/pyWATS', webUrl: WEB },
    workflow: 'publish.yml',
    job: 'Sync to GitHub Enterprise',
    run: ok(run()),
    jobs: ok([buildJob(), syncJob()]),
    syncJobLog: null,
    secrets: ok([secretMeta('GHE_TOKEN', 100), secretMeta('PYPI_TOKEN', 10)]),
    configuredSecrets: [secretConfig()],
    mirror: { host: 'https://wats.ghe.com', repo: 'WATS/pyWATS', webUrl: GHE_WEB },
    githubRefs: ok(refs()),
    mirrorRefs: ok(refs()),
    ...over,
  };
}

/** Facts of a run whose sync job failed with `log`. */
export function failedFacts(log: string, over: Partial<SyncFacts> = {}): SyncFacts {
  return facts({
    run: ok(run({ conclusion: 'failure' })),
    jobs: ok([buildJob(), failedSyncJob()]),
    syncJobLog: ok(log),
    mirrorRefs: ok(refs(TAGS.slice(0, 3), { headSha: sha('old-main') })),
    ...over,
  });
}

/** Lines as GitHub's job log API returns them: each prefixed with an ISO timestamp. */
export function logOf(lines: readonly string[]): string {
  const t0 = Date.parse('2026-02-01T11:45:00Z');
  return lines.map((l, i) => `${new Date(t0 + i * 137).toISOString().replace('Z', '1234Z')} ${l}`).join('\n');
}

/** The "Push to GitHub Enterprise" step of pywats-publish.yml, echoed as the runner does, then `output`. */
export function pushStepLog(output: readonly string[]): string {
  return logOf([
    '##[group]Run actions/checkout@v4',
    'with:',
    '  fetch-depth: 0',
    '##[endgroup]',
    'Syncing repository: olreppe/pyWATS',
    '##[group]Run git remote add ghe https://wats.ghe.com/WATS/pyWATS.git',
    'git remote add ghe https://wats.ghe.com/WATS/pyWATS.git',
    'git remote -v',
    'shell: /usr/bin/bash -e {0}',
    '##[endgroup]',
    'ghe\thttps://wats.ghe.com/WATS/pyWATS.git (fetch)',
    'ghe\thttps://wats.ghe.com/WATS/pyWATS.git (push)',
    '##[group]Run # Configure authentication',
    '# Configure authentication',
    'git config --global url."https://oauth2:${GHE_TOKEN}@wats.ghe.com/".insteadOf "https://wats.ghe.com/"',
    'echo "Pushing main branch to GHE..."',
    'git push ghe main',
    'echo "Pushing tags to GHE..."',
    'git push ghe --tags',
    'echo "✅ Successfully synced to GitHub Enterprise"',
    'shell: /usr/bin/bash -e {0}',
    'env:',
    '  GHE_TOKEN: ***',
    '##[endgroup]',
    'Pushing main branch to GHE...',
    ...output,
    '##[error]Process completed with exit code 128.',
    'Post job cleanup.',
  ]);
}

export const LOGS = {
  auth: pushStepLog(['remote: Invalid username or password.', "fatal: Authentication failed for 'https://wats.ghe.com/WATS/pyWATS.git/'"]),
  authMissingSecret: pushStepLog(["fatal: could not read Username for 'https://wats.ghe.com': No such device or address"]),
  forbidden: pushStepLog([
    'remote: Permission to WATS/pyWATS.git denied to github-actions-sync.',
    "fatal: unable to access 'https://wats.ghe.com/WATS/pyWATS.git/': The requested URL returned error: 403",
  ]),
  protected: pushStepLog([
    'remote: error: GH006: Protected branch update failed for refs/heads/main.',
    'remote: error: Changes must be made through a pull request.',
    'To https://wats.ghe.com/WATS/pyWATS.git',
    ' ! [remote rejected] main -> main (protected branch hook declined)',
    "error: failed to push some refs to 'https://wats.ghe.com/WATS/pyWATS.git'",
  ]),
  notFound: pushStepLog(['remote: Repository not found.', "fatal: repository 'https://wats.ghe.com/WATS/pyWATS.git/' not found"]),
  network: pushStepLog(["fatal: unable to access 'https://wats.ghe.com/WATS/pyWATS.git/': Could not resolve host: wats.ghe.com"]),
  other: pushStepLog([
    'Enumerating objects: 12, done.',
    'Counting objects: 100% (12/12), done.',
    'Delta compression using up to 4 threads',
    'error: RPC failed; HTTP 500 curl 22 The requested URL returned error: 500',
    'send-pack: unexpected disconnect while reading sideband packet',
    'fatal: the remote end hung up unexpectedly',
  ]),
};
