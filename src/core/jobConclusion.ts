import type { Conclusion } from './ports.js';

export type FinishedJobState = 'success' | 'failure' | 'timed_out' | 'cancelled' | 'skipped' | 'other';

/** How a completed job ended, in the few words the reports use (a startup failure is a failure). */
export function finishedJobState(conclusion: Conclusion | null): FinishedJobState {
  switch (conclusion) {
    case 'success':
    case 'failure':
    case 'timed_out':
    case 'cancelled':
    case 'skipped':
      return conclusion;
    case 'startup_failure':
      return 'failure';
    default:
      return 'other';
  }
}
