/**
 * A strict parser of Prometheus' text exposition format (0.0.4), for tests: every line must be a HELP or TYPE
 * comment or a well-formed sample; names, labels, escapes and values follow the grammar; a family's TYPE comes
 * before its samples, which are contiguous; no series appears twice; counters are not negative; a histogram's
 * buckets are cumulative, end with +Inf, and +Inf equals its _count. Anything else throws, naming the line.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
export interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help?: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(v: string, where: string): number {
  // As Prometheus reads them (Go's ParseFloat): Inf and NaN in any case, prom-client writes `Nan`.
  if (/^\+?inf(inity)?$/i.test(v)) return Infinity;
  if (/^-inf(inity)?$/i.test(v)) return -Infinity;
  if (/^nan$/i.test(v)) return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v)) throw new Error(`${where}: "${v}" is not a number`);
  return Number(v);
}

function parseLabels(s: string, where: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let i = 1; // after '{'
  for (;;) {
    if (s[i] === '}') return { labels, rest: s.slice(i + 1) };
    const eq = s.indexOf('=', i);
    if (eq < 0) throw new Error(`${where}: label without '='`);
    const name = s.slice(i, eq);
    if (!LABEL.test(name)) throw new Error(`${where}: bad label name "${name}"`);
    if (name in labels) throw new Error(`${where}: label "${name}" twice`);
    if (s[eq + 1] !== '"') throw new Error(`${where}: label value of "${name}" is not quoted`);
    let value = '';
    let j = eq + 2;
    for (; j < s.length && s[j] !== '"'; j++) {
      if (s[j] === '\\') {
        const next = s[j + 1];
        if (next === '\\') value += '\\';
        else if (next === '"') value += '"';
        else if (next === 'n') value += '\n';
        else throw new Error(`${where}: bad escape "\\${next}" in label "${name}"`);
        j++;
      } else value += s[j];
    }
    if (j >= s.length) throw new Error(`${where}: unterminated label value`);
    labels[name] = value;
    i = j + 1;
    if (s[i] === ',') i++;
    else if (s[i] !== '}') throw new Error(`${where}: expected ',' or '}' after label "${name}"`);
  }
}

/** The family a sample belongs to: histogram and summary samples carry suffixes. */
function familyOf(sample: string, families: Map<string, Family>): Family | undefined {
  if (families.has(sample)) return families.get(sample);
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (sample.endsWith(suffix)) {
      const f = families.get(sample.slice(0, -suffix.length));
      if (f && (f.type === 'histogram' || f.type === 'summary')) return f;
    }
  }
  return undefined;
}

export function parsePrometheusText(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, Family>();
  const series = new Set<string>();
  let current: Family | undefined;
  const closed = new Set<string>();
  text
    .slice(0, -1)
    .split('\n')
    .forEach((line, n) => {
      const where = `line ${n + 1} (${line.slice(0, 80)})`;
      if (line === '') return; // the format allows (and ignores) empty lines
      if (line.startsWith('#')) {
        const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
        if (!m) throw new Error(`${where}: a comment other than HELP or TYPE`);
        const [, kind, name = '', rest = ''] = m;
        if (!NAME.test(name)) throw new Error(`${where}: bad metric name`);
        if (closed.has(name)) throw new Error(`${where}: ${name} appears again after other families`);
        let f = families.get(name);
        if (!f) {
          if (current && current.name !== name) closed.add(current.name);
          f = { name, type: 'untyped', samples: [] };
          families.set(name, f);
        }
        if (kind === 'TYPE') {
          if (!TYPES.has(rest)) throw new Error(`${where}: unknown type "${rest}"`);
          if (f.samples.length) throw new Error(`${where}: TYPE after samples`);
          f.type = rest as Family['type'];
        } else f.help = rest;
        current = f;
        return;
      }
      const nameEnd = line.search(/[{ ]/);
      if (nameEnd <= 0) throw new Error(`${where}: not a sample`);
      const name = line.slice(0, nameEnd);
      if (!NAME.test(name)) throw new Error(`${where}: bad metric name`);
      let rest = line.slice(nameEnd);
      let labels: Record<string, string> = {};
      if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, where));
      const parts = rest.split(' ');
      if (parts[0] !== '' || parts.length < 2 || parts.length > 3) throw new Error(`${where}: expected " value [timestamp]"`);
      const value = parseValue(parts[1] ?? '', where);
      if (parts[2] !== undefined && !/^-?\d+$/.test(parts[2])) throw new Error(`${where}: bad timestamp`);
      const family = familyOf(name, families) ?? { name, type: 'untyped' as const, samples: [] };
      if (!families.has(family.name)) families.set(family.name, family);
      if (current && current.name !== family.name) closed.add(current.name);
      if (closed.has(family.name)) throw new Error(`${where}: samples of ${family.name} are not contiguous`);
      current = family;
      const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
      if (series.has(key)) throw new Error(`${where}: series appears twice`);
      series.add(key);
      if (family.type === 'counter' && !(value >= 0)) throw new Error(`${where}: a counter below zero`);
      family.samples.push({ name, labels, value });
    });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

function checkHistogram(f: Family): void {
  const groups = new Map<string, { buckets: Array<[number, number]>; count?: number; sum?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const g = groups.get(key) ?? { buckets: [] };
    groups.set(key, g);
    if (s.name === `${f.name}_bucket`) {
      if (le === undefined) throw new Error(`${f.name}: a bucket without le`);
      g.buckets.push([parseValue(le, `${f.name} le`), s.value]);
    } else if (s.name === `${f.name}_count`) g.count = s.value;
    else if (s.name === `${f.name}_sum`) g.sum = s.value;
    else throw new Error(`${f.name}: unexpected sample ${s.name}`);
  }
  for (const [key, g] of groups) {
    const where = `${f.name}${key}`;
    if (g.count === undefined || g.sum === undefined) throw new Error(`${where}: _count or _sum missing`);
    const les = g.buckets.map(([le]) => le);
    if (les.at(-1) !== Infinity) throw new Error(`${where}: no +Inf bucket`);
    for (let i = 1; i < g.buckets.length; i++) {
      const [le, c] = g.buckets[i]!;
      const [ple, pc] = g.buckets[i - 1]!;
      if (!(le > ple)) throw new Error(`${where}: buckets not in increasing le`);
      if (c < pc) throw new Error(`${where}: buckets not cumulative`);
    }
    if (g.buckets.at(-1)![1] !== g.count) throw new Error(`${where}: +Inf bucket differs from _count`);
  }
}
