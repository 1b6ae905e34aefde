import type { Migration } from 'kysely';

/**
 * PLACEHOLDER, drop at merge: 0016 belongs to another branch (tag without a release). This
 * empty migration only keeps the numbering gap-free so branch h-announce's 0017 can be tested.
 */
export function placeholder0016(): Migration {
  return { async up() {}, async down() {} };
}
