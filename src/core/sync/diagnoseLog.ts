import { redactSecrets } from '../redact.js';

/**
 * Reads a failed sync job's log and names the cause, following the Troubleshooting
 * section of the GHE token procedure (seeds/ghe-token-setup.md).
 */

export type DiagnosisKind = 'auth_failed' | 'push_rejected' | 'repo_not_found' | 'network' | 'other';

export interface LogDiagnosis {
  kind: DiagnosisKind;
  /** The line that gave the cause away (or the last `##[error]`), cleaned and redacted. */
  evidence: string | null;
  /** For `other`: up to 5 lines before the error, cleaned and redacted. */
  context: string[];
}

export const MAX_LOG_LINE = 200;
const CONTEXT_LINES = 5;

// Most specific first: a 403 on push says "Permission … denied" *and* "returned error: 403".
const CAUSES: Array<[Exclude<DiagnosisKind, 'other'>, RegExp[]]> = [
  [
    'auth_failed',
    [
      /fatal: Authentication failed/i,
      /Invalid username or password/i,
      /could not read Username/i,
      /could not read Password/i,
      /HTTP Basic: Access denied/i,
      /The requested URL returned error: 40[13]\b/i,
      /Permission to \S+ denied/i,
      /Write access to repository not granted/i,
      /Bad credentials/i,
      /Permission denied \(publickey\)/i,
    ],
  ],
  ['push_rejected', [/\[remote rejected\]/i, /protected branch hook declined/i, /\bGH006\b/, /pre-receive hook declined/i, /!\s*\[rejected\]/i]],
  ['repo_not_found', [/Repository not found/i, /remote: Not Found/i, /fatal: repository '[^']*' not found/i]],
  [
    'network',
    [/Could not resolve host/i, /Connection timed out/i, /Operation timed out/i, /Failed to connect/i, /Connection refused/i, /Connection reset by peer/i],
  ],
];

const TIMESTAMP = /^\uFEFF?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z ?/;
// eslint-disable-next-line no-control-regex -- ANSI colour codes are control characters by definition
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** Cuts `s` to `max` characters, marking the cut with `…`. */
export function truncateLine(s: string, max = MAX_LOG_LINE): string {
  if (s.length <= max) return s;
  let cut = max - 1;
  // Never leave half a surrogate pair.
  if (/[\uD800-\uDBFF]/.test(s.charAt(cut - 1))) cut -= 1;
  return `${s.slice(0, cut)}…`;
}

/** One log line without GitHub's timestamp, colour codes and credentials, at most 200 chars. */
export function cleanLogLine(line: string): string {
  return truncateLine(redactSecrets(line.replace(/\r$/, '').replace(TIMESTAMP, '').replace(ANSI, '')).trimEnd());
}

interface LogLine {
  text: string;
  /** Inside a `##[group]Run …` block: the echoed script, not its output. */
  echo: boolean;
}

function readLines(log: string): LogLine[] {
  const out: LogLine[] = [];
  let echo = false;
  for (const raw of log.split('\n')) {
    const text = raw.replace(/\r$/, '').replace(TIMESTAMP, '').replace(ANSI, '');
    if (text.startsWith('##[group]')) {
      echo = text.startsWith('##[group]Run ');
      continue;
    }
    if (text.startsWith('##[endgroup]')) {
      echo = false;
      continue;
    }
    out.push({ text, echo });
  }
  return out;
}

export function diagnoseLog(log: string): LogDiagnosis {
  const lines = readLines(log).filter((l) => !l.echo);
  for (const [kind, patterns] of CAUSES) {
    const hit = lines.find((l) => patterns.some((p) => p.test(l.text)));
    if (hit) return { kind, evidence: cleanLogLine(hit.text), context: [] };
  }
  const meaningful = lines.filter((l) => l.text.trim() !== '');
  let errorAt = -1;
  for (let i = meaningful.length - 1; i >= 0; i--) {
    if (meaningful[i]?.text.startsWith('##[error]')) {
      errorAt = i;
      break;
    }
  }
  if (errorAt === -1) {
    return { kind: 'other', evidence: null, context: meaningful.slice(-CONTEXT_LINES).map((l) => cleanLogLine(l.text)) };
  }
  const errorLine = meaningful[errorAt]?.text.slice('##[error]'.length) ?? '';
  const before = meaningful.slice(Math.max(0, errorAt - CONTEXT_LINES), errorAt).map((l) => cleanLogLine(l.text));
  return { kind: 'other', evidence: cleanLogLine(errorLine), context: before };
}
