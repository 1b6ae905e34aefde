import { redactSecrets } from '../core/redact.js';

/** Shorter values are not masked: masking "ab" would ruin logs and protect nothing. */
const MIN_SECRET_LENGTH = 8;
/** A PEM key is masked line by line too (loggers may split it); shorter lines are headers or padding. */
const MIN_LINE_LENGTH = 16;
/** A base64 fragment shorter than this would match ordinary text. */
const MIN_BASE64_LENGTH = 8;

/** Characters of base64 output, at each byte alignment, that depend on bytes before the value (see base64Forms). */
const LEADING_MIXED = [0, 2, 3];
/** Characters of the last partial group that depend only on the value's own bytes, by the byte count mod 3. */
const TRAILING_OWN = [0, 1, 2];

/**
 * The base64 (and base64url) text a value turns into wherever it is encoded inside
 * something longer, e.g. `Authorization: Basic base64("x-access-token:" + token)`:
 * whatever precedes it, the value starts at byte offset 0, 1 or 2 of a 3-byte group,
 * and at each offset the characters that only its own bytes determine are fixed.
 */
function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const out: string[] = [];
  for (let k = 0; k < 3; k++) {
    const buf = Buffer.concat([Buffer.alloc(k), bytes]);
    const b64 = buf.toString('base64');
    const fragment = b64.slice(LEADING_MIXED[k], Math.floor(buf.length / 3) * 4 + (TRAILING_OWN[buf.length % 3] ?? 0));
    if (fragment.length < MIN_BASE64_LENGTH) continue;
    out.push(fragment);
    const url = fragment.replace(/\+/g, '-').replace(/\//g, '_');
    if (url !== fragment) out.push(url);
  }
  return out;
}

/**
 * Every form of a value that may appear in text: as it is and trimmed (a pasted value
 * is used trimmed), JSON-escaped, URL-encoded, base64/base64url-encoded, and a
 * multi-line value (a PEM key) line by line.
 */
export function formsOf(secret: string): Set<string> {
  const forms = new Set<string>();
  for (const v of new Set([secret, secret.trim()])) {
    if (v.length < MIN_SECRET_LENGTH) continue;
    forms.add(v);
    forms.add(JSON.stringify(v).slice(1, -1));
    forms.add(encodeURIComponent(v));
    for (const b of base64Forms(v)) forms.add(b);
    if (/[\r\n]/.test(v)) {
      for (const line of v.split(/\r?\n/)) {
        const l = line.trim();
        if (l.length >= MIN_LINE_LENGTH) forms.add(l);
      }
    }
  }
  return forms;
}

/**
 * Removes credentials from text before it leaves the process (log lines, error
 * messages). Every credential the bot holds is registered at start-up; values a
 * user pastes later are registered for as long as the process holds them.
 *
 * Registrations are counted per form: a pasted value equal to one of the bot's own
 * credentials (or to another pasted value) stays masked after that paste's
 * registration is released, since another registration still holds it.
 */
export class Sanitizer {
  private readonly counts = new Map<string, number>();
  private readonly patterns: Array<{ re: RegExp; replacement: string }> = [];
  private pattern: RegExp | null = null;

  constructor(private readonly patternRedactor: (text: string) => string = redactSecrets) {}

  /**
   * Masks a value (every form of it, see formsOf) until the returned release is
   * called; release is idempotent. A value registered for good (the bot's own
   * credentials) is simply never released. Short values are ignored.
   */
  register(secret: string | undefined): () => void {
    if (!secret) return () => {};
    const forms = formsOf(secret);
    for (const f of forms) this.counts.set(f, (this.counts.get(f) ?? 0) + 1);
    if (forms.size) this.pattern = null;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.drop(forms);
    };
  }

  /** Releases one registration of `secret` (prefer the function register returns: it cannot release another's). */
  unregister(secret: string): void {
    this.drop(formsOf(secret));
  }

  /** Masks everything `re` (global) matches, for good: values of a known shape that another replica may have made. */
  maskPattern(re: RegExp, replacement: string): void {
    if (!re.global) throw new Error('maskPattern needs a global RegExp');
    if (this.patterns.some((p) => p.re.source === re.source && p.re.flags === re.flags)) return;
    this.patterns.push({ re, replacement });
  }

  /** How many distinct forms are masked now (for tests: nothing is kept after its last release). */
  get size(): number {
    return this.counts.size;
  }

  scrub(text: string): string {
    if (this.counts.size > 0) {
      this.pattern ??= new RegExp(
        [...this.counts.keys()]
          .sort((a, b) => b.length - a.length)
          .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('|'),
        'g',
      );
      text = text.replace(this.pattern, '[REDACTED]');
    }
    for (const p of this.patterns) text = text.replace(p.re, p.replacement);
    return this.patternRedactor(text);
  }

  private drop(forms: Set<string>): void {
    for (const f of forms) {
      const n = this.counts.get(f);
      if (n === undefined) continue;
      if (n <= 1) this.counts.delete(f);
      else this.counts.set(f, n - 1);
    }
    if (forms.size) this.pattern = null;
  }
}
