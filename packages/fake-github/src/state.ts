import { createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { FakeClock, isoSeconds } from './clock.js';
import { newSecretsKeyPair, sha1Hex, type SecretsKeyPair } from './crypto.js';
import type { Flavor, JobConclusion, JobStatus, Permission, PermissionGrants } from './types.js';
import { parseWorkflow, type WorkflowDef } from './workflowModel.js';

/** The in-memory world one fake host serves. Everything the REST and GraphQL handlers read lives here. */

export interface UserRec {
  login: string;
  id: number;
  createdAt: string;
}

export interface CommitRec {
  sha: string;
  treeSha: string;
  message: string;
  date: string;
  parents: string[];
}

export interface TagRec {
  name: string;
  commitSha: string;
  /** Present for annotated tags: the tag object. */
  annotated?: { sha: string; message: string; date: string };
}

export interface WorkflowRec {
  id: number;
  path: string;
  yaml: string;
  def: WorkflowDef;
  state: 'active' | 'disabled_manually';
  createdAt: string;
  updatedAt: string;
  runCounter: number;
}

export interface StepRec {
  number: number;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  startedAt: string | null;
  completedAt: string | null;
}

export interface JobRec {
  id: number;
  runId: number;
  /** The attempt of the run this job ran in (a job a re-run did not repeat keeps its own). */
  runAttempt: number;
  key: string;
  name: string;
  status: JobStatus;
  conclusion: JobConclusion | null;
  createdAt: string;
  startedAt: string;
  completedAt: string | null;
  steps: StepRec[];
  runnerId: number | null;
  runnerName: string | null;
  /** The failing step's output, as the test gave it. */
  failureOutput?: string;
  failedStep?: string;
  /** Rendered log, once the job completed (not for skipped jobs). */
  logText?: string;
}

/** The run as it stood when a re-run started the next attempt. */
export interface RunAttemptRec {
  attempt: number;
  status: RunRec['status'];
  conclusion: JobConclusion | null;
  runStartedAt: string;
  updatedAt: string;
  triggeringActor: string;
}

export interface RunRec {
  id: number;
  repoKey: string;
  workflowId: number;
  runNumber: number;
  event: string;
  status: 'queued' | 'in_progress' | 'completed' | 'waiting';
  conclusion: JobConclusion | null;
  headBranch: string;
  headSha: string;
  actor: string;
  /** Who started the current attempt (the re-runner for attempts after the first). */
  triggeringActor: string;
  displayTitle: string;
  createdAt: string;
  /** Start of the current attempt. */
  runStartedAt: string;
  updatedAt: string;
  /** 1, then one more for each re-run. */
  runAttempt: number;
  /** The jobs of the current attempt: those it ran, and those it kept from earlier attempts. */
  jobs: JobRec[];
  /** Jobs of earlier attempts that a re-run replaced (`filter=all` lists them too). */
  replacedJobs: JobRec[];
  /** Earlier attempts, oldest first. */
  previousAttempts: RunAttemptRec[];
  /** Epoch ms before which the API does not show the run (dispatched runs take a moment to appear). */
  visibleAfter?: number;
}

export interface SecretRec {
  name: string;
  createdAt: string;
  updatedAt: string;
  /** Plaintext, when seeded with one. */
  value?: string;
  /** What a PUT stored (a sealed box for the repo's key). */
  sealed?: Uint8Array;
}

export interface DeployKeyRec {
  id: number;
  title: string;
  key: string;
  readOnly: boolean;
  createdAt: string;
  addedBy: string | null;
  /** When a git operation last used it (GitHub's `last_used`); null: never. */
  lastUsed: string | null;
}

export interface RepoRec {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  private: boolean;
  defaultBranch: string;
  access: Map<string, Permission>;
  commits: Map<string, CommitRec>;
  branches: Map<string, string>;
  tags: Map<string, TagRec>;
  files: Map<string, string>;
  workflows: WorkflowRec[];
  runs: RunRec[];
  secrets: Map<string, SecretRec>;
  deployKeys: DeployKeyRec[];
  secretsKey: SecretsKeyPair;
  createdAt: string;
  updatedAt: string;
  pushedAt: string;
}

export interface TokenRec {
  token: string;
  login: string;
  kind: 'classic' | 'fine-grained';
  scopes: string[];
  expiresAt: string | null;
  /** fine-grained: lower-cased full names the token was granted. */
  repos?: string[];
  permissions?: PermissionGrants;
}

export interface AppRec {
  appId: number;
  slug: string;
  publicKey: KeyObject;
  permissions: PermissionGrants;
}

export interface InstallationRec {
  id: number;
  appId: number;
  account: string;
  repos: string[];
  permissions: PermissionGrants;
  createdAt: string;
}

export interface InstallationTokenRec {
  token: string;
  installationId: number;
  expiresAt: string;
  repos: string[];
  permissions: PermissionGrants;
}

export const repoKey = (fullName: string): string => fullName.toLowerCase();

/**
 * What changed in the world, as GitHub tells webhooks about it: a run requested or
 * moving on, a job queued, started or done, a tag created. Told at the moment of the
 * change, so a listener that serializes then sees the state as it was.
 */
export type StateChange =
  | { kind: 'workflow_run'; action: 'requested' | 'in_progress' | 'completed'; repo: RepoRec; run: RunRec }
  | { kind: 'workflow_job'; action: 'queued' | 'waiting' | 'in_progress' | 'completed'; repo: RepoRec; run: RunRec; job: JobRec }
  | { kind: 'tag'; repo: RepoRec; tag: TagRec };

const DEFAULT_APP_PERMISSIONS: PermissionGrants = {
  actions: 'write',
  administration: 'write',
  contents: 'write',
  metadata: 'read',
  secrets: 'write',
};

export class GitHubState {
  readonly clock: FakeClock;
  readonly repos = new Map<string, RepoRec>();
  readonly users = new Map<string, UserRec>();
  readonly tokens = new Map<string, TokenRec>();
  readonly apps = new Map<number, AppRec>();
  readonly installations = new Map<number, InstallationRec>();
  readonly installationTokens = new Map<string, InstallationTokenRec>();
  /** Signs the one-time-ish log download URLs (GitHub hands out SAS-signed blob URLs). */
  readonly blobKey = randomBytes(32);
  /** How long a dispatched run stays invisible to the API, as on GitHub where it appears a few seconds later. */
  dispatchDelayMs = 0;
  /** Called for every run a dispatch creates (the sandbox uses it to play runs out). */
  readonly dispatchListeners: Array<(run: RunRec, repo: RepoRec) => void> = [];
  /** Called for every re-run requested through the API, once the new attempt is queued. */
  readonly rerunListeners: Array<(run: RunRec, repo: RepoRec) => void> = [];
  /** Told of every change webhooks report (webhooks.ts); none while nobody listens, as when seeding history. */
  readonly changeListeners: Array<(c: StateChange) => void> = [];
  /** Base URLs, known once the server listens. */
  urls = { url: '', apiUrl: '', graphqlUrl: '', webUrl: '' };

  // Ids in the ranges GitHub uses today, so clients meet numbers beyond 2^31.
  private nextIds = {
    user: 1_000_001,
    repo: 700_000_001,
    workflow: 150_000_001,
    run: 21_000_000_001,
    job: 60_000_000_001,
    key: 120_000_001,
    installation: 50_000_001,
    runner: 1_000_001,
  };

  constructor(
    readonly flavor: Flavor,
    start?: string,
    wall?: () => number,
  ) {
    this.clock = new FakeClock(start, wall);
  }

  changed(c: StateChange): void {
    for (const l of this.changeListeners) l(c);
  }

  /** The repository a run belongs to. */
  repoOfRun(run: RunRec): RepoRec {
    const r = this.repos.get(run.repoKey);
    if (!r) throw new Error(`fake GitHub: run ${run.id} belongs to no repository`);
    return r;
  }

  nextId(kind: keyof GitHubState['nextIds']): number {
    const id = this.nextIds[kind];
    this.nextIds[kind] += kind === 'run' || kind === 'job' ? 7 + (id % 13) : 1;
    return id;
  }

  ensureUser(login: string): UserRec {
    const k = login.toLowerCase();
    let u = this.users.get(k);
    if (!u) {
      u = { login, id: this.nextId('user'), createdAt: '2019-03-14T08:00:00Z' };
      this.users.set(k, u);
    }
    return u;
  }

  /** An account that no token belongs to is shown as an organization. */
  accountType(login: string): 'User' | 'Organization' {
    return [...this.tokens.values()].some((t) => t.login.toLowerCase() === login.toLowerCase()) ? 'User' : 'Organization';
  }

  repo(fullName: string): RepoRec {
    const r = this.repos.get(repoKey(fullName));
    if (!r) throw new Error(`fake GitHub: no repository ${fullName} (addRepo first)`);
    return r;
  }

  findRepo(owner: string, name: string): RepoRec | undefined {
    return this.repos.get(repoKey(`${owner}/${name}`));
  }

  addToken(
    token: string,
    o: { login: string; scopes?: string[]; expiresAt?: string | null; fineGrained?: { repos: string[]; permissions?: PermissionGrants } },
  ): void {
    this.ensureUser(o.login);
    const rec: TokenRec = {
      token,
      login: o.login,
      kind: o.fineGrained ? 'fine-grained' : 'classic',
      scopes: o.fineGrained ? [] : (o.scopes ?? ['repo', 'workflow']),
      expiresAt: o.expiresAt ?? null,
    };
    if (o.fineGrained) {
      rec.repos = o.fineGrained.repos.map(repoKey);
      if (o.fineGrained.permissions) rec.permissions = o.fineGrained.permissions;
    }
    this.tokens.set(token, rec);
  }

  revokeToken(token: string): boolean {
    return this.tokens.delete(token) || this.installationTokens.delete(token);
  }

  addRepo(fullName: string, o: { defaultBranch?: string; private?: boolean; access?: Record<string, Permission>; createdAt?: string } = {}): RepoRec {
    const [owner, name] = fullName.split('/');
    if (!owner || !name) throw new Error(`fake GitHub: repository name must be owner/name, got ${fullName}`);
    if (this.repos.has(repoKey(fullName))) throw new Error(`fake GitHub: ${fullName} already exists`);
    const created = o.createdAt ?? '2024-05-02T09:30:00Z';
    const repo: RepoRec = {
      id: this.nextId('repo'),
      owner,
      name,
      fullName,
      private: o.private ?? false,
      defaultBranch: o.defaultBranch ?? 'main',
      access: new Map(Object.entries(o.access ?? {}).map(([l, p]) => [l.toLowerCase(), p])),
      commits: new Map(),
      branches: new Map(),
      tags: new Map(),
      files: new Map(),
      workflows: [],
      runs: [],
      secrets: new Map(),
      deployKeys: [],
      secretsKey: newSecretsKeyPair(),
      createdAt: created,
      updatedAt: created,
      pushedAt: created,
    };
    this.repos.set(repoKey(fullName), repo);
    return repo;
  }

  pushCommit(fullName: string, o: { branch?: string; message: string; date?: string; sha?: string }): string {
    const repo = this.repo(fullName);
    const branch = o.branch ?? repo.defaultBranch;
    const parent = repo.branches.get(branch);
    const date = isoSeconds(o.date ? new Date(o.date) : this.clock.tick(600));
    if (o.date) this.clock.advanceTo(o.date);
    const sha = o.sha ?? sha1Hex(`commit\0${parent ?? ''}\0${o.message}\0${date}`);
    if (!/^[0-9a-f]{40}$/.test(sha)) throw new Error(`fake GitHub: sha must be 40 hex digits, got ${sha}`);
    repo.commits.set(sha, { sha, treeSha: sha1Hex(`tree\0${sha}`), message: o.message, date, parents: parent ? [parent] : [] });
    repo.branches.set(branch, sha);
    repo.pushedAt = date;
    return sha;
  }

  createTag(fullName: string, tag: string, o: { sha?: string; annotated?: boolean; message?: string } = {}): TagRec {
    const repo = this.repo(fullName);
    const sha = o.sha ?? repo.branches.get(repo.defaultBranch);
    if (!sha || !repo.commits.has(sha)) throw new Error(`fake GitHub: cannot tag ${tag} in ${fullName}: unknown commit ${sha ?? '(no commits)'}`);
    const rec: TagRec = { name: tag, commitSha: sha };
    if (o.annotated) {
      const date = isoSeconds(this.clock.tick(30));
      rec.annotated = { sha: sha1Hex(`tag\0${tag}\0${sha}\0${date}`), message: o.message ?? `Release ${tag.replace(/^v/, '')}`, date };
    }
    repo.tags.set(tag, rec);
    this.changed({ kind: 'tag', repo, tag: rec });
    return rec;
  }

  addWorkflow(fullName: string, path: string, yaml: string, o: { state?: 'active' | 'disabled_manually' } = {}): WorkflowRec {
    const repo = this.repo(fullName);
    if (!/^\.github\/workflows\/[^/]+\.ya?ml$/.test(path)) throw new Error(`fake GitHub: workflow path must be .github/workflows/<file>.yml, got ${path}`);
    const def = parseWorkflow(yaml, path);
    const now = isoSeconds(this.clock.tick(60));
    const wf: WorkflowRec = { id: this.nextId('workflow'), path, yaml, def, state: o.state ?? 'active', createdAt: now, updatedAt: now, runCounter: 0 };
    repo.workflows = repo.workflows.filter((w) => w.path !== path).concat(wf);
    repo.files.set(path, yaml);
    return wf;
  }

  /** A workflow by numeric id or by file name (`publish.yml`), as the REST API accepts. */
  findWorkflow(repo: RepoRec, ref: string | number): WorkflowRec | undefined {
    const s = String(ref);
    if (/^\d+$/.test(s)) return repo.workflows.find((w) => w.id === Number(s));
    return repo.workflows.find((w) => w.path === s || w.path.split('/').pop() === s);
  }

  findRun(runId: number): { repo: RepoRec; run: RunRec } {
    for (const repo of this.repos.values()) {
      const run = repo.runs.find((r) => r.id === runId);
      if (run) return { repo, run };
    }
    throw new Error(`fake GitHub: no workflow run ${runId}`);
  }

  setSecret(fullName: string, name: string, o: { value?: string; updatedAt?: string; createdAt?: string } = {}): SecretRec {
    const repo = this.repo(fullName);
    const upper = name.toUpperCase();
    const now = isoSeconds(this.clock.peek());
    const prev = repo.secrets.get(upper);
    const rec: SecretRec = { name: upper, createdAt: o.createdAt ?? prev?.createdAt ?? o.updatedAt ?? now, updatedAt: o.updatedAt ?? now };
    if (o.value !== undefined) rec.value = o.value;
    repo.secrets.set(upper, rec);
    return rec;
  }

  installApp(o: { appId: number; privateKeyPem: string; repos: string[]; slug?: string; permissions?: PermissionGrants }): InstallationRec {
    const permissions = o.permissions ?? DEFAULT_APP_PERMISSIONS;
    const app = this.apps.get(o.appId) ?? { appId: o.appId, slug: o.slug ?? `app-${o.appId}`, publicKey: createPublicKey(o.privateKeyPem), permissions };
    this.apps.set(o.appId, app);
    for (const r of o.repos) this.repo(r);
    const account = o.repos[0]?.split('/')[0] ?? 'unknown';
    const inst: InstallationRec = {
      id: this.nextId('installation'),
      appId: o.appId,
      account,
      repos: o.repos.map(repoKey),
      permissions,
      createdAt: '2025-06-01T12:00:00Z',
    };
    this.installations.set(inst.id, inst);
    return inst;
  }
}
