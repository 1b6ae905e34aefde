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

/**
 * Whether a job, step or run ended failed: the one set every report, alert and log read uses
 * (a startup failure is a failure; cancelled and skipped are not).
 */
export function isFailedConclusion(conclusion: string | null | undefined): boolean {
  return conclusion === 'failure' || conclusion === 'timed_out' || conclusion === 'startup_failure';
}
