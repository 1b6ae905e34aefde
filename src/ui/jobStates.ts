import type { FinishedJobState } from '../core/jobConclusion.js';

/** How a finished job is shown, the same in every report. */
export const FINISHED_JOB_LABEL: Record<FinishedJobState, [emoji: string, label: string]> = {
  success: [':white_check_mark:', 'succeeded'],
  failure: [':x:', 'failed'],
  timed_out: [':x:', 'timed out'],
  cancelled: [':no_entry_sign:', 'cancelled'],
  skipped: [':fast_forward:', 'skipped'],
  other: [':grey_question:', 'ended'],
};
