import { pino, type Logger as Pino, type DestinationStream } from 'pino';
import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Sanitizer } from './sanitizer.js';

export type Logger = Pino;

/**
 * Structured JSON logs. Every serialised line passes through the sanitizer just
 * before it is written, so no field, message or error stack can carry a
 * registered credential or anything shaped like a GitHub token.
 */
export function createLogger(o: { level: string; sanitizer: Sanitizer; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: o.level,
      base: { app: 'release-chatops' },
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: { streamWrite: (line) => o.sanitizer.scrub(line) },
      // Belt and braces for fields that must never be logged even when not registered.
      redact: { paths: ['*.authorization', '*.headers.authorization', '*.token', '*.value', '*.encrypted_value'], censor: '[REDACTED]' },
    },
    o.destination,
  );
}

/** Bolt's and the Slack Web API's logger interface, on top of ours. */
export function slackLogger(logger: Logger, name = 'slack'): SlackLogger {
  let child = logger.child({ component: name });
  const text = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ');
  // Bolt logs at debug on every request: format only what will be written.
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...msg: unknown[]) => {
      if (child.isLevelEnabled(level)) child[level](text(msg));
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    setLevel: () => undefined, // our LOG_LEVEL governs; Bolt must not change it
    getLevel: () => (child.level as LogLevel) ?? LogLevel.INFO,
    setName: (n) => {
      child = logger.child({ component: n });
    },
  };
}
