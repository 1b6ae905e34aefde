import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log/logger.js';
import type { Job, Store } from '../store/index.js';
import { GitHubError, isChatOpsError, JobLeaseLostError } from '../errors.js';

/** What a handler wants done with its job after one run. */
export type JobResult =
  | { kind: 'done' }
  /** Poll again later (e.g. a run still going); the payload carries state to the next run. */
  | { kind: 'again'; at: Date; payload?: unknown }
  /** A failure worth retrying with back-off (counted against maxAttempts). */
  | { kind: 'retry'; error: string };

/** What a handler gets besides its job. */
export interface JobContext {
  /**
   * Aborted (reason: a JobLeaseLostError) once this replica no longer holds the job:
   * another one may be running it. Check it (`signal.throwIfAborted()`) before each side
   * effect, so a stalled replica never does one twice.
   */
  signal: AbortSignal;
}

/** The longest lease a job kind may ask for: a dead replica's work is taken over within this time. */
export const MAX_LEASE_SECONDS = 30;

export interface JobHandler {
  kind: string;
  /**
   * How long a claim holds a job of this kind (at most MAX_LEASE_SECONDS). It need not
   * cover a whole run: while run() works, the worker renews the lease every third of
   * this time (heartbeat). A replica that dies stops renewing, and another one takes
   * the job over once the lease has run out.
   */
  leaseSeconds: number;
  run(job: Job, ctx: JobContext): Promise<JobResult>;
}

/** GitHub failures that are the host's, not the job's: retried soon, without using up the job's attempts. */
const TRANSIENT_RETRY_SECONDS: Partial<Record<GitHubError['code'], number>> = { github_unavailable: 15, github_rate_limited: 60 };

/**
 * Runs leased background jobs from the store. Any replica may run one; each job is
 * taken by one replica at a time, and a job whose replica died is taken again when
 * its lease expires. The loop's timer only decides when to look: the work itself
 * lives in the store, so a restart forgets nothing.
 */
export class Worker {
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private kicked = false;
  private readonly handlers: Map<string, JobHandler>;
  /** Each kind's lease, for claim(). */
  private readonly leases: Record<string, number>;

  constructor(
    private readonly o: {
      store: Store;
      handlers: JobHandler[];
      logger: Logger;
      /** How often an idle worker looks for due jobs, and so for leases that ran out (default 1 s). */
      idleMs?: number;
      now?: () => Date;
      /** Heartbeat period (default: a third of the job's lease). */
      heartbeatMs?: (handler: JobHandler) => number;
    },
  ) {
    this.handlers = new Map(o.handlers.map((h) => [h.kind, h]));
    for (const h of o.handlers) {
      if (!(h.leaseSeconds > 0 && h.leaseSeconds <= MAX_LEASE_SECONDS))
        throw new Error(`job kind ${h.kind}: lease ${h.leaseSeconds} s is not within (0, ${MAX_LEASE_SECONDS}] s`);
    }
    if (this.handlers.size !== o.handlers.length) throw new Error('two job handlers for one kind');
    this.leases = Object.fromEntries(o.handlers.map((h) => [h.kind, h.leaseSeconds]));
  }

  private now(): Date {
    return this.o.now?.() ?? new Date();
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Looks for due jobs now instead of at the next idle tick (e.g. right after enqueueing one). */
  kick(): void {
    if (this.stopped) return;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      this.schedule(0);
    } else {
      // The loop is running: make it look once more before it sleeps.
      this.kicked = true;
    }
  }

  /** Runs due jobs until none is left; returns how many ran. Used by the loop, and by tests to step time. */
  async drain(): Promise<number> {
    let n = 0;
    while (await this.runOne()) n += 1;
    return n;
  }

  /** Claims and runs one due job; false when none was due. */
  async runOne(): Promise<boolean> {
    const job = await this.o.store.jobs.claim({ owner: this.owner, leaseSeconds: this.leases, now: this.now() });
    if (!job) return false;
    const handler = this.handlers.get(job.kind);
    const log = this.o.logger.child({ component: 'worker', job: job.id, kind: job.kind });
    if (!handler) {
      await this.o.store.jobs.fail(job.id, this.owner, { error: `no handler for ${job.kind}`, final: true });
      return true;
    }
    const heart = this.heartbeat(handler, job, log);
    let result: JobResult | { kind: 'transient'; error: string; retrySeconds: number } | null;
    try {
      result = await handler.run(job, { signal: heart.signal });
    } catch (e) {
      const transient = e instanceof GitHubError ? TRANSIENT_RETRY_SECONDS[e.code] : undefined;
      const error = isChatOpsError(e) ? e.userMessage : e instanceof Error ? e.message : String(e);
      if (heart.signal.aborted && (e === heart.signal.reason || e instanceof JobLeaseLostError)) {
        // Stopped on purpose: the job is someone else's now (or will be once the lease runs out).
        log.warn({ err: e }, 'job stopped: its lease was lost');
        result = null;
      } else if (transient !== undefined) {
        // The host did not answer: soon again, and an outage of any length cannot use up the attempts.
        log.warn({ err: e }, 'job failed on an unavailable host; will try again');
        result = { kind: 'transient', error, retrySeconds: transient };
      } else {
        // A handler's failure is retried with back-off; it never stops the loop.
        log.warn({ err: e }, 'job failed');
        result = { kind: 'retry', error };
      }
    } finally {
      await heart.stop();
    }
    // Each of these applies only while this replica still holds the job.
    const jobs = this.o.store.jobs;
    const now = this.now();
    let kept = true;
    if (result === null) kept = false;
    else if (result.kind === 'done') kept = await jobs.complete(job.id, this.owner, now);
    else if (result.kind === 'again') kept = await jobs.reschedule(job.id, this.owner, result.at, result.payload, now, job.runAt);
    else if (result.kind === 'transient')
      kept = await jobs.fail(job.id, this.owner, {
        error: result.error.slice(0, 500),
        transient: true,
        retryAt: new Date(now.getTime() + result.retrySeconds * 1000),
        now,
      });
    else kept = await jobs.fail(job.id, this.owner, { error: result.error.slice(0, 500), now });
    if (!kept && result !== null) log.warn('job result not recorded: another replica holds the job now');
    return true;
  }

  /**
   * Renews the job's lease while its handler runs. A renewal that finds the job no
   * longer ours aborts the signal; so does a store that cannot be reached until the
   * lease is about to run out (past it, another replica may take the job).
   */
  private heartbeat(handler: JobHandler, job: Job, log: Logger): { signal: AbortSignal; stop(): Promise<void> } {
    const controller = new AbortController();
    const leaseMs = handler.leaseSeconds * 1000;
    const everyMs = Math.max(10, this.o.heartbeatMs?.(handler) ?? leaseMs / 3);
    let leaseUntil = job.leaseUntil?.getTime() ?? 0;
    let beating: Promise<void> | null = null;
    const lost = (why: string) => {
      if (controller.signal.aborted) return;
      log.warn({ why }, 'job lease lost; telling the handler to stop');
      controller.abort(new JobLeaseLostError(`This replica no longer holds job ${job.id} (${why}).`));
    };
    const beat = async () => {
      const now = this.now();
      try {
        if (await this.o.store.jobs.extendLease(job.id, this.owner, handler.leaseSeconds, now)) leaseUntil = now.getTime() + leaseMs;
        else lost('another replica took it over, or it was finished');
      } catch (e) {
        log.warn({ err: e }, 'job lease not renewed');
        if (this.now().getTime() + everyMs >= leaseUntil) lost('the store did not renew the lease in time');
      }
    };
    const timer = setInterval(() => {
      if (!beating && !controller.signal.aborted) beating = beat().finally(() => (beating = null));
    }, everyMs);
    return {
      signal: controller.signal,
      async stop() {
        clearInterval(timer);
        await beating;
      },
    };
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.loop();
    }, ms);
    this.timer.unref();
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.kicked = false;
        while (!this.stopped && (await this.runOne()));
      } while (this.kicked && !this.stopped);
    } catch (e) {
      this.o.logger.error({ err: e, component: 'worker' }, 'worker loop failed; retrying');
    }
    this.schedule(this.o.idleMs ?? 1000);
  }
}
