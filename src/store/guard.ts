import { StoreError, isChatOpsError } from '../errors.js';

/**
 * Runs one store operation; a database failure becomes a StoreError (safe to show:
 * no SQL, no connection string) with the driver's error kept as `cause` for the logs.
 */
export async function guard<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isChatOpsError(e)) throw e;
    throw new StoreError("The bot's database failed.", { cause: e, detail: operation });
  }
}

/** Epoch milliseconds from a Date (the stored form of every time, see schema.ts). */
export function ms(d: Date): number {
  const t = d.getTime();
  if (!Number.isFinite(t)) throw new StoreError('An invalid date was given to the store.');
  return t;
}
