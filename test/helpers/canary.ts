import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import type { Harness } from './harness.js';

/**
 * Everything the bot could have kept or said, as one string: its log lines, every
 * Slack call, every row of every table, and the SQLite file with its WAL. A secret
 * found nowhere in it was never logged, posted or stored. `slackCalls: false` leaves out
 * what was posted, for something the bot must say (a link) but never keep.
 */
export async function everythingTheBotKept(h: Harness, { slackCalls = true } = {}): Promise<string> {
  const parts: string[] = [h.logs.join('\n')];
  if (slackCalls) parts.push(JSON.stringify(h.slack.calls));
  const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(h.store.db);
  for (const { name } of tables.rows) parts.push(JSON.stringify((await sql`select * from ${sql.table(name)}`.execute(h.store.db)).rows));
  for (const f of [h.dbFile, `${h.dbFile}-wal`]) if (f && existsSync(f)) parts.push((await readFile(f)).toString('latin1'));
  return parts.join('\n');
}
