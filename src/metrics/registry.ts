import client from 'prom-client';

/**
 * Process-wide metrics (prom-client): Node's default process metrics (RSS, heap, event-loop lag, GC) and what
 * this process does (acks, GitHub requests, errors). Each replica is scraped on its own, so in memory is right;
 * figures read from the store at scrape time live in `appMetrics`.
 */
export const processRegistry = new client.Registry();
client.collectDefaultMetrics({ register: processRegistry });

export type Surface = 'command' | 'action' | 'view' | 'event' | 'options' | 'other';

export const ackSeconds = new client.Histogram({
  name: 'chatops_slack_ack_seconds',
  help: 'Time from a Slack request reaching the app to its acknowledgement, by surface (Slack allows 3 s)',
  labelNames: ['surface'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5],
  registers: [processRegistry],
});

export const githubRequests = new client.Counter({
  name: 'chatops_github_requests_total',
  help: 'HTTP requests sent to GitHub (each retry counted), by host, route template and status; 304 is also counted in chatops_github_not_modified_total',
  labelNames: ['host', 'route', 'status'] as const,
  registers: [processRegistry],
});

export const githubNotModified = new client.Counter({
  name: 'chatops_github_not_modified_total',
  help: 'Conditional GitHub requests answered 304 Not Modified (they cost no rate limit), by host and route template',
  labelNames: ['host', 'route'] as const,
  registers: [processRegistry],
});

export const slackRequestsScreened = new client.Counter({
  name: 'chatops_slack_requests_total',
  help: 'Slack requests the intake answered itself, by outcome: junk, foreign (another workspace), duplicate, unhandled (no listener), deadline (answered empty at 2.5 s)',
  labelNames: ['outcome'] as const,
  registers: [processRegistry],
});

export const errorsTotal = new client.Counter({
  name: 'chatops_errors_total',
  help: 'Failures reported to people by the error handler, by error code',
  labelNames: ['code'] as const,
  registers: [processRegistry],
});

export const webhookDeliveries = new client.Counter({
  name: 'chatops_github_webhooks_total',
  help: 'GitHub webhook deliveries received, by outcome (accepted, rejected: bad signature)',
  labelNames: ['outcome'] as const,
  registers: [processRegistry],
});

/** `updated_at` of each Actions secret as GitHub last reported it to this process, by `owner/repo` and name. */
const secretDates = new Map<string, Date>();
const secretKey = (repo: string, name: string) => `${repo.toLowerCase()}\u0000${name.toUpperCase()}`;

/** Called where the bot reads secrets from GitHub (/sync-status, reminders, writes read back). */
export function observeSecretDates(repo: string, secrets: ReadonlyArray<{ name: string; updatedAt: string }>): void {
  for (const s of secrets) {
    const at = new Date(s.updatedAt);
    if (!Number.isNaN(at.getTime())) secretDates.set(secretKey(repo, s.name), at);
  }
}

export function lastSecretDate(repo: string, name: string): Date | undefined {
  return secretDates.get(secretKey(repo, name));
}
