import type { Jobs } from '../../../src/store/jobs.js';

/**
 * The terminal's short log of `npm run sandbox`: one line per thing the bot was asked
 * to do (a command, a click, a modal submission, a message) and per job it ran, instead
 * of its full pino log. Every line goes through the bot's sanitizer first, so neither a
 * configured credential nor anything token-shaped a person typed is ever printed.
 */
export type ActivityLine = (line: string) => void;

export function activityLog(write: (text: string) => void, scrub: (text: string) => string, now: () => number): ActivityLine {
  return (line) => {
    const time = new Date(now()).toISOString().slice(11, 19);
    write(`${time}  ${scrub(line).replace(/\s+/g, ' ').slice(0, 200)}\n`);
  };
}

/**
 * The job store the bot's worker uses, reporting how each job it ran ended. The store
 * itself is unchanged: every call goes to it, and its answer is what the worker sees.
 */
export function reportingJobs(jobs: Jobs, report: ActivityLine): Jobs {
  const running = new Map<string, string>();
  const ended = (id: string, how: string, kept: boolean) => {
    const kind = running.get(id);
    running.delete(id);
    if (kind && kept) report(`job ${kind}: ${how}`);
  };
  return {
    ...jobs,
    async claim(o) {
      const job = await jobs.claim(o);
      if (job) running.set(job.id, job.kind);
      return job;
    },
    async complete(id, owner, now) {
      const kept = await jobs.complete(id, owner, now);
      ended(id, 'done', kept);
      return kept;
    },
    async fail(id, owner, o) {
      const kept = await jobs.fail(id, owner, o);
      ended(id, `failed (${o.final ? 'for good' : 'will retry'}): ${o.error}`, kept);
      return kept;
    },
    async reschedule(id, owner, runAt, payload, now) {
      const kept = await jobs.reschedule(id, owner, runAt, payload, now);
      ended(id, `looked, again at ${runAt.toISOString().slice(11, 19)}`, kept);
      return kept;
    },
  };
}
