import { z } from 'zod';

/**
 * Turns zod issues into one plain-words line per problem, e.g.
 *   `repos[0].sync.job` is missing: the job id or name of the sync job
 *   `repos[0].chanel` is not a known key; did you mean `channel`?
 * instead of zod's "Invalid input: expected string, received undefined". The words
 * come from the schema's own descriptions (`.describe()` next to each field), found
 * by walking the schema along the issue's path. Values are never quoted: the
 * environment holds credentials.
 */

type Path = ReadonlyArray<PropertyKey>;

/** `repos[0].sync.job`-style path. */
export function issuePath(path: Path): string {
  return path.reduce<string>((acc, part) => {
    if (typeof part === 'number') return `${acc}[${part}]`;
    return acc ? `${acc}.${String(part)}` : String(part);
  }, '');
}

/** A schema position: the innermost type there, and the first description met on the way in. */
interface Node {
  type: z.ZodType | undefined;
  description: string | undefined;
}

/** Steps through wrappers (optional, default, pipe…) that do not change the path. */
function unwrap(schema: z.ZodType | undefined, description?: string): Node {
  let s = schema;
  let d = description;
  for (;;) {
    d ??= s?.description;
    if (
      s instanceof z.ZodOptional ||
      s instanceof z.ZodNullable ||
      s instanceof z.ZodDefault ||
      s instanceof z.ZodPrefault ||
      s instanceof z.ZodReadonly ||
      s instanceof z.ZodCatch ||
      s instanceof z.ZodNonOptional
    ) {
      s = s.unwrap() as z.ZodType;
    } else if (s instanceof z.ZodPipe) {
      s = s.in as z.ZodType;
    } else {
      return { type: s, description: d };
    }
  }
}

/** The schema at `path` below `root`; `type` undefined where the path leaves the schema. */
function schemaAt(root: z.ZodType, path: Path): Node {
  let node = unwrap(root);
  for (const part of path) {
    const t = node.type;
    let next: z.ZodType | undefined;
    if (t instanceof z.ZodObject && typeof part === 'string') next = (t.shape as Record<string, z.ZodType>)[part];
    else if (t instanceof z.ZodArray && typeof part === 'number') next = t.element as z.ZodType;
    else if (t instanceof z.ZodRecord) next = t.valueType as z.ZodType;
    node = unwrap(next);
  }
  return node;
}

function valueAt(raw: unknown, path: Path): unknown {
  let v = raw;
  for (const part of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[part];
  }
  return v;
}

/** Optimal string alignment distance: edits, counting a swap of neighbours as one. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The allowed name closest to `name`, if it is close enough to be a typo (case ignored). */
export function closest(name: string, allowed: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.min(3, Math.floor(name.length / 3)));
  let best: { key: string; d: number } | undefined;
  for (const key of allowed) {
    const d = editDistance(name.toLowerCase(), key.toLowerCase());
    if (d <= limit && (!best || d < best.d)) best = { key, d };
  }
  return best?.key;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
};

function typeWords(expected: string): string {
  return TYPE_WORDS[expected] ?? expected;
}

function received(v: unknown): string {
  if (v === null) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return 'text';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return typeof v === 'number' ? 'a number' : typeof v;
}

const withWhat = (d: string | undefined) => (d ? `: ${d}` : '');
/** zod's built-in wording, as opposed to a message written in our schema. */
const isZodDefault = (message: string) => /^(Invalid|Too (small|big)|Unrecognized|Expected)/.test(message);

/** The sentence after the path, for one issue whose value at the path is `value`. */
function predicate(issue: z.core.$ZodIssue, node: Node, value: unknown): string {
  const what = node.description;
  if (value === undefined && issue.code !== 'custom') return `is missing${withWhat(what)}`;
  switch (issue.code) {
    case 'invalid_type':
      if (value === null) return `is empty${withWhat(what)}`;
      return `must be ${typeWords(issue.expected)}, not ${received(value)}${withWhat(what)}`;
    case 'invalid_union': {
      // A branch whose type matched failed a finer check: that is the problem to tell.
      const matched = issue.errors.find((branch) => branch.length > 0 && !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0));
      if (matched?.[0]) return predicate(matched[0], node, value);
      const expected = issue.errors.flatMap((b) =>
        b.filter((i) => i.code === 'invalid_type').map((i) => typeWords((i as z.core.$ZodIssueInvalidType).expected)),
      );
      return `must be ${[...new Set(expected)].join(' or ') || 'something else'}, not ${received(value)}${withWhat(what)}`;
    }
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}${withWhat(what)}`;
    case 'too_small': {
      if (!isZodDefault(issue.message)) return issue.message;
      const min = String(issue.minimum);
      if (issue.origin === 'string') return issue.minimum === 1 ? `is empty${withWhat(what)}` : `must have at least ${min} characters${withWhat(what)}`;
      if (issue.origin === 'array' || issue.origin === 'set') return `must list at least ${min}${withWhat(what)}`;
      return `must be ${issue.inclusive === false ? 'more than' : 'at least'} ${min}${withWhat(what)}`;
    }
    case 'too_big': {
      if (!isZodDefault(issue.message)) return issue.message;
      const max = String(issue.maximum);
      if (issue.origin === 'string') return `must have at most ${max} characters${withWhat(what)}`;
      if (issue.origin === 'array' || issue.origin === 'set') return `must list at most ${max}${withWhat(what)}`;
      return `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${max}${withWhat(what)}`;
    }
    case 'invalid_format':
      return isZodDefault(issue.message) ? `must be a valid ${issue.format}${withWhat(what)}` : issue.message;
    default:
      return isZodDefault(issue.message) ? `is not valid${withWhat(what)}` : issue.message;
  }
}

export interface Problem {
  /** `repos[0].sync.job`, or an environment variable's name. */
  path: string;
  /** The plain-words sentence that follows the path. */
  text: string;
}

/**
 * One problem per key and per path: an unknown key is named with the closest allowed
 * key at its level; a path with several issues (a value failing two checks) is told once.
 */
export function describeIssues(error: z.ZodError, root: z.ZodType, raw: unknown): Problem[] {
  const problems: Problem[] = [];
  const told = new Set<string>();
  const add = (path: Path, text: string, custom = false) => {
    const p = issuePath(path);
    const key = custom ? `${p}\0${text}` : p;
    if (told.has(key)) return;
    told.add(key);
    problems.push({ path: p || '(top level)', text });
  };
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const parent = schemaAt(root, issue.path).type;
      const allowed = parent instanceof z.ZodObject ? Object.keys(parent.shape as object) : [];
      for (const key of issue.keys) {
        const guess = closest(key, allowed);
        add(
          [...issue.path, key],
          guess ? `is not a known key; did you mean \`${guess}\`?` : `is not a known key (known here: ${allowed.map((k) => `\`${k}\``).join(', ')})`,
        );
      }
      continue;
    }
    add(issue.path, predicate(issue, schemaAt(root, issue.path), valueAt(raw, issue.path)), issue.code === 'custom');
  }
  return problems;
}

/** `path` quoted, then the sentence: "`repos[0].sync.job` is missing: …". */
export function problemLine(p: Problem, prefix = ''): string {
  return `${prefix}\`${p.path}\` ${p.text}`;
}
