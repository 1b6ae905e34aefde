import type { ColumnType } from 'kysely';

/**
 * The tables, as Kysely sees them. Shared by SQLite and PostgreSQL, so only types
 * both understand: text, integer/bigint. JSON is stored as text (`JSON.stringify`).
 *
 * Times are epoch milliseconds in a bigint column (`Ms`): both dialects compare and
 * sort them numerically, with no time-zone or collation surprises (an ISO-8601 text
 * column would sort by the database's collation on PostgreSQL).
 * PostgreSQL returns bigint (int8) as a string to avoid precision loss, SQLite as a
 * number, hence the `number | string` on the read side: rows are parsed with zod
 * (see rows.ts) before anyone uses them.
 */
export type Ms = ColumnType<number | string, number, number>;
export type NullableMs = ColumnType<number | string | null, number | null, number | null>;
/** Autoincrement id (SQLite `integer primary key autoincrement`, PostgreSQL `bigserial`). */
export type AutoId = ColumnType<number | string, never, never>;
/** A column with a database default that we may still set. */
type WithDefault<T> = ColumnType<T, T | undefined, T>;

export interface AuditLogTable {
  id: AutoId;
  at: Ms;
  actor: string;
  action: string;
  repo: string | null;
  /** JSON object as text, or null. */
  detail: string | null;
  outcome: string;
  /**
   * The hash chain (migration 0003, see auditEntryHash there): the previous entry's
   * hash and this entry's. Required on insert so nothing bypasses the chain; null only
   * on rows written behind the bot's back, which verify() reports.
   */
  prev_hash: ColumnType<string | null, string, string>;
  hash: ColumnType<string | null, string, string>;
}

export interface ReportsTable {
  /** Opaque random id (base64url, 144 bits). */
  id: string;
  kind: string;
  owner_user: string;
  /** JSON as text. */
  payload: string;
  created_at: Ms;
  expires_at: Ms;
}

export type JobStatus = 'pending' | 'running' | 'done' | 'failed';

export interface JobsTable {
  id: AutoId;
  kind: string;
  /** JSON as text. */
  payload: string;
  status: WithDefault<JobStatus>;
  run_at: Ms;
  /** Unique among jobs whose status is 'pending' or 'running' (partial unique index). */
  dedupe_key: string | null;
  attempts: WithDefault<number | string>;
  max_attempts: number;
  lease_owner: string | null;
  lease_until: NullableMs;
  last_error: string | null;
  created_at: Ms;
  updated_at: Ms;
}

/**
 * A pending release past `expires_at` cannot be decided any more; it is marked
 * `expired` when a new release of its tag is asked for (the partial unique index
 * allows one pending, dispatching or dispatched release per repo and tag).
 * `succeeded` and `run_failed`: the followed run concluded (success, or anything else).
 */
export type ReleaseStatus = 'pending' | 'dispatching' | 'dispatched' | 'succeeded' | 'run_failed' | 'failed' | 'cancelled' | 'expired';

export interface ReleasesTable {
  /** Opaque random id, the value of the confirmation's buttons. */
  id: string;
  /** owner/name */
  repo: string;
  repo_name: string;
  tag: string;
  sha: string;
  workflow: string;
  /** JSON object as text. */
  inputs: string;
  requested_by: string;
  channel: string;
  status: ReleaseStatus;
  created_at: Ms;
  expires_at: Ms;
  decided_at: NullableMs;
  run_id: ColumnType<number | string | null, number | null, number | null>;
  run_url: string | null;
  message_ts: string | null;
  error: string | null;
  /** When the dispatch request was sent (a resumed dispatch job then looks for the run instead of sending it again). */
  dispatch_sent_at: NullableMs;
  /** The followed run's conclusion, once it ended. */
  conclusion: string | null;
}

export type SecretChangeStatus = 'pending' | 'approved' | 'applying' | 'done' | 'failed' | 'denied' | 'cancelled' | 'expired';

export interface SecretChangesTable {
  /** Opaque random id, the value of the approval message's buttons. */
  id: string;
  /** owner/name */
  repo: string;
  repo_name: string;
  /** The Actions secret's name, as configured. */
  secret: string;
  secret_kind: string;
  action: 'replace' | 'revoke';
  requested_by: string;
  channel: string;
  /** Set when the request lives in another conversation's thread (a rotation). */
  thread_ts: string | null;
  message_ts: string | null;
  /** What started it, e.g. a rotation's id; null for /secret. */
  origin: string | null;
  status: SecretChangeStatus;
  /** replace: the value sealed with the repository's Actions public key (base64); null once void or applied. */
  ciphertext: string | null;
  key_id: string | null;
  /** JSON: the checks' results and facts safe to show (never the value). */
  facts: string;
  created_at: Ms;
  expires_at: Ms;
  decided_by: string | null;
  decided_at: NullableMs;
  applying_at: NullableMs;
  finished_at: NullableMs;
  /** JSON: what the change did (e.g. the secret's new updated_at). */
  outcome: string | null;
  error: string | null;
  /** JSON (migration 0008): what GitHub showed just before the first write was sent; null until then. */
  write_check: string | null;
}

export type RotationStatus = 'active' | 'done' | 'cancelled';

export interface RotationsTable {
  /** Opaque random id, the value of the rotation message's buttons. */
  id: string;
  repo: string;
  repo_name: string;
  secret: string;
  secret_kind: string;
  requested_by: string;
  channel: string;
  /** The checklist message in the channel; its thread holds the rotation. */
  message_ts: string | null;
  status: RotationStatus;
  /** JSON: the rotation's progress (core/rotation/state.ts). Never a secret value. */
  state: string;
  /** Incremented by every write: writes are compare-and-set on it. */
  version: number;
  created_at: Ms;
  updated_at: Ms;
  finished_at: NullableMs;
  finished_by: string | null;
}

export interface RemindersSentTable {
  /** core/reminders/due.ts reminderKey: repo, secret, basis, deadline, threshold. */
  key: string;
  repo: string;
  secret: string;
  claimed_at: Ms;
  channel: string | null;
  message_ts: string | null;
  /** What the reminder said (migration 0008); null on older rows. */
  basis: string | null;
  deadline: NullableMs;
  threshold: number | null;
  days_left: number | null;
  /** The offer state the message was last rendered in (core/reminders/offer.ts offerKey). */
  offer: string | null;
}

/** One-time masked entry pages (migration 0007). */
export interface EntryLinksTable {
  /** SHA-256 (hex) of the link's secret part; the link itself is never stored. */
  token_hash: string;
  rotation_id: string;
  user_id: string;
  created_at: Ms;
  expires_at: Ms;
  /** Set while a submission is checked, and for good once one went through. */
  used_at: NullableMs;
  done_at: NullableMs;
  attempts: WithDefault<number>;
}

/** Slack deliveries already taken, for dropping redeliveries and replays (migration 0008). */
export interface SlackDeliveriesTable {
  /** `event:<event_id>` or `trigger:<trigger_id>`. */
  key: string;
  seen_at: Ms;
}

/** Leak warnings posted, for editing their rotation offers (migration 0012). Never a token. */
export interface LeakMessagesTable {
  channel: string;
  message_ts: string;
  posted_at: Ms;
  author: string | null;
  /** JSON: the kinds of the tokens found (core/leaks/findTokens.ts LeakedKind[]). */
  kinds: string;
  unchecked: number;
  /** JSON: the secrets offered for rotation (ui/leaks.ts RotationOffer[]). */
  offers: string;
  /** JSON: the revocation outcomes (ui/leaks.ts LeakOutcome[]); null while they are being found. */
  outcomes: string | null;
  /** The offer states it was last rendered with (one offerKey per offer). */
  shown: string | null;
}

export interface Database {
  audit_log: AuditLogTable;
  reports: ReportsTable;
  jobs: JobsTable;
  releases: ReleasesTable;
  secret_changes: SecretChangesTable;
  rotations: RotationsTable;
  reminders_sent: RemindersSentTable;
  entry_links: EntryLinksTable;
  slack_deliveries: SlackDeliveriesTable;
  leak_messages: LeakMessagesTable;
}
