import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isoSeconds } from './clock.js';
import { newSecretsKeyPair, openSealedBox, sodiumReady } from './crypto.js';
import { Faults, type FaultLogEntry, type FaultPlan } from './faults.js';
import { handleRequest, Injector, type FailureInjection, type HoldPhase, type HostEnv, type RecordedRequest } from './pipeline.js';
import { RateLimits } from './rateLimit.js';
import { FaultStorm, type FaultStormOptions } from './faultStorm.js';
import { addRelease } from './rest/releases.js';
import { sendReply } from './responses.js';
import { allJobs, completeRun, rerunJob, setJob, startRun, type JobOutcome, type JobUpdate } from './runs.js';
import { GitHubState, type JobRec, type RepoRec, type RunRec } from './state.js';
import type { Flavor, Permission, PermissionGrants } from './types.js';
import { WebhookSender, type HookOptions } from './webhooks.js';

export type { FailureInjection, RecordedRequest } from './pipeline.js';
export type { FaultKind, FaultLogEntry, FaultPlan, FaultRule } from './faults.js';
export type { StormFaultKind, FaultStormOptions } from './faultStorm.js';
export { FaultStorm } from './faultStorm.js';
export type { Delivery, DeliveryMode, HookOptions } from './webhooks.js';

export interface FakeGitHubOptions {
  flavor: Flavor;
  /** Host of html_url links: 'github.com' by default for dotcom, e.g. 'wats.ghe.com' for ghes. */
  webHost?: string;
  /** Where the virtual clock for seeded history starts (default: six hours ago). */
  clockStart?: string;
  /** The time outside the fake, that what the API creates is stamped no earlier than (default: the real clock). */
  wallClock?: () => number;
}

export interface RunSummary {
  id: number;
  /** `run_number`: what GitHub's pages show as `#N` (the id is only in URLs). */
  runNumber: number;
  workflowPath: string;
  event: string;
  status: string;
  conclusion: string | null;
  headBranch: string;
  headSha: string;
  createdAt: string;
  runAttempt: number;
  /** The current attempt's jobs (as `filter=latest` lists them). */
  jobs: Array<{ id: number; key: string; name: string; status: string; conclusion: string | null; runAttempt: number }>;
  /** Jobs of earlier attempts that re-runs replaced, oldest first. */
  replacedJobs: Array<{ id: number; key: string; name: string; status: string; conclusion: string | null; runAttempt: number }>;
}

const jobSummary = (j: JobRec): RunSummary['jobs'][number] => ({
  id: j.id,
  key: j.key,
  name: j.name,
  status: j.status,
  conclusion: j.conclusion,
  runAttempt: j.runAttempt,
});

/**
 * A stateful, faithful stand-in for github.com or a GitHub Enterprise Server, on
 * 127.0.0.1. Real Octokit clients talk to it; tests seed it, inject failures and
 * read what was asked.
 */
export class FakeGitHub {
  readonly state: GitHubState;
  readonly requests: RecordedRequest[] = [];
  private readonly rateLimits = new RateLimits();
  private readonly injector = new Injector();
  private readonly faults = new Faults();
  private readonly env: HostEnv;
  /** Repository webhooks: add one with addHook; the switch, the recent deliveries and redelivery are here. */
  readonly webhooks: WebhookSender;
  private server: Server | undefined;
  private base = '';

  constructor(private readonly opts: FakeGitHubOptions) {
    this.state = new GitHubState(opts.flavor, opts.clockStart, opts.wallClock);
    this.state.urls.webUrl = this.webUrl;
    this.webhooks = new WebhookSender(this.state);
    this.env = { state: this.state, rateLimits: this.rateLimits, injector: this.injector, faults: this.faults, requests: this.requests };
  }

  // ---------------------------------------------------------------- lifecycle

  async start(port = 0): Promise<void> {
    await sodiumReady;
    const server = createServer((req, res) => {
      handleRequest(this.env, req, res).catch((e: unknown) => {
        if (!res.headersSent) sendReply(res, { status: 500, body: { message: `fake GitHub internal error: ${String(e)}` } }, {});
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.webhooks.open();
    this.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.state.urls = { url: this.url, apiUrl: this.apiUrl, graphqlUrl: this.graphqlUrl, webUrl: this.webUrl };
  }

  async stop(): Promise<void> {
    this.webhooks.close();
    const s = this.server;
    if (!s) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  }

  get url(): string {
    if (!this.base) throw new Error('fake GitHub is not started');
    return this.base;
  }

  get apiUrl(): string {
    return this.opts.flavor === 'ghes' ? `${this.url}/api/v3` : this.url;
  }

  get graphqlUrl(): string {
    return this.opts.flavor === 'ghes' ? `${this.url}/api/graphql` : `${this.url}/graphql`;
  }

  get webUrl(): string {
    return `https://${this.opts.webHost ?? (this.opts.flavor === 'dotcom' ? 'github.com' : 'ghe.example.com')}`;
  }

  get flavor(): Flavor {
    return this.opts.flavor;
  }

  // ---------------------------------------------------------------- seeding

  /**
   * Moves the clock that stamps seeded history (commits, runs, jobs). Seeders that lay
   * out weeks of history set it to the start first; it may go backwards.
   */
  setClock(date: string | Date): void {
    this.state.clock.set(date);
  }

  addToken(
    token: string,
    o: { login: string; scopes?: string[]; expiresAt?: string | null; fineGrained?: { repos: string[]; permissions?: PermissionGrants } },
  ): void {
    this.state.addToken(token, o);
  }

  /** Revokes a token (as if its owner deleted it); later calls with it get 401. */
  revokeToken(token: string): void {
    this.state.revokeToken(token);
  }

  hasToken(token: string): boolean {
    return this.state.tokens.has(token) || this.state.installationTokens.has(token);
  }

  addRepo(fullName: string, o?: { defaultBranch?: string; private?: boolean; access?: Record<string, Permission> }): void {
    this.state.addRepo(fullName, o);
  }

  grantAccess(fullName: string, login: string, permission: Permission): void {
    this.state.repo(fullName).access.set(login.toLowerCase(), permission);
  }

  pushCommit(fullName: string, o: { branch?: string; message: string; date?: string; sha?: string }): string {
    return this.state.pushCommit(fullName, o);
  }

  createTag(fullName: string, tag: string, o?: { sha?: string; annotated?: boolean; message?: string }): void {
    this.state.createTag(fullName, tag, o);
  }

  /** A published release for an existing tag; returns its id. */
  createRelease(fullName: string, tag: string, o?: { name?: string; prerelease?: boolean }): number {
    return addRelease(this.state, this.state.repo(fullName), tag, o).id;
  }

  addWorkflow(fullName: string, path: string, yaml: string, o?: { state?: 'active' | 'disabled_manually' }): number {
    return this.state.addWorkflow(fullName, path, yaml, o).id;
  }

  /** Any other file served by the contents API. */
  addFile(fullName: string, path: string, content: string): void {
    this.state.repo(fullName).files.set(path, content);
  }

  startRun(fullName: string, workflowPath: string, o: { event?: string; headBranch: string; headSha?: string; actor?: string; createdAt?: string }): number {
    const repo = this.state.repo(fullName);
    const wf = this.state.findWorkflow(repo, workflowPath.split('/').pop() ?? workflowPath);
    if (!wf) throw new Error(`fake GitHub: ${fullName} has no workflow ${workflowPath}`);
    return startRun(this.state, repo, wf, o).id;
  }

  setJob(runId: number, jobKey: string, o: JobUpdate): void {
    setJob(this.state, runId, jobKey, o);
  }

  /** Plays out the run's current attempt: every job not yet completed ends (success unless told otherwise). */
  completeRun(runId: number, outcomes: Record<string, JobOutcome> = {}): void {
    completeRun(this.state, runId, outcomes);
  }

  /**
   * Re-runs a job (by its workflow key) and the jobs that need it, as a new attempt of
   * its completed run, as if someone pressed "Re-run job"; completeRun then plays it out.
   */
  rerunJob(runId: number, jobKey: string, o: { actor?: string } = {}): void {
    const { run } = this.state.findRun(runId);
    rerunJob(this.state, runId, jobKey, o.actor ?? run.actor);
  }

  simulateRun(
    fullName: string,
    workflowPath: string,
    o: { headBranch: string; headSha?: string; event?: string; actor?: string; createdAt?: string },
    outcomes: Record<string, JobOutcome> = {},
  ): number {
    const id = this.startRun(fullName, workflowPath, o);
    this.completeRun(id, outcomes);
    return id;
  }

  setSecret(fullName: string, name: string, o?: { value?: string; updatedAt?: string; createdAt?: string }): void {
    this.state.setSecret(fullName, name, o);
  }

  /** The plaintext of a secret: what a PUT sealed (opened with the repo's private key), or the seeded value. */
  decryptSecret(fullName: string, name: string): string | undefined {
    const s = this.state.repo(fullName).secrets.get(name.toUpperCase());
    if (!s) return undefined;
    if (s.sealed) {
      const plain = openSealedBox(s.sealed, this.state.repo(fullName).secretsKey);
      return plain ? Buffer.from(plain).toString('utf8') : undefined;
    }
    return s.value;
  }

  /** GitHub rotates a repository's secrets key now and then: values sealed for the old one are refused. */
  rotateSecretsKey(fullName: string): void {
    this.state.repo(fullName).secretsKey = newSecretsKeyPair();
  }

  installApp(o: { appId: number; privateKeyPem: string; repos: string[]; slug?: string; permissions?: PermissionGrants }): number {
    return this.state.installApp(o).id;
  }

  /**
   * A repository webhook to `url` (JSON, signed with `secret`) for the fake's events
   * (workflow_run, workflow_job, tag push and create, by default); pinged at once. Returns its id.
   */
  addHook(fullName: string, o: HookOptions): number {
    return this.webhooks.addHook(fullName, o);
  }

  // ---------------------------------------------------------------- observation

  runs(fullName: string, workflowPath?: string): RunSummary[] {
    const repo = this.state.repo(fullName);
    const wf = workflowPath ? this.state.findWorkflow(repo, workflowPath.split('/').pop() ?? workflowPath) : undefined;
    if (workflowPath && !wf) throw new Error(`fake GitHub: ${fullName} has no workflow ${workflowPath}`);
    return repo.runs
      .filter((r) => !wf || r.workflowId === wf.id)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id)
      .map((r) => ({
        id: r.id,
        runNumber: r.runNumber,
        workflowPath: repo.workflows.find((w) => w.id === r.workflowId)?.path ?? '',
        event: r.event,
        status: r.status,
        conclusion: r.conclusion,
        headBranch: r.headBranch,
        headSha: r.headSha,
        createdAt: r.createdAt,
        runAttempt: r.runAttempt,
        jobs: r.jobs.map(jobSummary),
        replacedJobs: allJobs(r)
          .filter((j) => !r.jobs.includes(j))
          .map(jobSummary),
      }));
  }

  deployKeys(fullName: string): Array<{ id: number; title: string; key: string; readOnly: boolean }> {
    return this.state.repo(fullName).deployKeys.map(({ id, title, key, readOnly }) => ({ id, title, key, readOnly }));
  }

  /** A git fetch or push with the deploy key, as far as GitHub's `last_used` tells (the fake serves no git). */
  useDeployKey(fullName: string, id: number, at: Date = this.state.clock.wallNow()): void {
    const k = this.state.repo(fullName).deployKeys.find((x) => x.id === id);
    if (!k) throw new Error(`no deploy key ${id} on ${fullName}`);
    k.lastUsed = isoSeconds(at);
  }

  /** Called with every run a workflow_dispatch creates (e.g. to play it out with completeRun). */
  onDispatch(listener: (run: { id: number; repo: string; workflowPath: string; headBranch: string }) => void): void {
    this.state.dispatchListeners.push((run: RunRec, repo: RepoRec) =>
      listener({ id: run.id, repo: repo.fullName, workflowPath: repo.workflows.find((w) => w.id === run.workflowId)?.path ?? '', headBranch: run.headBranch }),
    );
  }

  /** Called with every re-run requested through the API, once its new attempt is queued (e.g. to play it out). */
  onRerun(listener: (run: { id: number; repo: string; workflowPath: string; runAttempt: number }) => void): void {
    this.state.rerunListeners.push((run: RunRec, repo: RepoRec) =>
      listener({ id: run.id, repo: repo.fullName, workflowPath: repo.workflows.find((w) => w.id === run.workflowId)?.path ?? '', runAttempt: run.runAttempt }),
    );
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  // ---------------------------------------------------------------- failure injection

  setLatency(ms: number): void {
    this.injector.latencyMs = Math.max(0, ms);
  }

  failNext(match: { method?: string; path?: RegExp }, o: FailureInjection): void {
    this.injector.add(match, o);
  }

  /** Forgets failures injected with failNext that have not happened yet, and ends a storm. */
  clearFailures(): void {
    this.injector.clear();
    this.injector.storm = null;
  }

  /**
   * From now on a share of requests fails as GitHub does under load (5xx, 429, 403
   * secondary limits), drawn from a seeded generator; null ends it. Returns the storm,
   * whose `counts` say what it injected.
   */
  setFaultStorm(o: FaultStormOptions | null): FaultStorm | null {
    this.injector.storm = o ? new FaultStorm(o) : null;
    return this.injector.storm;
  }

  /** Holds the next matching request, or its answer, until the test releases or drops it (see Injector.hold). */
  holdNext(match: { method?: string; path?: RegExp; phase?: HoldPhase }): { arrived: Promise<void>; release(): void; drop(): void } {
    return this.injector.hold(match);
  }

  /** Dispatched runs stay out of the API for this long (GitHub shows them after a few seconds). */
  setDispatchDelay(ms: number): void {
    this.state.dispatchDelayMs = Math.max(0, ms);
  }

  /** Random, seeded faults on chosen routes from now on (see faults.ts); replaces an earlier plan. */
  setFaults(plan: FaultPlan): void {
    this.faults.set(plan);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Every request a fault rule matched, and what it got. */
  get faultLog(): readonly FaultLogEntry[] {
    return this.faults.log;
  }

  setUnreachable(on: boolean): void {
    this.injector.unreachable = on;
  }

  /** Sets every rate-limit budget (now and for new callers), e.g. `{ remaining: 0 }` to hit the primary limit. */
  setRateLimit(o: { remaining: number; limit?: number; resetInSeconds?: number }): void {
    this.rateLimits.set(o);
  }
}
