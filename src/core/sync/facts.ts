import type { SecretConfig } from '../../config/schema.js';
import type { JobInfo, RepoRefsState, SecretMeta, WorkflowRunInfo } from '../ports.js';
import type { LogDiagnosis } from './diagnoseLog.js';

/**
 * Something fetched from a host: the value, or why it could not be had. `reason`
 * is already safe to show (no credential, no raw upstream body).
 */
export type Fetched<T> = { ok: true; value: T } | { ok: false; reason: string; /** the error's `code`, e.g. `github_not_found` */ code?: string };

/**
 * Everything /sync-status knows, gathered by src/services/syncStatus.ts from the
 * hosts. The pure core (report.ts) turns it into a SyncReport without I/O.
 */
export interface SyncFacts {
  repo: {
    /** Short name used in commands, e.g. `pywats`. */
    name: string;
    /** owner/name on github.com (or GITHUB_API_URL's host). */
    github: string;
    /** https://github.com/owner/name */
    webUrl: string;
  };
  /** `sync.workflow` and `sync.job` from the configuration. */
  workflow: string | number;
  job: string;
  /**
   * Optional: YAML job id -> display name (`name:`) as written in the workflow file.
   * The API only reports display names, so this is what lets `job: sync-to-ghe` find
   * "Sync to GitHub Enterprise"; without it, `job` must be the display name (or the id of
   * a job that has no `name:`).
   */
  workflowJobNames?: Record<string, string>;
  /** Newest run of the workflow; value null when it never ran. */
  run: Fetched<WorkflowRunInfo | null>;
  /** Jobs of that run; null when there is no run (or the run could not be fetched). */
  jobs: Fetched<JobInfo[]> | null;
  /** Log of the sync job; only fetched when that job failed. */
  syncJobLog: Fetched<string> | null;
  /**
   * What that log said, when it was read before (the projection keeps it, read once when
   * the failure arrived): used instead of `syncJobLog`, which is then null.
   */
  syncJobFindings?: Fetched<LogDiagnosis> | null;
  /** Actions secrets of the repo (names and dates only). */
  secrets: Fetched<SecretMeta[]>;
  /** `secrets` from the configuration. */
  configuredSecrets: SecretConfig[];
  mirror: {
    /** Web URL of the GHE host, e.g. https://wats.ghe.com */
    host: string;
    /** owner/name on the mirror. */
    repo: string;
    /** https://wats.ghe.com/WATS/pyWATS */
    webUrl: string;
  };
  githubRefs: Fetched<RepoRefsState>;
  mirrorRefs: Fetched<RepoRefsState>;
  /** ISO time both hosts' refs were read, when that was before this report (a mirror check reused). */
  mirrorCheckedAt?: string;
}
