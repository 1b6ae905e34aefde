import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log/logger.js';
import type { Job, Store } from '../store/index.js';
import { isChatOpsError } from '../errors.js';

/** What a handler wants done with its job after one run. */
export type JobResult =
  | { kind: 'done' }
  /** Poll again later (e.g. a run still going); the payload carries state to the next run. */
  | { kind: 'again'; at: Date; payload?: unknown }
  /** A failure worth retrying with back-off (counted against maxAttempts). */
  | { kind: 'retry'; error: string };

export interface JobHandler {
  kind: string;
  /** Longer than one run of the handler can take: an expired lease lets another replica take the job. */
  leaseSeconds: number;
  run(job: Job): Promise<JobResult>;
}

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

  constructor(
    private readonly o: { store: Store; handlers: JobHandler[]; logger: Logger; idleMs?: number; now?: () => Date },
  ) {
    this.handlers = new Map(o.handlers.map((h) => [h.kind, h]));
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
    const now = this.o.now?.() ?? new Date();
    const kinds = [...this.handlers.keys()];
    const leaseSeconds = Math.max(...[...this.handlers.values()].map((h) => h.leaseSeconds));
    const job = await this.o.store.jobs.claim({ owner: this.owner, kinds, leaseSeconds, now });
    if (!job) return false;
    const handler = this.handlers.get(job.kind);
    const log = this.o.logger.child({ component: 'worker', job: job.id, kind: job.kind });
    if (!handler) {
      await this.o.store.jobs.fail(job.id, this.owner, { error: `no handler for ${job.kind}`, final: true });
      return true;
    }
    let result: JobResult;
    try {
      result = await handler.run(job);
    } catch (e) {
      // A handler's failure is retried with back-off; it never stops the loop.
      log.warn({ err: e }, 'job failed');
      result = { kind: 'retry', error: isChatOpsError(e) ? e.userMessage : e instanceof Error ? e.message : String(e) };
    }
    if (result.kind === 'done') await this.o.store.jobs.complete(job.id, this.owner);
    else if (result.kind === 'again') await this.o.store.jobs.reschedule(job.id, this.owner, result.at, result.payload);
    else await this.o.store.jobs.fail(job.id, this.owner, { error: result.error.slice(0, 500) });
    return true;
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
