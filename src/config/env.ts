import { z } from 'zod';

/** Environment variables, exactly as docs/CONTRACT.md lists them. */
const optionalNonEmpty = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const urlWithDefault = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? fallback : v.trim()))
    .pipe(z.string().url('must be a URL'));

export const Env = z
  .object({
    SLACK_BOT_TOKEN: z
      .string({ error: 'is required (the bot token, xoxb-…, from the Slack app’s OAuth & Permissions page)' })
      .regex(/^xoxb-/, 'must be a bot token starting with xoxb-'),
    SLACK_SIGNING_SECRET: optionalNonEmpty,
    SLACK_APP_TOKEN: optionalNonEmpty.pipe(z.string().regex(/^xapp-/, 'must be an app-level token starting with xapp-').optional()),
    SLACK_API_URL: urlWithDefault('https://slack.com/api/').transform((u) => (u.endsWith('/') ? u : `${u}/`)),
    PORT: z
      .string()
      .optional()
      .transform((v) => (v === undefined || v.trim() === '' ? '3000' : v.trim()))
      .pipe(z.string().regex(/^\d+$/, 'must be a port number'))
      .transform(Number)
      .pipe(z.number().int().min(0, 'must be a port number').max(65535, 'must be a port number')),
    GITHUB_TOKEN: optionalNonEmpty,
    GITHUB_APP_ID: optionalNonEmpty.pipe(z.string().regex(/^\d+$/, 'must be the numeric App ID').optional()),
    GITHUB_APP_PRIVATE_KEY: optionalNonEmpty,
    GITHUB_API_URL: urlWithDefault('https://api.github.com').transform((u) => u.replace(/\/+$/, '')),
    GITHUB_WEBHOOK_SECRET: optionalNonEmpty,
    CHATOPS_CONFIG: optionalNonEmpty.transform((v) => v ?? './chatops.yml'),
    DATABASE_URL: optionalNonEmpty.transform((v) => v ?? './data/chatops.sqlite'),
    /**
     * Where people's browsers reach this bot (HTTP mode), e.g. https://chatops.example.com.
     * Set, it turns on the one-time masked entry page of /rotate (an extension of the contract).
     */
    PUBLIC_URL: optionalNonEmpty
      .pipe(z.string().url('must be a URL').regex(/^https?:\/\//, 'must be an http(s) URL').optional())
      .transform((u) => u?.replace(/\/+$/, '')),
    LOG_LEVEL: optionalNonEmpty.pipe(z.enum(['debug', 'info', 'warn', 'error']).optional()).transform((v) => v ?? 'info'),
  });
export type Env = z.infer<typeof Env>;

/**
 * Rules that span variables. Checked on the raw values, beside the schema, so
 * that one start-up message lists these together with every other problem
 * (zod skips refinements while a field is invalid).
 */
export function envCrossProblems(vars: NodeJS.ProcessEnv): string[] {
  const set = (name: string) => Boolean(vars[name]?.trim());
  const problems: string[] = [];
  if (!set('SLACK_APP_TOKEN') && !set('SLACK_SIGNING_SECRET')) {
    problems.push('SLACK_SIGNING_SECRET: is required in HTTP mode (Basic Information → Signing Secret); or set SLACK_APP_TOKEN for Socket Mode');
  }
  const hasApp = set('GITHUB_APP_ID') || set('GITHUB_APP_PRIVATE_KEY');
  if (!set('GITHUB_TOKEN') && !hasApp) {
    problems.push('GITHUB_TOKEN: is required: set GITHUB_TOKEN (a PAT), or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY (a GitHub App)');
  }
  if (hasApp && !set('GITHUB_APP_ID')) problems.push('GITHUB_APP_ID: is required with GITHUB_APP_PRIVATE_KEY');
  if (hasApp && !set('GITHUB_APP_PRIVATE_KEY')) problems.push('GITHUB_APP_PRIVATE_KEY: is required with GITHUB_APP_ID (PEM text or a file path)');
  return problems;
}
