import { z } from 'zod';

/**
 * The `<tag>` of `/release [repo] <tag>`: a version tag as projects really tag releases,
 * either SemVer 2.0.0 (https://semver.org) or a PEP 440 public version in canonical form
 * (https://packaging.python.org/en/latest/specifications/version-specifiers/), each with
 * or without a leading lowercase `v`. Anything else is refused with one sentence that says
 * why, so the command can answer with it, its usage line and TAG_EXAMPLES. Never throws.
 *
 * Decisions:
 * - PEP 440 is accepted only in the spelling `packaging.version.Version(v)` normalizes to
 *   itself (the spec's Appendix B "canonical" form): a tag is a git ref someone typed, and
 *   `1.0.0.RC1`, `1.0c1`, `1.0-post1`, `01.2` or `0!1.0` are different refs from `1.0.0rc1`,
 *   `1.0rc1`, `1.0.post1`, `1.2`, `1.0`. Refusals of such spellings name the canonical one.
 *   Tags like `1.0.0-rc.1` or `1.0.0-post1` pass anyway, as SemVer (where `-post1` is a
 *   pre-release identifier, so `prerelease` is true: we report the grammar that matched).
 * - PEP 440 local versions (`+local`) are refused: they are not for releases. SemVer build
 *   metadata (`1.0.0+build.5`) is fine.
 * - Only a lowercase `v` prefix: `V1.3.0` is refused with a hint (packaging would accept it,
 *   but nobody tags that way and a silent case fold would dispatch a different ref).
 * - A tag that matches both grammars (plain `MAJOR.MINOR.PATCH`) is reported as SemVer.
 * - Git's ref-name rules are checked too, as a safety net: SemVer build metadata can end in
 *   `.lock` (`1.0.0+x.lock`), which git refuses.
 */

export type TagScheme = 'semver' | 'pep440';

export type ParsedTag =
  | {
      ok: true;
      /** Exactly as typed. */
      tag: string;
      /** The tag without its leading `v`. */
      version: string;
      /** 'semver' when both grammars match. */
      scheme: TagScheme;
      /** SemVer `-…`; PEP 440 `a|b|rc` or `.dev`. */
      prerelease: boolean;
    }
  | {
      ok: false;
      /** One sentence, safe to show; quotes at most 40 characters of the input. */
      reason: string;
    };

export const TAG_EXAMPLES: readonly string[] = Object.freeze(['v1.3.0', '1.3.0-rc.1', 'v0.1.0b39', '1.3.0rc1', '2.0.0.post1', '1.0.0.dev3']);

export const MAX_TAG_LENGTH = 100;
const QUOTE_LENGTH = 40;

// ---------------------------------------------------------------------------------------
// Grammars (anchored; only ASCII, since `[0-9]` and friends are spelled out).

/** A number without leading zeros. */
const NUM = '(?:0|[1-9][0-9]*)';
const SEMVER_PRE_ID = `(?:${NUM}|[0-9]*[A-Za-z-][0-9A-Za-z-]*)`;
const SEMVER_BUILD_ID = '[0-9A-Za-z-]+';
const SEMVER = new RegExp(
  `^${NUM}\\.${NUM}\\.${NUM}` + `(-${SEMVER_PRE_ID}(?:\\.${SEMVER_PRE_ID})*)?` + `(?:\\+${SEMVER_BUILD_ID}(?:\\.${SEMVER_BUILD_ID})*)?$`,
);
/** [N!]N(.N)*[{a|b|rc}N][.postN][.devN], numbers without leading zeros, epoch not 0. */
const PEP440 = new RegExp(`^(?:[1-9][0-9]*!)?${NUM}(?:\\.${NUM})*((?:a|b|rc)${NUM})?(?:\\.post${NUM})?(\\.dev${NUM})?$`);

/**
 * packaging's VERSION_PATTERN (any spelling PEP 440 accepts, case-insensitive), without
 * the `v` and the surrounding white space; used only to explain a refusal.
 */
const PEP440_ANY =
  /^(?:([0-9]+)!)?([0-9]+(?:\.[0-9]+)*)(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?([0-9]+)?)?(?:-([0-9]+)|[-_.]?(post|rev|r)[-_.]?([0-9]+)?)?(?:[-_.]?(dev)[-_.]?([0-9]+)?)?(\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?$/i;

// ---------------------------------------------------------------------------------------
// Quoting the input back: truncated, and unable to break out of the code span or to
// smuggle mrkdwn, mentions, bidi overrides or control characters into the message. The
// look-alikes keep it readable whether or not the renderer escapes again.

const LOOK_ALIKES: Record<string, string> = { '`': 'ˋ', '<': '‹', '>': '›', '&': '＆' };

function quote(text: string): string {
  const chars = Array.from(text);
  const shown = chars
    .slice(0, QUOTE_LENGTH)
    .map((c) => {
      if (/^\s$/u.test(c)) return ' ';
      if (/^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]$/u.test(c)) return '\uFFFD';
      return LOOK_ALIKES[c] ?? c;
    })
    .join('');
  return `\`${shown}${chars.length > QUOTE_LENGTH ? '…' : ''}\``;
}

// ---------------------------------------------------------------------------------------
// git check-ref-format, for the part after `refs/tags/`.

/** Why git would refuse `refs/tags/<name>`, or null. */
function gitRefProblem(name: string): string | null {
  if (/\s/u.test(name)) return 'it contains white space';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'it contains a control character';
  const forbidden = /[~^:?*[\\]/.exec(name);
  if (forbidden) return `git does not allow ${quote(forbidden[0])} in a tag name`;
  if (name.includes('..')) return 'git does not allow `..` in a tag name';
  if (name.includes('@{')) return 'git does not allow `@{` in a tag name';
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) return 'git does not allow an empty path component';
  if (name.endsWith('.')) return 'a git tag name cannot end with `.`';
  for (const part of name.split('/')) {
    if (part.startsWith('.')) return 'a git tag name (or a part of it between slashes) cannot start with `.`';
    if (part.endsWith('.lock')) return 'a git tag name (or a part of it between slashes) cannot end with `.lock`';
  }
  return null;
}

// ---------------------------------------------------------------------------------------
// Explaining refusals of strings that look like versions.

const stripZeros = (n: string) => n.replace(/^0+(?=[0-9])/, '');

/** For `MAJOR.MINOR.PATCH[-…][+…]` shapes: which SemVer rule is broken, or null. */
function semverProblem(version: string): string | null {
  const m = /^([0-9]+)\.([0-9]+)\.([0-9]+)(?:-([^+]*))?(?:\+(.*))?$/s.exec(version);
  if (!m) return null;
  const [, major = '', minor = '', patch = '', pre, build] = m;
  if ([major, minor, patch].some((n) => n !== stripZeros(n))) return 'version numbers cannot have leading zeros';
  if (pre !== undefined) {
    const ids = pre.split('.');
    if (pre === '') return 'nothing follows the `-`';
    if (ids.includes('')) return 'a pre-release identifier (between dots) is empty';
    if (ids.some((id) => !/^[0-9A-Za-z-]+$/.test(id))) return 'pre-release identifiers may contain only ASCII letters, digits and `-`';
    if (ids.some((id) => /^0[0-9]+$/.test(id))) return 'numeric pre-release identifiers cannot have leading zeros';
  }
  if (build !== undefined) {
    if (build === '') return 'nothing follows the `+`';
    const ids = build.split('.');
    if (ids.includes('')) return 'a build metadata identifier (between dots) is empty';
    if (ids.some((id) => !/^[0-9A-Za-z-]+$/.test(id))) return 'build metadata may contain only ASCII letters, digits, `-` and `.`';
  }
  return null;
}

/** The canonical spelling of a PEP 440 version in any accepted spelling (local label kept apart). */
function pep440Canonical(version: string): { canonical: string; local: boolean } | null {
  const m = PEP440_ANY.exec(version);
  if (!m) return null;
  const [, epoch, release = '', preL, preN, postN1, postL, postN2, devL, devN, local] = m;
  let out = epoch !== undefined && stripZeros(epoch) !== '0' ? `${stripZeros(epoch)}!` : '';
  out += release.split('.').map(stripZeros).join('.');
  if (preL !== undefined) {
    const l = preL.toLowerCase();
    const label = l === 'alpha' ? 'a' : l === 'beta' ? 'b' : l === 'c' || l === 'pre' || l === 'preview' ? 'rc' : l;
    out += `${label}${stripZeros(preN ?? '0')}`;
  }
  if (postN1 !== undefined || postL !== undefined) out += `.post${stripZeros(postN1 ?? postN2 ?? '0')}`;
  if (devL !== undefined) out += `.dev${stripZeros(devN ?? '0')}`;
  return { canonical: out, local: local !== undefined };
}

const EXPECTED = 'use a SemVer version (like `v1.3.0` or `1.3.0-rc.1`) or a PEP 440 version (like `v0.1.0b39` or `1.3.0rc1`)';

function explain(tag: string, prefix: string, version: string): string {
  const q = quote(tag);
  if (/[^\x21-\x7e]/.test(tag)) return `${q} is not a release tag: versions use only ASCII letters, digits and punctuation.`;
  if (/^V[0-9]/.test(tag) && parseVersion(tag.slice(1))) return `${q} is not a release tag: write the \`v\` prefix in lower case (or leave it out).`;
  const semver = semverProblem(version);
  if (semver) return `${q} is not a release tag: ${semver}.`;
  const pep = pep440Canonical(version);
  if (pep?.local) return `${q} is not a release tag: PEP 440 local versions (\`+…\`) are not used for releases.`;
  if (pep) return `${q} is not a release tag: PEP 440 spells that version ${quote(prefix + pep.canonical)}.`;
  return `${q} is not a release tag: ${EXPECTED}.`;
}

// ---------------------------------------------------------------------------------------

type ParsedVersion = { scheme: TagScheme; prerelease: boolean };

function parseVersion(version: string): ParsedVersion | null {
  const semver = SEMVER.exec(version);
  if (semver) return { scheme: 'semver', prerelease: semver[1] !== undefined };
  const pep = PEP440.exec(version);
  if (pep) return { scheme: 'pep440', prerelease: pep[1] !== undefined || pep[2] !== undefined };
  return null;
}

export function parseReleaseTag(input: string): ParsedTag {
  // Callers outside TypeScript's reach (button payloads, stored rows) may hand anything.
  if (typeof input !== 'string') return { ok: false, reason: 'The tag must be text, like `v1.3.0`.' };
  if (input.trim() === '') return { ok: false, reason: 'No tag was given; name the tag to release, like `v1.3.0`.' };
  if (input.length > MAX_TAG_LENGTH) {
    return { ok: false, reason: `${quote(input)} is not a release tag: it is ${input.length} characters long, and a tag may have at most ${MAX_TAG_LENGTH}.` };
  }
  if (/^refs\/tags\//i.test(input)) {
    return { ok: false, reason: `${quote(input)} is a full ref name; give only the tag name after \`refs/tags/\`.` };
  }
  const refProblem = gitRefProblem(input);
  if (refProblem) return { ok: false, reason: `${quote(input)} is not a valid tag name: ${refProblem}.` };

  const prefix = input.startsWith('v') ? 'v' : '';
  const version = input.slice(prefix.length);
  const parsed = parseVersion(version);
  if (!parsed) return { ok: false, reason: explain(input, prefix, version) };
  return { ok: true, tag: input, version, ...parsed };
}

/** A release tag inside a zod schema (button values, stored requests); refusals carry the reason. */
export const ReleaseTag = z.string().superRefine((value, ctx) => {
  const parsed = parseReleaseTag(value);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
});
export type ReleaseTag = z.infer<typeof ReleaseTag>;
