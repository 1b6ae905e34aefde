import type { Migration, MigrationProvider } from 'kysely';
import type { StoreDialect } from '../connect.js';
import { init } from './0001_init.js';
import { releases } from './0002_releases.js';
import { auditChain } from './0003_audit_chain.js';
import { secretChanges } from './0004_secret_changes.js';
import { rotations } from './0005_rotations.js';
import { reminders } from './0006_reminders.js';
import { entryLinks } from './0007_entry_links.js';
import { slackDeliveries } from './0008_slack_deliveries.js';
import { reminderMessages } from './0010_reminder_messages.js';
import { secretWriteCheck } from './0011_secret_write_check.js';
import { releaseUnique } from './0009_release_unique.js';
import { leakMessages } from './0012_leak_messages.js';
import { githubDeliveries } from './0013_github_deliveries.js';
import { githubProjection } from './0014_github_projection.js';
import { syncProjection } from './0015_sync_projection.js';
import { tagAlerts } from './0016_tag_alerts.js';
import { releaseAnnouncements } from './0017_release_announcements.js';
import { workflowJobNames } from './0018_workflow_job_names.js';

/**
 * Migrations live in code (no directory scan at run time). Append new ones here with
 * the next number; never edit or rename one that has shipped.
 */
export function migrationProvider(dialect: StoreDialect): MigrationProvider {
  const migrations: Record<string, Migration> = {
    '0001_init': init(dialect),
    '0002_releases': releases(),
    '0003_audit_chain': auditChain(),
    '0004_secret_changes': secretChanges(),
    '0005_rotations': rotations(),
    '0006_reminders': reminders(),
    '0007_entry_links': entryLinks(),
    '0008_slack_deliveries': slackDeliveries(),
    '0009_release_unique': releaseUnique(),
    '0010_reminder_messages': reminderMessages(),
    '0011_secret_write_check': secretWriteCheck(),
    '0012_leak_messages': leakMessages(),
    '0013_github_deliveries': githubDeliveries(dialect),
    '0014_github_projection': githubProjection(),
    '0015_sync_projection': syncProjection(),
    '0016_tag_alerts': tagAlerts(),
    '0017_release_announcements': releaseAnnouncements(),
    '0018_workflow_job_names': workflowJobNames(),
  };
  return { getMigrations: async () => migrations };
}
