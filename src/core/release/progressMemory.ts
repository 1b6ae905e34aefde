import { z } from 'zod';

/**
 * What planProgress remembers between polls of one release. The caller stores it as JSON
 * (it survives restarts) and parses it back with this schema; a missing field takes its
 * default, so memory written by an older version still loads.
 */
export const ProgressMemory = z.object({
  /** Jobs whose failure was already replied in the thread: never again, whatever happens. */
  postedFailureJobIds: z.array(z.number().int()).default([]),
  /** Fingerprint of the main message as last sent with chat.update. */
  lastRendered: z.string().optional(),
  /** The interval planned after the previous poll, for the back-off. */
  lastPollSeconds: z.number().positive().optional(),
  /** When the message last changed (ISO): lets the caller give up on a run that stopped moving. */
  lastChangeAt: z.string().optional(),
  /** The final update was planned: nothing more to do. */
  finished: z.boolean().default(false),
});
export type ProgressMemory = z.infer<typeof ProgressMemory>;

export function emptyProgressMemory(): ProgressMemory {
  return { postedFailureJobIds: [], finished: false };
}
