/**
 * `npm run audit -- [--since DATE] [--until DATE] [--format jsonl|json|csv] | --verify`
 *
 * Exports the audit log of the database named by DATABASE_URL (as the bot reads it)
 * to stdout, in chain order, or verifies its hash chain.
 *
 * Each exported entry carries `hash` and `prevHash`; anyone can recompute `hash` as
 * described at auditEntryHash (src/store/migrations/0003_audit_chain.ts), with `at`
 * as epoch milliseconds and `JSON.stringify(detail)` as the detail text.
 *
 * Exit codes: 0 done (or the chain is intact), 1 the chain is broken, 2 bad arguments,
 * 3 the database could not be read.
 */
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { isChatOpsError } from '../errors.js';
import { openStore, parseDatabaseUrl, type AuditEntry, type Store } from '../store/index.js';
import { AUDIT_USAGE, parseAuditArgs, type AuditExportFormat } from './auditArgs.js';

const EXIT = { ok: 0, broken: 1, usage: 2, failed: 3 } as const;

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseAuditArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(`audit: ${parsed.error}. ${AUDIT_USAGE}\n`);
    return EXIT.usage;
  }
  const command = parsed.command;
  if (command.kind === 'help') {
    await write(`${AUDIT_USAGE}\n`);
    return EXIT.ok;
  }

  let store: Store;
  try {
    const target = parseDatabaseUrl(process.env.DATABASE_URL);
    // Opening would create an empty database, and then report an empty log.
    if (target.dialect === 'sqlite' && target.filename !== ':memory:' && !existsSync(target.filename)) {
      process.stderr.write(`audit: there is no database at ${target.filename} (set DATABASE_URL)\n`);
      return EXIT.failed;
    }
    store = await openStore({ databaseUrl: process.env.DATABASE_URL });
  } catch (e) {
    process.stderr.write(`audit: ${describe(e)}\n`);
    return EXIT.failed;
  }

  try {
    if (command.kind === 'verify') {
      const result = await store.audit.verify();
      if (result.ok) {
        await write(`audit log intact: ${result.count} entries, head ${result.head}\n`);
        return EXIT.ok;
      }
      const intact = result.count === 1 ? '1 entry before it is intact' : `${result.count} entries before it are intact`;
      await write(`audit log broken at entry ${result.brokenAt}: ${result.reason} (${intact})\n`);
      return EXIT.broken;
    }
    const entries = store.audit.export({ since: command.since, until: command.until });
    await writeExport(entries, command.format);
    return EXIT.ok;
  } catch (e) {
    process.stderr.write(`audit: ${describe(e)}\n`);
    return EXIT.failed;
  } finally {
    await store.close().catch(() => undefined);
  }
}

/** The exported form of an entry: the stored fields, `at` in ISO-8601 UTC. */
function exported(e: AuditEntry) {
  return { id: e.id, at: e.at, actor: e.actor, action: e.action, repo: e.repo, detail: e.detail, outcome: e.outcome, hash: e.hash, prevHash: e.prevHash };
}

const CSV_COLUMNS = ['id', 'at', 'actor', 'action', 'repo', 'detail', 'outcome', 'hash', 'prevHash'] as const;

async function writeExport(entries: AsyncIterable<AuditEntry>, format: AuditExportFormat): Promise<void> {
  if (format === 'csv') await write(`${CSV_COLUMNS.join(',')}\r\n`);
  if (format === 'json') await write('[');
  let first = true;
  for await (const entry of entries) {
    const e = exported(entry);
    if (format === 'jsonl') await write(`${JSON.stringify(e)}\n`);
    else if (format === 'json') await write(`${first ? '\n' : ',\n'}${JSON.stringify(e)}`);
    else await write(`${CSV_COLUMNS.map((c) => csvField(c === 'detail' ? (e.detail === null ? null : JSON.stringify(e.detail)) : e[c])).join(',')}\r\n`);
    first = false;
  }
  if (format === 'json') await write(first ? ']\n' : '\n]\n');
}

/** RFC 4180: quoted when it holds a comma, quote or line break; null is an empty field. */
function csvField(value: string | null): string {
  if (value === null) return '';
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Writes to stdout, waiting when the reader is slower than the export. */
async function write(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}

/** Our errors' messages are safe to show (no SQL, no connection string); others are not echoed. */
function describe(e: unknown): string {
  return isChatOpsError(e) ? e.message : 'unexpected error (the database may be unreachable)';
}

// A reader that stops early (`| head`) closes the pipe: that is not a failure.
process.stdout.on('error', (e: NodeJS.ErrnoException) => process.exit(e.code === 'EPIPE' ? EXIT.ok : EXIT.failed));

process.exitCode = await main(process.argv.slice(2));
