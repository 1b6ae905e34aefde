import type { Fetched } from '../core/sync/facts.js';
import { isChatOpsError } from '../errors.js';

/**
 * One part of a report read from GitHub: a failure the bot can word (a typed error) becomes the
 * part's `reason`, so the rest of the report still comes; anything else is a bug and is thrown.
 */
export async function settle<T>(p: Promise<T>): Promise<Fetched<T>> {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    if (isChatOpsError(e)) return { ok: false, reason: e.userMessage, code: e.code };
    throw e;
  }
}
