import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { z } from 'zod';
import { MAX_TAG_LENGTH, ReleaseTag, TAG_EXAMPLES, parseReleaseTag } from '../../src/core/release/tag.js';

// Oracles written independently of the parser, copied verbatim from the specs.
/** https://semver.org/#is-there-a-suggested-regular-expression-regex-to-check-a-semver-string */
const SEMVER_OFFICIAL =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
/** PEP 440 / version specifiers spec, Appendix B: is_canonical(). */
const PEP440_CANONICAL = /^([1-9][0-9]*!)?(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*((a|b|rc)(0|[1-9][0-9]*))?(\.post(0|[1-9][0-9]*))?(\.dev(0|[1-9][0-9]*))?$/;

/** `git check-ref-format refs/tags/<name>`, from git-check-ref-format(1). */
function isValidGitTagName(name: string): boolean {
  const ref = `refs/tags/${name}`;
  const broken = [
    /(^|\/)\./, // a component starts with "."
    /\.lock(\/|$)/, // a component ends with ".lock"
    /\.\./,
    // eslint-disable-next-line no-control-regex
    /[\x00-\x20\x7f~^:?*[\\]/,
    /\/\/|\/$|\.$/,
    /@\{/,
  ];
  // (The rule against a ref that is exactly `@` cannot apply under refs/tags/.)
  return !broken.some((re) => re.test(ref));
}

const stripV = (tag: string) => (tag.startsWith('v') ? tag.slice(1) : tag);

/** What the parser must accept, stated with the oracles only. */
function shouldAccept(tag: string): boolean {
  const version = stripV(tag);
  return tag.length <= MAX_TAG_LENGTH && isValidGitTagName(tag) && (SEMVER_OFFICIAL.test(version) || PEP440_CANONICAL.test(version));
}

/** A refusal is one sentence, quotes at most 40 characters, and cannot break Slack formatting. */
function assertSafeReason(reason: string, input: string): void {
  assert.ok(reason.length > 0 && reason.length < 400, `reason length ${reason.length}`);
  assert.match(reason, /\.$/);
  assert.doesNotMatch(reason, /[\p{Cc}\p{Cf}\p{Cs}<>&]/u, 'no control, format, lone surrogate or mrkdwn control characters');
  const ticks = reason.match(/`/g) ?? [];
  assert.equal(ticks.length % 2, 0, 'backticks are balanced');
  for (const span of reason.match(/`[^`]*`/g) ?? []) assert.ok(Array.from(span).length <= 2 + 40 + 1, `code span too long: ${span}`);
  if (Array.from(input).length > 40) assert.ok(!reason.includes(input), 'long input is not quoted whole');
}

type Valid = [tag: string, scheme: 'semver' | 'pep440', prerelease: boolean];
const VALID: Valid[] = [
  ['v1.3.0', 'semver', false],
  ['1.3.0', 'semver', false],
  ['0.0.0', 'semver', false],
  ['v0.1.0b39', 'pep440', true],
  ['1.3.0rc1', 'pep440', true],
  ['2.0.0.post1', 'pep440', false],
  ['1.0.0.dev3', 'pep440', true],
  ['1!2.0', 'pep440', false],
  ['v1!2.0.0', 'pep440', false],
  ['1.2', 'pep440', false],
  ['v1.3', 'pep440', false],
  ['1', 'pep440', false],
  ['2024.10.1.4', 'pep440', false],
  ['0.1.0a0', 'pep440', true],
  ['1.0.post0', 'pep440', false],
  ['1.0.0rc1.post2.dev3', 'pep440', true],
  ['1.0.post1.dev2', 'pep440', true],
  ['1.0.0-alpha.1+build.5', 'semver', true],
  ['v1.0.0-0A.is.legal', 'semver', true],
  ['1.0.0-rc.1', 'semver', true],
  ['v1.0.0-alpha', 'semver', true],
  ['1.0.0-x.7.z.92', 'semver', true],
  ['1.0.0-x-y-z.--', 'semver', true],
  ['1.0.0-post1', 'semver', true],
  ['1.0.0-1.0', 'semver', true],
  ['1.0.0+20130313144700', 'semver', false],
  ['1.0.0+local', 'semver', false],
  ['1.0.0-beta+exp.sha.5114f85', 'semver', true],
  ['1.0.0+21AF26D3----117B344092BD', 'semver', false],
  ['99999999999999999999.999999999999999999.99999999999999999999', 'semver', false],
];

type Invalid = [tag: string, why: RegExp];
const INVALID: Invalid[] = [
  ['', /No tag was given/],
  ['   ', /No tag was given/],
  ['x'.repeat(5000), /5000 characters long.*at most 100/],
  [`1.0.0+${'a'.repeat(95)}`, /at most 100/],
  ['latest', /SemVer .*PEP 440/],
  ['release/1.0', /SemVer .*PEP 440/],
  ['v', /SemVer .*PEP 440/],
  ['vv1.0.0', /SemVer .*PEP 440/],
  ['-1.0.0', /SemVer .*PEP 440/],
  ['v01.2.3', /leading zeros/],
  ['1.02.3', /leading zeros/],
  ['1.2.3-', /nothing follows the `-`/],
  ['1.2.3-01', /numeric pre-release identifiers cannot have leading zeros/],
  ['1.0.0-rc.01', /leading zeros/],
  ['1.0.0-beta_1', /pre-release identifiers may contain only/],
  ['1.0.0-rc.1+', /nothing follows the `\+`/],
  ['1.0.0+build+2', /build metadata may contain only/],
  ['1.0+local', /local versions/],
  ['1.0+ubuntu-1', /local versions/],
  ['v1.2.3 ; rm -rf', /white space/],
  ['1.0.0 ', /white space/],
  [' 1.0.0', /white space/],
  ['v1.2.3\n', /white space/],
  ['v1.2.3\u0000', /control character/],
  ['v1.2.3\u001b[31m', /control character/],
  ['refs/tags/v1', /full ref name.*`refs\/tags\/`/],
  ['refs/tags/v1.3.0', /full ref name/],
  ['v1.2.3~1', /`~`/],
  ['v1.2.3^', /`\^`/],
  ['v1.2:3', /`:`/],
  ['v1.*', /`\*`/],
  ['v1.2.3?', /`\?`/],
  ['v1.[2]', /`\[`/],
  ['v1\\2', /`\\`/],
  ['1.0.0-a..b', /`\.\.`/],
  ['1..2', /`\.\.`/],
  ['1.2.3.', /cannot end with `\.`/],
  ['.1.2.3', /cannot start with `\.`/],
  ['1.0.0+x.lock', /`\.lock`/],
  ['1.0.0-x.lock', /`\.lock`/],
  ['@', /SemVer .*PEP 440/],
  ['v1@{1}', /`@\{`/],
  ['v١.٢.٣', /ASCII/],
  ['１.２.３', /ASCII/],
  ['1.2.3\u200b', /ASCII/],
  ['v1.3.0\u202e', /ASCII/],
  ['1.0.0.RC1', /PEP 440 spells that version `1\.0\.0rc1`/],
  ['1.0c1', /`1\.0rc1`/],
  ['1.0-post1', /`1\.0\.post1`/],
  ['v1.0-post1', /`v1\.0\.post1`/],
  ['0!1.0', /spells that version `1\.0`/],
  ['1.0a', /`1\.0a0`/],
  ['1.0.dev', /`1\.0\.dev0`/],
  ['1.0alpha1', /`1\.0a1`/],
  ['01.2.3rc1', /`1\.2\.3rc1`/],
  ['V1.3.0', /lower case/],
  ['`<!channel>`&', /SemVer .*PEP 440/],
];

describe('parseReleaseTag: examples', () => {
  for (const [tag, scheme, prerelease] of VALID) {
    test(`accepts ${JSON.stringify(tag)}`, () => {
      assert.deepEqual(parseReleaseTag(tag), { ok: true, tag, version: stripV(tag), scheme, prerelease });
    });
  }
  for (const [tag, why] of INVALID) {
    test(`refuses ${JSON.stringify(tag.length > 40 ? `${tag.slice(0, 20)}…(${tag.length})` : tag)}`, () => {
      const parsed = parseReleaseTag(tag);
      assert.equal(parsed.ok, false);
      if (parsed.ok) return;
      assert.match(parsed.reason, why);
      assertSafeReason(parsed.reason, tag);
    });
  }

  test('the oracles agree with the tables', () => {
    for (const [tag] of VALID) assert.ok(shouldAccept(tag), tag);
    for (const [tag] of INVALID) assert.ok(!shouldAccept(tag), tag);
  });

  test('TAG_EXAMPLES are all accepted, cover both schemes, and cannot be changed', () => {
    const parsed = TAG_EXAMPLES.map(parseReleaseTag);
    assert.ok(parsed.every((p) => p.ok));
    assert.deepEqual(new Set(parsed.map((p) => (p.ok ? p.scheme : null))), new Set(['semver', 'pep440']));
    assert.ok(Object.isFrozen(TAG_EXAMPLES));
  });

  test('a long input is quoted by its first 40 characters only', () => {
    const parsed = parseReleaseTag(`${'a'.repeat(40)}${'b'.repeat(100)}`);
    assert.equal(parsed.ok, false);
    if (!parsed.ok) assert.ok(parsed.reason.startsWith(`\`${'a'.repeat(40)}…\``), parsed.reason);
  });

  test('quoted input cannot end the code span or inject mrkdwn', () => {
    const parsed = parseReleaseTag('`<!channel>`&');
    assert.equal(parsed.ok, false);
    if (!parsed.ok) assert.ok(parsed.reason.startsWith('`ˋ‹!channel›ˋ＆`'), parsed.reason);
  });

  test('values that are not strings are refused, not thrown on', () => {
    for (const v of [undefined, null, 13, {}, ['v1.3.0']]) {
      const parsed = parseReleaseTag(v as unknown as string);
      assert.equal(parsed.ok, false);
    }
  });

  test('ReleaseTag schema accepts tags and carries the reason of a refusal', () => {
    const Payload = z.object({ tag: ReleaseTag });
    assert.deepEqual(Payload.parse({ tag: 'v0.1.0b39' }), { tag: 'v0.1.0b39' });
    const bad = Payload.safeParse({ tag: 'latest' });
    assert.equal(bad.success, false);
    assert.match(bad.error?.issues[0]?.message ?? '', /`latest` is not a release tag/);
    assert.equal(Payload.safeParse({ tag: 42 }).success, false);
  });
});

const hasGit = spawnSync('git', ['--version']).status === 0;

test('git check-ref-format agrees with the test oracle and with every acceptance', { skip: !hasGit && 'git is not installed' }, () => {
  // Arguments cannot carry NUL, and git accepts some non-ASCII white space we refuse anyway.
  const asciiInputs = [...VALID.map(([t]) => t), ...INVALID.map(([t]) => t), ...TAG_EXAMPLES].filter(
    // eslint-disable-next-line no-control-regex
    (t) => t.length <= MAX_TAG_LENGTH && /^[\x01-\x7f]*$/.test(t),
  );
  for (const tag of asciiInputs) {
    const gitSaysValid = spawnSync('git', ['check-ref-format', `refs/tags/${tag}`]).status === 0;
    assert.equal(isValidGitTagName(tag), gitSaysValid, `oracle vs git for ${JSON.stringify(tag)}`);
    const parsed = parseReleaseTag(tag);
    if (parsed.ok) assert.ok(gitSaysValid, `accepted but git refuses ${JSON.stringify(tag)}`);
    else if (parsed.reason.includes('not a valid tag name')) assert.ok(!gitSaysValid, `refused as a ref but git accepts ${JSON.stringify(tag)}`);
  }
});

// ---------------------------------------------------------------------------------------
// Generators built from the grammars.

const DIGITS = '0123456789';
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** A number without leading zeros, small or huge. */
const numeric = fc.oneof(fc.nat({ max: 20 }), fc.nat(), fc.bigInt({ min: 0n, max: 10n ** 25n })).map(String);
const alnumChar = fc.constantFrom(...`${DIGITS}${LETTERS}-`);
const alnumId = fc
  .tuple(fc.string({ unit: alnumChar, maxLength: 4 }), fc.constantFrom(...`${LETTERS}-`), fc.string({ unit: alnumChar, maxLength: 4 }))
  .map(([a, b, c]) => a + b + c);
const preId = fc.oneof(numeric, alnumId);
// Leading zeros are fine in build metadata; `lock` tests the `.lock` safety net.
const buildId = fc.oneof({ weight: 10, arbitrary: fc.string({ unit: alnumChar, minLength: 1, maxLength: 6 }) }, { weight: 1, arbitrary: fc.constant('lock') });

const semverParts = fc.record({
  core: fc.tuple(numeric, numeric, numeric),
  pre: fc.option(fc.array(preId, { minLength: 1, maxLength: 4 })),
  build: fc.option(fc.array(buildId, { minLength: 1, maxLength: 3 })),
});
const semverVersion = semverParts.map(({ core, pre, build }) => ({
  version: `${core.join('.')}${pre ? `-${pre.join('.')}` : ''}${build ? `+${build.join('.')}` : ''}`,
  prerelease: pre !== null,
}));

const pep440Parts = fc.record({
  epoch: fc.option(fc.integer({ min: 1, max: 10_000 }).map(String)),
  release: fc.array(numeric, { minLength: 1, maxLength: 5 }),
  pre: fc.option(fc.tuple(fc.constantFrom('a', 'b', 'rc'), numeric)),
  post: fc.option(numeric),
  dev: fc.option(numeric),
});
const pep440Version = pep440Parts.map(({ epoch, release, pre, post, dev }) => ({
  version: `${epoch ? `${epoch}!` : ''}${release.join('.')}${pre ? pre.join('') : ''}${post !== null ? `.post${post}` : ''}${dev !== null ? `.dev${dev}` : ''}`,
  prerelease: pre !== null || dev !== null,
  plainTriple: epoch === null && release.length === 3 && pre === null && post === null && dev === null,
}));

const withV = fc.boolean();

describe('parseReleaseTag: properties', () => {
  test('every SemVer version is accepted, with or without `v`, and round-trips', () => {
    fc.assert(
      fc.property(semverVersion, withV, ({ version, prerelease }, v) => {
        const tag = `${v ? 'v' : ''}${version}`;
        assert.ok(SEMVER_OFFICIAL.test(version), 'the generator follows the grammar');
        const parsed = parseReleaseTag(tag);
        if (tag.length > MAX_TAG_LENGTH) {
          assert.equal(parsed.ok, false);
          if (!parsed.ok) assert.match(parsed.reason, /at most 100/);
        } else if (tag.endsWith('.lock')) {
          assert.equal(parsed.ok, false);
          if (!parsed.ok) assert.match(parsed.reason, /\.lock/);
        } else {
          assert.deepEqual(parsed, { ok: true, tag, version, scheme: 'semver', prerelease });
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('every canonical PEP 440 version is accepted, with or without `v`', () => {
    fc.assert(
      fc.property(pep440Version, withV, ({ version, prerelease, plainTriple }, v) => {
        const tag = `${v ? 'v' : ''}${version}`;
        assert.ok(PEP440_CANONICAL.test(version), 'the generator follows the grammar');
        const parsed = parseReleaseTag(tag);
        if (tag.length > MAX_TAG_LENGTH) {
          assert.equal(parsed.ok, false);
        } else {
          assert.deepEqual(parsed, { ok: true, tag, version, scheme: plainTriple ? 'semver' : 'pep440', prerelease });
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('arbitrary strings never throw; accepted exactly when the oracles say so', () => {
    const versionish = fc
      .array(
        fc.constantFrom(
          ...'0123456789',
          '0',
          '1',
          '.',
          '.',
          '-',
          '+',
          '!',
          'v',
          'V',
          'a',
          'b',
          'rc',
          'c',
          'post',
          'dev',
          'lock',
          'x',
          '_',
          '/',
          '~',
          ' ',
          '..',
          '@{',
          '١',
        ),
        {
          maxLength: 14,
        },
      )
      .map((parts) => parts.join(''));
    const mutated = fc
      .tuple(fc.oneof(semverVersion, pep440Version), fc.nat(), fc.constantFrom('', '.', '-', '+', '0', 'a', 'v', ' ', '\u0000', '`', 'é'), withV)
      .map(([{ version }, at, insert, v]) => {
        const tag = `${v ? 'v' : ''}${version}`;
        const i = at % (tag.length + 1);
        return tag.slice(0, i) + insert + tag.slice(i + (insert === '' ? 1 : 0));
      });
    const anything = fc.oneof(
      versionish,
      mutated,
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 5000 }),
      fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 120 }),
    );
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(anything, (input) => {
        const parsed = parseReleaseTag(input);
        assert.equal(parsed.ok, shouldAccept(input), `${JSON.stringify(input.slice(0, 60))}: ${JSON.stringify(parsed)}`);
        if (parsed.ok) {
          accepted++;
          assert.equal(parsed.tag, input);
          assert.equal(parsed.version, stripV(input));
          assert.equal(parsed.scheme, SEMVER_OFFICIAL.test(parsed.version) ? 'semver' : 'pep440');
          assert.ok(isValidGitTagName(parsed.tag));
        } else {
          refused++;
          assertSafeReason(parsed.reason, input);
        }
      }),
      { numRuns: 5000 },
    );
    assert.ok(accepted > 0 && refused > 0, `accepted ${accepted}, refused ${refused}: the generators reach both outcomes`);
  });
});
