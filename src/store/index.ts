import { sql, type Kysely } from 'kysely';
import { StoreError, isChatOpsError } from '../errors.js';
import { auditLog, type AuditLog } from './audit.js';
import { connect, parseDatabaseUrl, type Logger, type StoreDialect } from './connect.js';
import { jobs, type Jobs } from './jobs.js';
import { migrate } from './migrate.js';
import { reports, type Reports } from './reports.js';
import { releases, type Releases } from './releases.js';
import { rotationTickOf } from '../core/rotation/jobs.js';
import { secretChanges, type SecretChanges } from './secretChanges.js';
import { rotations, type Rotations } from './rotations.js';
import { reminders, type Reminders } from './reminders.js';
import { entryLinks, type EntryLinks } from './entryLinks.js';
import { slackDeliveries, type SlackDeliveries } from './slackDeliveries.js';
import { leakMessages, type LeakMessages } from './leakMessages.js';
import { retention, type Retention } from './retention.js';
import { githubEvents, type GitHubEvents } from './githubEvents.js';
import { syncProjection, type SyncProjection } from './syncProjection.js';
import { tagAlerts, type TagAlerts } from './tagAlerts.js';
import { releaseAnnouncements, type ReleaseAnnouncements } from './releaseAnnouncements.js';
import type { Database } from './schema.js';

export type { AuditEntry, AuditLog, AuditRecord } from './audit.js';
export { parseDatabaseUrl, DEFAULT_DATABASE_URL, type DatabaseTarget, type StoreDialect } from './connect.js';
export type { EnqueueOptions, Job, Jobs } from './jobs.js';
export { JobStatus } from './jobs.js';
export type { Reports, SavedReport } from './reports.js';
export { Release, type CreateReleaseResult, type NewRelease, type Releases } from './releases.js';
export { SecretChange, SecretChangeAction, type CreateResult, type NewSecretChange, type SecretChanges } from './secretChanges.js';
export type { NewRotation, Rotations, StartResult } from './rotations.js';
export type { Reminders } from './reminders.js';
export { EntryLink, ENTRY_LINK_MAX_ATTEMPTS, type EntryLinks } from './entryLinks.js';
export type { SlackDeliveries } from './slackDeliveries.js';
export type { LeakMessage, LeakMessages } from './leakMessages.js';
export { RETENTION, type PurgeCounts, type Retention } from './retention.js';
export type { Database } from './schema.js';
export type { GitHubEvents, StoredDelivery, RunRow, JobRow, TagRow, SyncAlertRow } from './githubEvents.js';
export type { SyncProjection, StoredSyncCheck } from './syncProjection.js';
export type { TagAlerts, TagAlertRow } from './tagAlerts.js';
export type { ReleaseAnnouncements, ReleaseAnnouncementRow } from './releaseAnnouncements.js';

export interface Store {
  /** The one Kysely instance; queries written against it run on both dialects. */
  db: Kysely<Database>;
  dialect: StoreDialect;
  audit: AuditLog;
  reports: Reports;
  jobs: Jobs;
  releases: Releases;
  secretChanges: SecretChanges;
  rotations: Rotations;
  reminders: Reminders;
  entryLinks: EntryLinks;
  /** Slack deliveries already taken: redeliveries and replays are dropped. */
  slackDeliveries: SlackDeliveries;
  /** Leak warnings posted, for editing their rotation offers. */
  leakMessages: LeakMessages;
  /** Purges what is past its retention (services/retention.ts runs it hourly). */
  retention: Retention;
  /** GitHub deliveries (webhooks, polled facts) and what they say, per repository. */
  githubEvents: GitHubEvents;
  /** What /sync-status and the Home tab read from the projection: log findings, the last mirror check, confirmations. */
  syncProjection: SyncProjection;
  /** The tag-without-release alert of each release tag (services/events/tagAlerts.ts). */
  tagAlerts: TagAlerts;
  /** Release runs not started from the bot that it announced (one message per run). */
  releaseAnnouncements: ReleaseAnnouncements;
  /** Resolves when the database answers (for /readyz); throws StoreError otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** `DATABASE_URL`: unset → ./data/chatops.sqlite; a path, `file:` URL or `:memory:` → SQLite; `postgres://…` → PostgreSQL. */
  databaseUrl?: string;
  /** PostgreSQL only: keep every table in this schema (created if missing). Lets tests isolate. */
  schema?: string;
  logger?: Logger;
}

/** Opens the database named by `DATABASE_URL` and brings its schema up to date. */
export async function openStore(o: OpenStoreOptions = {}): Promise<Store> {
  const target = parseDatabaseUrl(o.databaseUrl);
  const conn = await connect(target, { schema: o.schema, logger: o.logger });
  try {
    await migrate(conn);
  } catch (e) {
    await conn.db.destroy().catch(() => undefined);
    if (isChatOpsError(e)) throw e;
    throw new StoreError(`The bot's database (${target.dialect}) could not be opened.`, { cause: e });
  }
  const { db, dialect } = conn;
  return {
    db,
    dialect,
    audit: auditLog(db, dialect),
    reports: reports(db),
    releases: releases(db, dialect),
    // A request that belongs to a rotation wakes it with each status change (same transaction).
    secretChanges: secretChanges(db, dialect, rotationTickOf),
    rotations: rotations(db, dialect),
    reminders: reminders(db),
    entryLinks: entryLinks(db),
    slackDeliveries: slackDeliveries(db),
    leakMessages: leakMessages(db),
    retention: retention(db, dialect),
    githubEvents: githubEvents(db),
    syncProjection: syncProjection(db),
    tagAlerts: tagAlerts(db),
    releaseAnnouncements: releaseAnnouncements(db),
    jobs: jobs(db, dialect),
    async ping() {
      try {
        await sql`select 1`.execute(db);
      } catch (e) {
        throw new StoreError("The bot's database does not answer.", { cause: e });
      }
    },
    close: () => db.destroy(),
  };
}
