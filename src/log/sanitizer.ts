import { redactSecrets } from '../core/redact.js';

/**
 * Removes credentials from text before it leaves the process (log lines, error
 * messages). Every credential the bot holds is registered at start-up; values a
 * user pastes later are registered for as long as the process holds them.
 */
export class Sanitizer {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | null = null;

  constructor(private readonly patternRedactor: (text: string) => string = redactSecrets) {}

  /** Registers a value (and its JSON- and URL-encoded forms) to be masked. Short values are ignored: masking "ab" would ruin logs and protect nothing. */
  register(secret: string | undefined): void {
    if (!secret || secret.length < 8) return;
    for (const form of [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]) this.secrets.add(form);
    // A PEM key is masked line by line too, since loggers may split it.
    if (secret.includes('\n')) for (const line of secret.split('\n')) if (line.trim().length >= 16) this.secrets.add(line.trim());
    this.pattern = null;
  }

  unregister(secret: string): void {
    for (const form of [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]) this.secrets.delete(form);
    this.pattern = null;
  }

  scrub(text: string): string {
    if (this.secrets.size > 0) {
      this.pattern ??= new RegExp(
        [...this.secrets]
          .sort((a, b) => b.length - a.length)
          .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('|'),
        'g',
      );
      text = text.replace(this.pattern, '[REDACTED]');
    }
    return this.patternRedactor(text);
  }
}
