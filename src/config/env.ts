import { z } from 'zod';
import { closest } from './problems.js';

/**
 * Environment variables, exactly as docs/CONTRACT.md lists them (plus README
 * extensions). Not strict: the environment holds every other program's variables too;
 * a required variable that is missing is told together with a set one whose name is
 * a near miss (envTypos). Each has a description for the plain-words problems.
 */
const optionalNonEmpty = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const urlWithDefault = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? fallback : v.trim()))
    .pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }));

export const Env = z.object({
  SLACK_BOT_TOKEN: z
    .string()
    .regex(/^xoxb-/, 'must be a bot token starting with xoxb-')
    .describe('the bot token (xoxb-…) from the Slack app’s OAuth & Permissions page'),
  SLACK_SIGNING_SECRET: optionalNonEmpty.describe('the Slack app’s Signing Secret (Basic Information)'),
  SLACK_APP_TOKEN: optionalNonEmpty
    .pipe(
      z
        .string()
        .regex(/^xapp-/, 'must be an app-level token starting with xapp-')
        .optional(),
    )
    .describe('the app-level token (xapp-…) for Socket Mode'),
  SLACK_API_URL: urlWithDefault('https://slack.com/api/')
    .transform((u) => (u.endsWith('/') ? u : `${u}/`))
    .describe('the base URL of Slack’s Web API'),
  PORT: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? '3000' : v.trim()))
    .pipe(z.string().regex(/^\d+$/, 'must be a port number (0 to 65535)'))
    .transform(Number)
    .pipe(z.number().int().min(0, 'must be a port number (0 to 65535)').max(65535, 'must be a port number (0 to 65535)'))
    .describe('the HTTP port'),
  GITHUB_TOKEN: optionalNonEmpty.describe('the bot’s github.com credential (a PAT)'),
  GITHUB_APP_ID: optionalNonEmpty.pipe(z.string().regex(/^\d+$/, 'must be the numeric App ID').optional()).describe('the GitHub App’s numeric ID'),
  GITHUB_APP_PRIVATE_KEY: optionalNonEmpty.describe('the GitHub App’s private key (PEM text or a file path)'),
  GITHUB_API_URL: urlWithDefault('https://api.github.com')
    .transform((u) => u.replace(/\/+$/, ''))
    .describe('the GitHub REST API URL'),
  GITHUB_WEBHOOK_SECRET: optionalNonEmpty.describe('the secret GitHub signs webhooks with'),
  CHATOPS_CONFIG: optionalNonEmpty.transform((v) => v ?? './chatops.yml').describe('the path of the YAML configuration'),
  DATABASE_URL: optionalNonEmpty.transform((v) => v ?? './data/chatops.sqlite').describe('postgres://… or a SQLite file path'),
  /**
   * Where people's browsers reach this bot (HTTP mode), e.g. https://chatops.example.com.
   * Set, it turns on the one-time masked entry page of /rotate (an extension of the contract).
   */
  PUBLIC_URL: optionalNonEmpty
    // One check, so a bad value is one problem (a `.url()` and a `.regex()` each reported it).
    .pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://chatops.example.com' }).optional())
    .transform((u) => u?.replace(/\/+$/, ''))
    .describe('where people’s browsers reach this bot'),
  LOG_LEVEL: optionalNonEmpty
    .pipe(z.enum(['debug', 'info', 'warn', 'error']).optional())
    .transform((v) => v ?? 'info')
    .describe('the log level'),
});
export type Env = z.infer<typeof Env>;

/** The variables the bot reads (besides each mirror's `tokenEnv`). */
export const ENV_NAMES: readonly string[] = Object.keys(Env.shape);

const isSet = (vars: NodeJS.ProcessEnv, name: string) => Boolean(vars[name]?.trim());

/** ", and `SLACK_BOT_TOKN` is set: a typo?" when a set variable's name is a near miss of `name`. */
export function nearMiss(vars: NodeJS.ProcessEnv, name: string): string {
  const candidates = Object.keys(vars).filter((k) => k !== name && !ENV_NAMES.includes(k) && isSet(vars, k));
  const typo = candidates.find((k) => closest(k, [name]) !== undefined);
  return typo ? ` (\`${typo}\` is set: a typo?)` : '';
}

/**
 * Rules that span variables. Checked on the raw values, beside the schema, so
 * that one start-up message lists these together with every other problem
 * (zod skips refinements while a field is invalid). Lines are "`NAME` …".
 */
export function envCrossProblems(vars: NodeJS.ProcessEnv): string[] {
  const set = (name: string) => isSet(vars, name);
  const problems: string[] = [];
  if (!set('SLACK_APP_TOKEN') && !set('SLACK_SIGNING_SECRET')) {
    problems.push(
      `\`SLACK_SIGNING_SECRET\` is missing: the Slack app’s Signing Secret (Basic Information), needed in HTTP mode; or set SLACK_APP_TOKEN for Socket Mode${nearMiss(vars, 'SLACK_SIGNING_SECRET')}`,
    );
  }
  const hasApp = set('GITHUB_APP_ID') || set('GITHUB_APP_PRIVATE_KEY');
  if (!set('GITHUB_TOKEN') && !hasApp) {
    problems.push(
      `\`GITHUB_TOKEN\` is missing: the bot’s github.com credential (a PAT); or set GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY (a GitHub App)${nearMiss(vars, 'GITHUB_TOKEN')}`,
    );
  }
  if (hasApp && !set('GITHUB_APP_ID'))
    problems.push(`\`GITHUB_APP_ID\` is missing: the GitHub App’s numeric ID, needed with GITHUB_APP_PRIVATE_KEY${nearMiss(vars, 'GITHUB_APP_ID')}`);
  if (hasApp && !set('GITHUB_APP_PRIVATE_KEY'))
    problems.push(
      `\`GITHUB_APP_PRIVATE_KEY\` is missing: the GitHub App’s private key (PEM text or a file path), needed with GITHUB_APP_ID${nearMiss(vars, 'GITHUB_APP_PRIVATE_KEY')}`,
    );
  return problems;
}
