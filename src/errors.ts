/**
 * One error class per kind of failure. Each carries a stable `code`, the original
 * `cause` (for logs, after sanitising) and a `userMessage` that is safe to show in
 * Slack: it never contains a credential or a raw upstream body.
 */
export abstract class ChatOpsError extends Error {
  abstract readonly code: string;
  readonly userMessage: string;

  constructor(userMessage: string, options?: { cause?: unknown; detail?: string }) {
    super(options?.detail ? `${userMessage} (${options.detail})` : userMessage, { cause: options?.cause });
    this.userMessage = userMessage;
    this.name = new.target.name;
  }
}

/** Bad or missing configuration; stops start-up. `problems` lists each as `path: message`. */
export class ConfigError extends ChatOpsError {
  readonly code = 'config_invalid';
  constructor(readonly problems: string[]) {
    super(`Configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * A credential was refused at start-up (HTTP 401, a 403 that is not a rate limit, Slack's
 * `invalid_auth`…). Names the variable that holds it and the URL that refused it; never
 * the value. Stops start-up with status 2, like a ConfigError.
 */
export class CredentialRefusedError extends ChatOpsError {
  readonly code = 'credential_refused';
  constructor(
    readonly variable: string,
    readonly url: string,
    readonly reason: string,
  ) {
    super(`\`${variable}\` was refused by ${url}: ${reason}`);
  }
}

/** What the user typed cannot be used; `usage` is shown with it. */
export class UsageError extends ChatOpsError {
  readonly code = 'usage';
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
  }
}

/** The caller is not allowed to do this. */
export class NotAllowedError extends ChatOpsError {
  readonly code = 'not_allowed';
}

/** A repository, workflow, job, tag… that does not exist (or that the bot may not see). */
export class NotFoundError extends ChatOpsError {
  readonly code = 'not_found';
}

/**
 * GitHub (or a GHES host) answered with an error or could not be reached.
 * `github_conflict`: refused because of the state of things there, not the credential
 * (a deploy key already in use, a run still in progress); asking again will not help
 * until that changes.
 */
export class GitHubError extends ChatOpsError {
  readonly code: 'github_auth' | 'github_forbidden' | 'github_not_found' | 'github_rate_limited' | 'github_unavailable' | 'github_conflict' | 'github_error';
  constructor(
    code: GitHubError['code'],
    userMessage: string,
    readonly host: string,
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(userMessage, { cause: options?.cause, detail: `${host}${status ? ` HTTP ${status}` : ''}` });
    this.code = code;
  }
}

/** Slack's Web API refused a call (other than a rate limit, which is waited out). */
export class SlackApiError extends ChatOpsError {
  readonly code = 'slack_error';
}

/** The store failed. */
export class StoreError extends ChatOpsError {
  readonly code = 'store_error';
}

export function isChatOpsError(e: unknown): e is ChatOpsError {
  return e instanceof ChatOpsError;
}

/**
 * A running job's lease was lost (another replica took the job over after it ran out,
 * or the store could not renew it in time): the handler stops before another side effect.
 */
export class JobLeaseLostError extends ChatOpsError {
  readonly code = 'job_lease_lost';
}
