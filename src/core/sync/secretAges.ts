import type { SecretConfig } from '../../config/schema.js';
import type { SecretMeta } from '../ports.js';
import { wholeDaysBetween } from './durations.js';
import type { Fetched } from './facts.js';
import { sameHost } from './hosts.js';
import type { SecretsPart, SecretState, SecretStatus } from './reportSchema.js';

/** A secret whose credential expires within this many days is due for rotation. */
export const DUE_SOON_DAYS = 30;

function ageState(daysLeft: number): SecretState {
  if (daysLeft <= 0) return 'overdue';
  if (daysLeft <= DUE_SOON_DAYS) return 'due_soon';
  return 'ok';
}

/**
 * Each configured secret: does it exist, and how old is it against `maxAgeDays`. The date
 * is when the secret was last set, the best proxy GitHub gives for the credential's age.
 */
export function secretAges(configured: readonly SecretConfig[], secrets: Fetched<SecretMeta[]>, mirrorHost: string, now: Date): SecretsPart {
  const items = configured.map((c): SecretStatus => {
    const base = {
      name: c.name,
      kind: c.kind,
      host: c.host,
      forMirror: sameHost(c.host, mirrorHost),
      maxAgeDays: c.maxAgeDays,
    };
    if (!secrets.ok) return { ...base, state: 'unknown', updatedAt: null, ageDays: null, daysLeft: null };
    // Actions secret names are case-insensitive (GitHub stores them upper-cased).
    const meta = secrets.value.find((s) => s.name.toUpperCase() === c.name.toUpperCase());
    if (!meta) return { ...base, state: 'missing', updatedAt: null, ageDays: null, daysLeft: null };
    const ageDays = wholeDaysBetween(meta.updatedAt, now);
    if (ageDays === null) return { ...base, state: 'unknown', updatedAt: null, ageDays: null, daysLeft: null };
    const daysLeft = c.maxAgeDays - ageDays;
    return { ...base, state: ageState(daysLeft), updatedAt: meta.updatedAt, ageDays, daysLeft };
  });
  return secrets.ok ? { readable: true, reason: null, items } : { readable: false, reason: secrets.reason, items };
}
