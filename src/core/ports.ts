/**
 * The small interfaces the core and the services depend on. They speak our own
 * vocabulary, not Octokit's: src/github/ implements them against GitHub's APIs,
 * and nothing outside src/github/ imports Octokit.
 */

import type { MirrorConfig } from '../config/schema.js';

/** `owner/name` on some host. */
export interface RepoRef {
  owner: string;
  name: string;
}

export type RunStatus = 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
export type Conclusion = 'success' | 'failure' | 'cancelled' | 'skipped' | 'timed_out' | 'neutral' | 'action_required' | 'stale' | 'startup_failure';

export interface WorkflowRunInfo {
  id: number;
  runNumber: number;
  runAttempt: number;
  name: string;
  event: string;
  status: RunStatus;
  conclusion: Conclusion | null;
  headSha: string;
  /** Branch or tag the run ran for (`v0.1.0b39` for a tag push). */
  headBranch: string | null;
  displayTitle: string;
  createdAt: string;
  runStartedAt: string | null;
  updatedAt: string;
  htmlUrl: string;
  /** `.github/workflows/publish.yml`: the file the run ran. */
  workflowPath?: string;
}

export interface StepInfo {
  number: number;
  name: string;
  status: RunStatus;
  conclusion: Conclusion | null;
  startedAt: string | null;
  completedAt: string | null;
}

export interface JobInfo {
  id: number;
  runId: number;
  name: string;
  status: RunStatus;
  conclusion: Conclusion | null;
  startedAt: string | null;
  completedAt: string | null;
  htmlUrl: string | null;
  steps: StepInfo[];
}

export interface SecretMeta {
  name: string;
  updatedAt: string;
}

/** What a host says of a repository's default branch and tags (tags peeled to commits). */
export interface RepoRefsState {
  defaultBranch: string;
  headSha: string | null;
  /** tag name -> commit SHA it points at (annotated tags peeled). */
  tags: Record<string, string>;
  totalTags: number;
  /** With `fileAtHead`: that file's text at the default branch's head; null when it is not there. */
  fileAtHead?: string | null;
}

/** github.com side: Actions runs, jobs, logs, secrets. */
export interface ActionsPort {
  /** The newest run of a workflow (file name or id), or null when it never ran. */
  latestRun(repo: RepoRef, workflow: string | number): Promise<WorkflowRunInfo | null>;
  runJobs(repo: RepoRef, runId: number): Promise<JobInfo[]>;
  /** Plain-text log (its tail) of one job; a completed job's log is read from GitHub once. */
  jobLog(repo: RepoRef, job: Pick<JobInfo, 'id' | 'status'>): Promise<string>;
  /**
   * Re-runs a job and the jobs that depend on it, as a new attempt of its run
   * (`runAttempt` + 1). A run still in progress is refused with `github_conflict`.
   */
  rerunJob(repo: RepoRef, jobId: number): Promise<void>;
  /** YAML job id -> display name (`name:` or the id), from the workflow file at `ref`. */
  workflowJobNames(repo: RepoRef, path: string, ref: string): Promise<Record<string, string>>;
  /** Names and update times of the repository's Actions secrets (never values). */
  listSecrets(repo: RepoRef): Promise<SecretMeta[]>;
}

/**
 * A conditional read: `not_modified` when GitHub answered 304 to the ETag asked with (a
 * 304 costs no rate limit); otherwise the items as GitHub sent them (REST shapes, checked
 * by the intake that takes them) and the ETag to ask with next time.
 */
export type ConditionalRead = { status: 'not_modified' } | { status: 'ok'; etag: string | null; items: Record<string, unknown>[] };

/** What the events poller reads, each with the ETag of its last look (null: none yet). */
export interface EventsPollPort {
  /** The newest runs of one workflow (file name or id), newest first. */
  recentRuns(repo: RepoRef, workflow: string | number, etag: string | null, perPage: number): Promise<ConditionalRead>;
  /** The jobs of one run (its latest attempt). */
  runJobs(repo: RepoRef, runId: number, etag: string | null): Promise<ConditionalRead>;
  /** The first page of the repository's tags (GitHub lists them newest version first). */
  tags(repo: RepoRef, etag: string | null, perPage: number): Promise<ConditionalRead>;
  /** The first page of the repository's releases, newest first (the query ReleasePort.releaseUrl asks). */
  releases(repo: RepoRef, etag: string | null, perPage: number): Promise<ConditionalRead>;
}

/** Any host (github.com or GHES): the state of refs that the mirror check compares. */
export interface RefsPort {
  repoRefs(repo: RepoRef, o?: { fileAtHead?: string }): Promise<RepoRefsState>;
}

/** A tag and the commit it points at (annotated tags peeled). */
export interface TagInfo {
  name: string;
  sha: string;
  /** First line of the commit message. */
  subject: string;
}

export interface WorkflowInfo {
  id: number;
  name: string;
  /** `.github/workflows/release.yml` */
  path: string;
  state: 'active' | 'deleted' | 'disabled_fork' | 'disabled_inactivity' | 'disabled_manually' | string;
  htmlUrl: string;
}

export type DispatchResult =
  /** GitHub told us the run (return_run_details). */
  | { kind: 'run'; runId: number; htmlUrl: string }
  /** Accepted (204) without details: the run must be found among the workflow's runs. */
  | { kind: 'accepted' }
  /** No answer we can trust (timeout, 5xx): the run may or may not exist. Never dispatch again blindly. */
  | { kind: 'ambiguous'; reason: string };

/** github.com side of /release. */
export interface ReleasePort {
  /** The tag, or null when it does not exist. */
  tag(repo: RepoRef, name: string): Promise<TagInfo | null>;
  /** The newest tags (by the API's order), for "did you mean". */
  latestTags(repo: RepoRef, count: number): Promise<string[]>;
  /** The workflow (file name or id), or null when it does not exist. */
  workflow(repo: RepoRef, workflow: string | number): Promise<WorkflowInfo | null>;
  /** A file's text on the default branch, or null when absent. */
  fileOnDefaultBranch(repo: RepoRef, path: string): Promise<string | null>;
  /** Runs of a workflow, newest first, optionally for one commit and/or event. */
  workflowRuns(repo: RepoRef, workflow: string | number, o: { headSha?: string; event?: string; perPage?: number }): Promise<WorkflowRunInfo[]>;
  run(repo: RepoRef, runId: number): Promise<WorkflowRunInfo>;
  /**
   * `workflow_dispatch` on `ref`, asking for the run's id; a host that refuses
   * `return_run_details` with 400 gets the plain request. Never retried on 5xx or
   * timeout: that answer is `ambiguous`.
   */
  dispatch(repo: RepoRef, workflow: string | number, ref: string, inputs: Record<string, string>): Promise<DispatchResult>;
  /** The repository's default branch. */
  defaultBranch(repo: RepoRef): Promise<string>;
  /**
   * The GitHub release for a tag, or null. Read from the first page of the releases (the
   * events poller's query, so the client's ETag cache makes it conditional); by tag only
   * when that page is full and does not hold it.
   */
  releaseUrl(repo: RepoRef, tag: string): Promise<string | null>;
}

/** The repository's key for sealing Actions secrets (GET …/actions/secrets/public-key). */
export interface SecretsPublicKey {
  keyId: string;
  /** base64 of the 32-byte X25519 public key. */
  key: string;
}

/** Writing and deleting Actions secrets (values only ever arrive sealed). */
export interface SecretsPort {
  publicKey(repo: RepoRef): Promise<SecretsPublicKey>;
  /** The secret's metadata, or null when it does not exist. */
  secret(repo: RepoRef, name: string): Promise<SecretMeta | null>;
  put(repo: RepoRef, name: string, sealed: { encryptedValue: string; keyId: string }): Promise<void>;
  /** False when there was no such secret. */
  remove(repo: RepoRef, name: string): Promise<boolean>;
}

export interface DeployKeyInfo {
  id: number;
  title: string;
  /** `ssh-ed25519 AAAA…` as GitHub lists it. */
  key: string;
  readOnly: boolean;
  /** When it was added and by whom, and when it was last used, where the host says (GHES before 3.x may not). */
  createdAt?: string | null;
  addedBy?: string | null;
  lastUsed?: string | null;
}

export interface DeployKeysPort {
  list(repo: RepoRef): Promise<DeployKeyInfo[]>;
  /**
   * Adds a deploy key (`ssh-ed25519 AAAA… comment`). A key GitHub already knows (on any
   * repository of the host) is refused with a GitHubError of code `github_conflict`.
   */
  add(repo: RepoRef, key: { title: string; key: string; readOnly: boolean }): Promise<DeployKeyInfo>;
  /** False when there was no such key. */
  remove(repo: RepoRef, id: number): Promise<boolean>;
}

/** What GitHub says about a token typed by a person, asked with that token. */
export interface TokenIdentity {
  login: string;
  /** `X-OAuth-Scopes`; null when the header is absent (fine-grained tokens have no scopes). */
  scopes: string[] | null;
  /** `github-authentication-token-expiration`; null when absent (no expiry). */
  expiresAt: Date | null;
}

export type TokenProbeResult<T> =
  { ok: true; value: T } | { ok: false; reason: 'bad_credentials' | 'not_visible' | 'unreachable' | 'refused'; status?: number };

/** Questions asked with a candidate token itself, before anyone relies on it. */
export interface TokenProbePort {
  identity(): Promise<TokenProbeResult<TokenIdentity>>;
  /** Whether the token may push to the repository (null permissions: not visible with it). */
  repoAccess(repo: RepoRef): Promise<TokenProbeResult<{ push: boolean; admin: boolean }>>;
}

/** What became of a request to revoke credentials. Never carries a credential. */
export type RevokeOutcome =
  /** GitHub took the list (202); revocation happens shortly after. */
  | { kind: 'accepted' }
  | { kind: 'rate_limited'; retryAfterSeconds: number | null }
  /** The host has no revocation API (GHES before 3.19). */
  | { kind: 'unsupported'; reason: string }
  | { kind: 'failed'; reason: string; status?: number };

/** GitHub's credential revocation API (`POST /credentials/revoke`) on one host. */
export interface CredentialRevokerPort {
  revoke(credentials: string[]): Promise<RevokeOutcome>;
}

/** One credential's ports on one host; they share its client (ETag cache, rate-limit queue). */
export interface HostPorts {
  /** `github.com`, `wats.ghe.com`: for messages. */
  host: string;
  /** The web address people open (`https://github.com`, `https://wats.ghe.com`). */
  webUrl: string;
}

/** The bot's own credential on the primary host (GITHUB_API_URL), for one repository. */
export interface RepoPorts extends HostPorts {
  release: ReleasePort;
  actions: ActionsPort;
  /** Conditional reads for the events poller (services/events/poller.ts). */
  poll: EventsPollPort;
  refs: RefsPort;
  secrets: SecretsPort;
  /**
   * The same secrets, for a caller that retries a PUT itself after reading the secret
   * back: the client never sends an unanswered write again blind.
   */
  secretsOwnRetries: SecretsPort;
}

/** A GHE mirror, with the token its `tokenEnv` names. */
export interface MirrorPorts extends HostPorts {
  refs: RefsPort;
  deployKeys: DeployKeysPort;
  /** `POST /credentials/revoke` with the mirror's credential (GHES wants it authenticated). */
  revoker: CredentialRevokerPort;
}

/**
 * Where services get their GitHub gateways (`AppDeps.gateways`): nothing outside
 * src/github/ builds one with `new` (eslint.config.js), so a service sees only the
 * ports above. src/github/gateways.ts implements it over the GitHub clients.
 */
export interface Gateways {
  /** Asks for the GitHub App installation of the repository first when the bot is an App. */
  repo(repo: RepoRef): Promise<RepoPorts>;
  /** Throws ConfigError, at once, when the mirror's token is not set. */
  mirror(mirror: MirrorConfig): MirrorPorts;
  /** Questions asked with a token a person typed (never cached, never retried). */
  tokenProbe(apiUrl: string, token: string): TokenProbePort;
  /** `POST /credentials/revoke` sent with no credential, as github.com wants it. */
  anonymousRevoker(apiUrl: string): CredentialRevokerPort;
}
