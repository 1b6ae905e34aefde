import { parseArgs } from 'node:util';
import { z } from 'zod';

export const AUDIT_USAGE =
  'usage: npm run audit -- [--since DATE] [--until DATE] [--format jsonl|json|csv] | --verify  (DATE: 2026-01-01 or 2026-01-01T09:30:00Z; since inclusive, until exclusive)';

export const AuditExportFormat = z.enum(['jsonl', 'json', 'csv']);
export type AuditExportFormat = z.infer<typeof AuditExportFormat>;

export type AuditCommand = { kind: 'help' } | { kind: 'verify' } | { kind: 'export'; format: AuditExportFormat; since?: Date; until?: Date };

export type ParsedAuditArgs = { ok: true; command: AuditCommand } | { ok: false; error: string };

/** A calendar day (midnight UTC) or a date-time that says its offset: local time would depend on the machine. */
const DateArg = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

/** `npm run audit -- …`'s arguments (without node and the script). Pure: no I/O, no exit. */
export function parseAuditArgs(argv: readonly string[]): ParsedAuditArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        since: { type: 'string' },
        until: { type: 'string' },
        format: { type: 'string' },
        verify: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    // parseArgs explains itself over several sentences; the first one says it.
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, error: (message.split('\n')[0] ?? message).replace(/\.(\s.*)?$/, '') };
  }

  if (values.help) return { ok: true, command: { kind: 'help' } };
  if (values.verify) {
    if (values.since !== undefined || values.until !== undefined || values.format !== undefined) {
      return { ok: false, error: '--verify checks the whole log and takes no other option' };
    }
    return { ok: true, command: { kind: 'verify' } };
  }

  const format = AuditExportFormat.safeParse(values.format ?? 'jsonl');
  if (!format.success) return { ok: false, error: `--format must be jsonl, json or csv, not '${values.format}'` };
  const since = values.since === undefined ? undefined : parseDate(values.since);
  if (since === null) return { ok: false, error: `--since is not a date: '${values.since}'` };
  const until = values.until === undefined ? undefined : parseDate(values.until);
  if (until === null) return { ok: false, error: `--until is not a date: '${values.until}'` };
  if (since && until && since.getTime() >= until.getTime()) return { ok: false, error: '--since must be before --until' };

  return {
    ok: true,
    command: { kind: 'export', format: format.data, ...(since ? { since } : {}), ...(until ? { until } : {}) },
  };
}

function parseDate(text: string): Date | null {
  if (!DateArg.safeParse(text).success) return null;
  // A bare date is read as UTC by Date (ECMAScript's date-only form), as documented.
  const d = new Date(text);
  return Number.isFinite(d.getTime()) ? d : null;
}
