/**
 * Did an approved write reach GitHub? The only trace GitHub gives of a secret is its
 * `updated_at` (second precision, GitHub's clock): the write landed when the secret
 * exists now and is dated later than it was just before the write went out (or did
 * not exist then). Comparing GitHub's date with GitHub's date avoids any clock skew
 * between the bot and GitHub.
 */
export function writeLanded(current: { updatedAt: string } | null, check: { before: string | null }): boolean {
  if (!current) return false;
  if (check.before === null) return true;
  const now = Date.parse(current.updatedAt);
  const before = Date.parse(check.before);
  return Number.isFinite(now) && Number.isFinite(before) ? now > before : current.updatedAt !== check.before;
}
