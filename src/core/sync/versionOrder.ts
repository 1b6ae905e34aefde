/**
 * Orders tag names so that the newest-looking release comes first: `v0.1.0` before
 * `v0.1.0rc1` before `v0.1.0b39` before `v0.1.0b9`, `v1.10.0` before `v1.9.0`.
 * Understands PEP 440 (`b39`, `rc1`, `.post1`, `.dev2`) and SemVer (`-rc.1`, `+build`)
 * suffixes well enough for lists shown to people; names that carry no version sort
 * after all versions, in descending natural order.
 */

interface ParsedVersion {
  release: number[];
  /** dev < alpha < beta < rc < unknown pre-release < final < post */
  phase: number;
  phaseNumber: number;
  rest: string;
}

const PHASES: Array<[RegExp, number]> = [
  [/^[-._]?dev[-._]?(\d*)/i, 0],
  [/^[-._]?(?:alpha|a)[-._]?(\d*)/i, 1],
  [/^[-._]?(?:beta|b)[-._]?(\d*)/i, 2],
  [/^[-._]?(?:preview|pre|rc|c)[-._]?(\d*)/i, 3],
  [/^[-._]?(?:post|rev|p|r)[-._]?(\d*)/i, 6],
];
const UNKNOWN_PRERELEASE = 4;
const FINAL = 5;

function parseVersion(tag: string): ParsedVersion | null {
  const m = /^[^\d]*?(\d+(?:\.\d+)*)(.*)$/.exec(tag);
  if (!m || m[1] === undefined) return null;
  const release = m[1].split('.').map(Number);
  const suffix = (m[2] ?? '').replace(/\+.*$/, '');
  if (suffix === '') return { release, phase: FINAL, phaseNumber: 0, rest: '' };
  for (const [re, phase] of PHASES) {
    const p = re.exec(suffix);
    // `p` must not be the start of an unrelated word (`-preview` matched, `-patch-x` not).
    if (p && !/^[a-z]/i.test(suffix.slice(p[0].length))) {
      return { release, phase, phaseNumber: p[1] ? Number(p[1]) : 0, rest: suffix.slice(p[0].length) };
    }
  }
  return { release, phase: suffix.startsWith('-') ? UNKNOWN_PRERELEASE : FINAL, phaseNumber: 0, rest: suffix };
}

function compareNumberLists(a: number[], b: number[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Ascending natural order: `a2` < `a10`. */
export function naturalCompare(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Ascending version order (oldest first); a total order, so sorting is stable across runs. */
export function compareVersions(a: string, b: string): number {
  const va = parseVersion(a);
  const vb = parseVersion(b);
  if (!va || !vb) {
    if (va) return 1;
    if (vb) return -1;
    return naturalCompare(a, b);
  }
  return (
    compareNumberLists(va.release, vb.release) ||
    va.phase - vb.phase ||
    va.phaseNumber - vb.phaseNumber ||
    naturalCompare(va.rest, vb.rest) ||
    naturalCompare(a, b)
  );
}

/** A sorted copy, newest-looking first. */
export function sortTagsNewestFirst(tags: Iterable<string>): string[] {
  return [...tags].sort((a, b) => compareVersions(b, a));
}
