import { randomBytes } from 'node:crypto';
import type { FakeGitHub, RunSummary } from '@chatops/fake-github/server.js';
import type { JobOutcome } from '@chatops/fake-github/runs.js';
import type { PywatsSeed } from '@chatops/fake-github/scenario.js';

/**
 * The sandbox's hands on the simulated GitHub: what a person would otherwise see
 * happen on github.com and the GHE host. Runs move only when told to (the side
 * panel's buttons, or the tour), so every step of a flow can be watched.
 *
 * By default the next sync does what the real `sync-to-ghe` job would: it pushes with
 * whatever GHE_TOKEN holds, so it fails to authenticate until a rotation has put a
 * working token there, and then brings the mirror up to date.
 */

/** How the next sync-to-ghe job ends: `auto` follows the token in GHE_TOKEN; the rest force one of the seed's troubleshooting cases. */
export const SYNC_MODES = ['auto', 'success', 'auth-failure', 'push-rejected', 'publish-failure'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

/** The deliveries switch: webhooks reach the bot, do not, or a share of them is lost on the way. */
export const DELIVERY_MODES = ['on', 'off', 'drop'] as const;
export type DeliveryModeName = (typeof DELIVERY_MODES)[number];
/** What `drop` loses (seeded, so the same deliveries are lost on every run of the sandbox). */
export const DROP_FRACTION = 0.5;

export interface DeliveriesPanel {
  mode: DeliveryModeName;
  /** Counts over the recent deliveries: answered with 2xx, lost on the way, answered otherwise or not at all. */
  delivered: number;
  lost: number;
  failed: number;
  /** The newest few, newest first. */
  recent: Array<{ event: string; action: string | null; statusCode: number | null; lost: boolean; redelivery: boolean }>;
}

const SYNC_JOB = 'sync-to-ghe';
const PUBLISH_JOB = 'build-and-publish';

export interface SecretPanelRow {
  name: string;
  updatedAt: string | null;
  /** Whether the stored value decrypts to the token last made with `createToken` for it; null when none was made. */
  matchesLastCreated: boolean | null;
}

export interface RunPanelRow {
  id: number;
  /** Shown as `#N`, as GitHub (and the bot) show a run; the id stays for the buttons and URLs. */
  number: number;
  workflow: string;
  event: string;
  ref: string;
  status: string;
  conclusion: string | null;
  attempt: number;
  jobs: Array<{ key: string; name: string; status: string; conclusion: string | null }>;
}

export class GitHubControls {
  syncMode: SyncMode = 'auto';
  private readonly created = new Map<string, string>();

  constructor(
    readonly github: FakeGitHub,
    readonly ghe: FakeGitHub,
    readonly seed: PywatsSeed,
  ) {}

  /** Newest first; `limit` of them. */
  runs(limit = 8): RunPanelRow[] {
    return this.github
      .runs(this.seed.github.repo)
      .slice(0, limit)
      .map((r) => ({
        id: r.id,
        number: r.runNumber,
        workflow: r.workflowPath.split('/').pop() ?? r.workflowPath,
        event: r.event,
        ref: r.headBranch,
        status: r.status,
        conclusion: r.conclusion,
        attempt: r.runAttempt,
        jobs: r.jobs.map((j) => ({ key: j.key, name: j.name, status: j.status, conclusion: j.conclusion })),
      }));
  }

  private run(runId: number): RunSummary {
    const r = this.github.runs(this.seed.github.repo).find((x) => x.id === runId);
    if (!r) throw new Error(`no run ${runId}`);
    return r;
  }

  /**
   * One step of a run: its first unfinished job starts, or a started one ends (the
   * sync job as `syncMode` says, every other job successfully). Says what happened.
   */
  advance(runId: number): string {
    const r = this.run(runId);
    if (r.status === 'completed') return `run ${runId} has already ended (${r.conclusion ?? 'no conclusion'})`;
    const job = r.jobs.find((j) => j.status !== 'completed');
    if (!job) {
      this.github.completeRun(runId);
      return this.afterRun(runId);
    }
    if (job.status !== 'in_progress') {
      this.github.setJob(runId, job.key, { status: 'in_progress' });
      return `${job.name} started`;
    }
    const outcome = this.outcomeOf(r, job.key);
    if (typeof outcome === 'string') this.github.setJob(runId, job.key, { status: 'completed', conclusion: outcome });
    else
      this.github.setJob(runId, job.key, {
        status: 'completed',
        conclusion: 'failure',
        ...(outcome.failedStep ? { failedStep: outcome.failedStep } : {}),
        ...(outcome.log ? { log: outcome.log } : {}),
      });
    const after = this.run(runId);
    if (after.jobs.every((j) => j.status === 'completed') && after.status !== 'completed') this.github.completeRun(runId);
    const done = this.run(runId);
    return done.status === 'completed' ? this.afterRun(runId) : `${job.name} ended: ${typeof outcome === 'string' ? outcome : 'failure'}`;
  }

  /** Ends the run now: its current job fails, the jobs that need it are skipped. */
  fail(runId: number): string {
    const r = this.run(runId);
    if (r.status === 'completed') return `run ${runId} has already ended (${r.conclusion ?? 'no conclusion'})`;
    const job = r.jobs.find((j) => j.status !== 'completed');
    // No failedStep: the fake fails the job's last step of its own (a fixed name such as 'Run' is not a step of every job).
    const outcomes: Record<string, JobOutcome> = job ? { [job.key]: { conclusion: 'failure', log: 'Error: the sandbox failed this job on request.' } } : {};
    this.github.completeRun(runId, outcomes);
    return `run ${runId} failed${job ? ` at ${job.name}` : ''}`;
  }

  /** Plays a run to its end, one step at a time (the tour uses this). */
  finish(runId: number): string {
    let said = '';
    for (let i = 0; i < 50 && this.run(runId).status !== 'completed'; i++) said = this.advance(runId);
    return said;
  }

  /** A release tag pushed to GitHub: a new commit on main, the tag, and the publish run it starts. */
  pushTag(tag: string): number {
    const sha = this.pushTagOnly(tag);
    return this.github.startRun(this.seed.github.repo, '.github/workflows/publish.yml', { event: 'push', headBranch: tag, headSha: sha, actor: 'olreppe' });
  }

  /**
   * A release tag pushed with no workflow run following it: what happens when
   * semantic-release pushes with the default GITHUB_TOKEN because PAT_TOKEN expired
   * (GitHub starts no workflow for a push made with GITHUB_TOKEN). The bot should ask.
   * Returns the tagged commit.
   */
  pushTagOnly(tag: string): string {
    const repo = this.seed.github.repo;
    if (!/^v\d+\.\d+\.\d+([a-z]+\d+)?$/.test(tag)) throw new Error(`not a version tag: ${tag}`);
    const sha = this.github.pushCommit(repo, { message: `chore(release): ${tag.slice(1)}` });
    this.github.createTag(repo, tag, { sha, annotated: true, message: `Release ${tag.slice(1)}` });
    return sha;
  }

  /** Flips the fake's webhook deliveries to the bot (see FakeGitHub's webhooks). */
  setDeliveries(mode: DeliveryModeName): void {
    this.github.webhooks.setMode(mode === 'drop' ? { mode: 'drop', fraction: DROP_FRACTION, seed: 19 } : { mode });
  }

  deliveries(): DeliveriesPanel {
    const m = this.github.webhooks.mode.mode;
    const all = this.github.webhooks.deliveries();
    const ok = (c: number | null) => c !== null && c >= 200 && c < 300;
    return {
      mode: m === 'off' ? 'off' : m === 'drop' ? 'drop' : 'on',
      delivered: all.filter((d) => ok(d.statusCode)).length,
      lost: all.filter((d) => d.dropped).length,
      failed: all.filter((d) => !d.dropped && d.statusCode !== null && !ok(d.statusCode)).length,
      recent: all
        .slice(-6)
        .reverse()
        .map((d) => ({ event: d.event, action: d.action, statusCode: d.statusCode, lost: d.dropped, redelivery: d.redelivery })),
    };
  }

  /**
   * A new token as its owner would create it on the host (GHE: classic, `repo` scope,
   * push access to the mirror; github.com: fine-grained on the repo), for pasting
   * into the bot's modal. Only the sandbox ever shows a token: it is not a real one.
   */
  createToken(secret: 'GHE_TOKEN' | 'PAT_TOKEN', o: { expiresInDays?: number } = {}): string {
    const expiresAt = new Date(Date.now() + (o.expiresInDays ?? 365) * 86_400_000).toISOString();
    let token: string;
    if (secret === 'GHE_TOKEN') {
      token = `ghp_${randomBytes(27).toString('base64url').replace(/[-_]/g, 'x').slice(0, 36)}`;
      this.ghe.addToken(token, { login: this.seed.ghe.syncLogin, scopes: ['repo'], expiresAt });
    } else {
      token = `github_pat_${randomBytes(62).toString('base64url').replace(/-/g, 'x').slice(0, 82)}`;
      this.github.addToken(token, {
        login: 'olreppe',
        expiresAt,
        fineGrained: { repos: [this.seed.github.repo], permissions: { actions: 'write', contents: 'write' } },
      });
    }
    this.created.set(secret, token);
    return token;
  }

  /**
   * The value the sandbox seeded into GHE_TOKEN before any rotation (the token that has
   * since expired), for pasting into the rotation's *Revoke the old token* step, as its
   * owner would copy it from wherever they kept it. A fake of the simulated host only.
   */
  oldToken(secret: 'GHE_TOKEN'): string {
    if (secret !== 'GHE_TOKEN') throw new Error(`the sandbox seeded no value for ${String(secret)}`);
    return this.seed.ghe.syncToken;
  }

  /** Names and dates of the Actions secrets, and whether each holds the token last created for it; never a value. */
  secrets(): SecretPanelRow[] {
    const repo = this.seed.github.repo;
    return [...this.github.state.repo(repo).secrets.values()]
      .map((s) => {
        const last = this.created.get(s.name);
        return { name: s.name, updatedAt: s.updatedAt, matchesLastCreated: last === undefined ? null : this.github.decryptSecret(repo, s.name) === last };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** What the sync job would meet pushing with GHE_TOKEN's current value. */
  tokenWorks(): boolean {
    const value = this.github.decryptSecret(this.seed.github.repo, 'GHE_TOKEN');
    const tok = value ? this.ghe.state.tokens.get(value) : undefined;
    if (!tok) return false;
    if (tok.expiresAt && Date.parse(tok.expiresAt) <= Date.now()) return false;
    if (tok.kind === 'classic' && !tok.scopes.includes('repo')) return false;
    const perm = this.ghe.state.repo(this.seed.ghe.repo).access.get(tok.login.toLowerCase());
    return perm === 'write' || perm === 'admin';
  }

  private outcomeOf(r: RunSummary, jobKey: string): JobOutcome {
    if (!r.workflowPath.endsWith('publish.yml')) return 'success';
    const mode = this.syncMode;
    if (jobKey === PUBLISH_JOB)
      return mode === 'publish-failure' ? { conclusion: 'failure', failedStep: 'Publish to PyPI', log: PUBLISH_FAILED_LOG } : 'success';
    if (jobKey !== SYNC_JOB) return 'success';
    const host = new URL(this.ghe.webUrl).host;
    if (mode === 'push-rejected') return { conclusion: 'failure', failedStep: 'Push to GitHub Enterprise', log: pushRejectedLog(host, this.seed.ghe.repo) };
    if (mode === 'auth-failure' || (mode === 'auto' && !this.tokenWorks())) {
      return { conclusion: 'failure', failedStep: 'Push to GitHub Enterprise', log: authFailedLog(host, this.seed.ghe.repo) };
    }
    return 'success';
  }

  /** A sync that succeeded brought the mirror up to date: main and every tag. */
  private afterRun(runId: number): string {
    const r = this.run(runId);
    const sync = r.jobs.find((j) => j.key === SYNC_JOB);
    if (sync?.conclusion === 'success') this.mirrorEverything();
    return `run ${runId} ended: ${r.conclusion ?? 'unknown'}`;
  }

  private mirrorEverything(): void {
    const src = this.github.state.repo(this.seed.github.repo);
    const dst = this.ghe.state.repo(this.seed.ghe.repo);
    const mainSha = src.branches.get(src.defaultBranch);
    for (const [sha, c] of src.commits) if (!dst.commits.has(sha)) this.ghe.pushCommit(this.seed.ghe.repo, { message: c.message, sha, date: c.date });
    if (mainSha) dst.branches.set(dst.defaultBranch, mainSha);
    for (const [name, t] of src.tags)
      if (!dst.tags.has(name))
        this.ghe.createTag(this.seed.ghe.repo, name, { sha: t.commitSha, annotated: Boolean(t.annotated), message: t.annotated?.message ?? name });
  }
}

const PUBLISH_FAILED_LOG =
  'Uploading distributions to https://upload.pypi.org/legacy/\nERROR    HTTPError: 400 Bad Request from https://upload.pypi.org/legacy/\n         File already exists.';

const authFailedLog = (host: string, mirror: string) =>
  ['Pushing main branch to GHE...', 'remote: Invalid username or password.', `fatal: Authentication failed for 'https://${host}/${mirror}.git/'`].join('\n');

const pushRejectedLog = (host: string, mirror: string) =>
  [
    'Pushing main branch to GHE...',
    'remote: error: GH006: Protected branch update failed for refs/heads/main.',
    `To https://${host}/${mirror}.git`,
    ' ! [remote rejected] main -> main (protected branch hook declined)',
    `error: failed to push some refs to 'https://${host}/${mirror}.git'`,
  ].join('\n');
