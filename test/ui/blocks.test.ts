import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  actions,
  button,
  code,
  codeBlock,
  context,
  divider,
  fields,
  fitMessage,
  header,
  link,
  mrkdwnEscape,
  section,
  splitMrkdwn,
  truncate,
  type KnownBlock,
} from '../../src/ui/blocks.js';
import { limitProblems, mrkdwnProblems } from './slackLimits.js';

const msg = (blocks: KnownBlock[]) => ({ text: 'fallback', blocks });
const textOf = (b: KnownBlock | undefined): string | undefined => {
  const t = (b as { text?: unknown } | undefined)?.text;
  return typeof t === 'object' && t !== null && 'text' in t && typeof t.text === 'string' ? t.text : undefined;
};

describe('text helpers', () => {
  test('mrkdwnEscape escapes exactly &, < and >', () => {
    assert.equal(mrkdwnEscape('a & b <c> *d* `e`'), 'a &amp; b &lt;c&gt; *d* `e`');
  });
  test('link escapes the label and encodes what would end the link in the URL', () => {
    assert.equal(link('https://x.test/a b|c>', 'R&D <v1>'), '<https://x.test/a%20b%7Cc%3E|R&amp;D &lt;v1&gt;>');
    assert.equal(link('https://x.test/'), '<https://x.test/>');
  });
  test('code defuses backticks and newlines', () => {
    assert.equal(code('a`b\nc<'), '`aˋb c&lt;`');
    assert.equal(mrkdwnProblems(code(''), 'x').length, 0);
  });
  test('codeBlock keeps its fences balanced whatever the lines hold', () => {
    const b = codeBlock(['```', 'x <y>']);
    assert.deepEqual(mrkdwnProblems(b, 'b'), []);
    assert.match(b, /x &lt;y&gt;/);
  });
  test('truncate cuts with an ellipsis and never inside a link or an entity', () => {
    assert.equal(truncate('short', 10), 'short');
    assert.equal(truncate('abcdefghij', 5), 'abcd…');
    const linked = `see ${link('https://example.com/very/long/path', 'label')} now`;
    const t = truncate(linked, 20);
    assert.equal(t, 'see …');
    assert.equal(truncate('a &amp; b', 5), 'a …');
  });
  test('truncate closes a code fence it cut open', () => {
    const t = truncate(`\`\`\`\n${'x'.repeat(100)}\n\`\`\``, 50);
    assert.ok(t.length <= 50);
    assert.deepEqual(mrkdwnProblems(t, 't'), []);
  });
});

describe('builders', () => {
  test('header: plain text, one line, at most 150 characters', () => {
    const h = header(`Sync\nstatus ${'x'.repeat(300)}`);
    assert.equal(h.type, 'header');
    assert.equal(h.text.type, 'plain_text');
    assert.equal(h.text.text.length, 150);
    assert.ok(h.text.text.startsWith('Sync status '));
  });

  test('section: short text is one block; empty text is none', () => {
    assert.deepEqual(section('*hi*'), [{ type: 'section', text: { type: 'mrkdwn', text: '*hi*' } }]);
    assert.deepEqual(section('  \n '), []);
  });

  test('section: long text is split at line boundaries, nothing lost', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `${String(i).padStart(3, '0')} ${'y'.repeat(95)}`);
    const text = lines.join('\n');
    const blocks = section(text);
    assert.equal(blocks.length, 4);
    const pieces = blocks.map(textOf);
    assert.ok(pieces.every((p) => p !== undefined && p.length <= 3000));
    assert.equal(pieces.join('\n'), text);
    assert.deepEqual(limitProblems(msg(blocks)), []);
  });

  test('section: a single huge line is cut at spaces, nothing lost', () => {
    const words = Array.from({ length: 2000 }, (_, i) => `w${i}`).join(' ');
    const pieces = section(words).map(textOf) as string[];
    assert.ok(pieces.length > 1);
    assert.ok(pieces.every((p) => p.length <= 3000));
    assert.equal(pieces.join(''), words);
    assert.ok(pieces.slice(0, -1).every((p) => p.endsWith(' ')));
  });

  test('section: a code block split in two is closed and reopened', () => {
    const text = `*Log*\n${codeBlock(Array.from({ length: 200 }, (_, i) => `line ${i} ${'z'.repeat(40)}`))}\nafter`;
    const blocks = section(text);
    assert.ok(blocks.length >= 3);
    for (const [i, b] of blocks.entries()) assert.deepEqual(mrkdwnProblems(textOf(b) ?? '', `piece ${i}`), []);
    assert.match(textOf(blocks[1]) ?? '', /^```\nline/);
  });

  test('section: the accessory goes on the first piece only', () => {
    const b = button({ text: 'Open', actionId: 'open' });
    const blocks = section('x\n'.repeat(4000), { accessory: b });
    assert.deepEqual(blocks[0]?.accessory, b);
    assert.equal(blocks[1]?.accessory, undefined);
  });

  test('fields: at most 10 per section, each at most 2000 characters, empty ones dropped', () => {
    const items = [...Array.from({ length: 24 }, (_, i) => `*f${i}*\n${'v'.repeat(i === 3 ? 5000 : 10)}`), ''];
    const blocks = fields(items, { text: 'title' });
    assert.deepEqual(
      blocks.map((b) => b.fields?.length),
      [10, 10, 4],
    );
    assert.equal(textOf(blocks[0]), 'title');
    assert.equal(blocks[0]?.fields?.[3]?.text.length, 2000);
    assert.deepEqual(limitProblems(msg(blocks)), []);
  });

  test('fields without items still shows the text', () => {
    assert.deepEqual(fields([], { text: 'only' }), [{ type: 'section', text: { type: 'mrkdwn', text: 'only' } }]);
  });

  test('context: at most 10 elements, never empty', () => {
    assert.equal(context(...Array.from({ length: 12 }, (_, i) => `e${i}`)).elements.length, 10);
    assert.equal(context('').elements.length, 1);
    assert.deepEqual(limitProblems(msg([context('x'.repeat(5000))])), []);
  });

  test('button: label truncated; overlong value, url or action_id throw', () => {
    const b = button({ text: 'L'.repeat(100), actionId: 'a', value: 'v', style: 'primary' });
    assert.equal(b.text.text.length, 75);
    assert.deepEqual([b.action_id, b.value, b.style], ['a', 'v', 'primary']);
    assert.throws(() => button({ text: 'x', actionId: 'a', value: 'v'.repeat(2001) }), RangeError);
    assert.throws(() => button({ text: 'x', actionId: 'a'.repeat(256) }), RangeError);
    assert.throws(() => button({ text: 'x', actionId: '' }), RangeError);
    assert.throws(() => button({ text: 'x', actionId: 'a', url: `https://x/${'u'.repeat(3000)}` }), RangeError);
  });

  test('actions: at most 25 elements; duplicate action_ids throw', () => {
    const many = Array.from({ length: 30 }, (_, i) => button({ text: `b${i}`, actionId: `a${i}` }));
    assert.equal(actions(many).elements.length, 25);
    assert.throws(() => actions([button({ text: 'x', actionId: 'same' }), button({ text: 'y', actionId: 'same' })]), RangeError);
  });
});

describe('fitMessage', () => {
  const sections = (n: number) => Array.from({ length: n }, (_, i) => section(`s${i}`)[0] as KnownBlock);
  const share = actions([button({ text: 'Share in channel', actionId: 'share' })]);

  test('leaves a message within the limit untouched', () => {
    const blocks = [...sections(49), share];
    assert.deepEqual(fitMessage(blocks), blocks);
  });

  test('replaces the overflow by one context line and keeps the final actions block', () => {
    const fitted = fitMessage([...sections(80), share]);
    assert.equal(fitted.length, 50);
    assert.deepEqual(fitted.at(-1), share);
    assert.deepEqual(fitted.at(-2), context('… 32 more sections omitted'));
    assert.equal(textOf(fitted[47]), 's47');
  });

  test('does not leave a divider dangling before the note; counts only real sections', () => {
    const blocks = [...sections(48), divider(), ...sections(10)];
    const fitted = fitMessage(blocks, 50);
    assert.equal(fitted.length, 49);
    assert.equal(fitted.filter((b) => b.type === 'divider').length, 0);
    assert.deepEqual(fitted.at(-1), context('… 10 more sections omitted'));
  });

  test('property: any number of blocks fits, with the actions block last', () => {
    const block = fc.oneof(
      fc.string().map((s) => section(`x${s}`)[0] as KnownBlock),
      fc.constant(divider() as KnownBlock),
      fc.string().map((s) => context(s) as KnownBlock),
    );
    fc.assert(
      fc.property(fc.array(block, { maxLength: 200 }), fc.boolean(), fc.integer({ min: 3, max: 60 }), (blocks, withActions, max) => {
        const input = withActions ? [...blocks, share] : blocks;
        const fitted = fitMessage(input, max);
        assert.ok(fitted.length <= max);
        if (withActions) assert.deepEqual(fitted.at(-1), share);
        if (input.length <= max) assert.deepEqual(fitted, input);
      }),
    );
  });
});

describe('properties of section and truncate on arbitrary text', () => {
  // Big inputs make shrinking a failure slow: bound it (a found failure still fails the test).
  const budget = { interruptAfterTimeLimit: 30_000 };
  // Lines, links, entities, fences, astral characters: what breaks naive splitting.
  const piece = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 400, size: 'max' }),
    fc.string({ maxLength: 5000, size: 'max' }),
    fc.constantFrom('\n', '```', '```\n', '&amp;', '&lt;', ' ', '😀'.repeat(50)),
    fc.tuple(fc.webUrl(), fc.string({ maxLength: 50 })).map(([u, l]) => link(u, l)),
  );
  const longText = fc.array(piece, { maxLength: 60, size: 'medium' }).map((parts) => parts.join(''));

  test('the generators do produce texts over the limits', () => {
    const lengths = fc.sample(longText, { numRuns: 200, seed: 42 }).map((t) => t.length);
    assert.ok(lengths.filter((n) => n > 3000).length > 20, `only ${lengths.filter((n) => n > 3000).length} long texts`);
  });

  test('section never exceeds 3000 characters nor makes an empty block', () => {
    fc.assert(
      fc.property(longText, (text) => {
        for (const b of section(text)) {
          const t = textOf(b) ?? '';
          assert.ok(t.length > 0 && t.length <= 3000, `length ${t.length}`);
          assert.ok(t.trim() !== '');
        }
      }),
      { numRuns: 300, ...budget },
    );
  });

  test('section of escaped text: every piece is well-formed mrkdwn (links, entities, fences intact)', () => {
    const safe = fc.array(
      fc.oneof(
        fc.string({ unit: 'binary', maxLength: 3000, size: 'max' }).map((s) => mrkdwnEscape(s.replace(/`/g, "'"))),
        fc.tuple(fc.webUrl(), fc.string({ maxLength: 40 })).map(([u, l]) => link(u, l)),
        fc.array(fc.string({ maxLength: 200, size: 'max' }), { maxLength: 40, size: 'max' }).map((lines) => codeBlock(lines)),
        fc.constantFrom('\n', ' '),
      ),
      { maxLength: 30, size: 'medium' },
    );
    fc.assert(
      fc.property(safe, (parts) => {
        const text = parts.join('');
        section(text).forEach((b, i) => assert.deepEqual(mrkdwnProblems(textOf(b) ?? '', `piece ${i}`), []));
      }),
      { numRuns: 200, ...budget },
    );
  });

  test('splitMrkdwn without fences loses nothing but whitespace-only pieces', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20_000, size: 'max' }), fc.integer({ min: 50, max: 3000 }), (s, max) => {
        const text = s.replace(/`/g, '').replace(/\n/g, ' ');
        const pieces = splitMrkdwn(text, max);
        assert.ok(pieces.every((p) => p.length <= max));
        const visible = (t: string) => t.replace(/\s+/g, '');
        assert.equal(visible(pieces.join('')), visible(text));
      }),
      { numRuns: 200, ...budget },
    );
  });

  test('truncate never exceeds its limit', () => {
    fc.assert(
      fc.property(longText, fc.integer({ min: 10, max: 3000 }), (text, max) => {
        const t = truncate(text, max);
        assert.ok(t.length <= max);
        if (text.length <= max) assert.equal(t, text);
      }),
      { numRuns: 300, ...budget },
    );
  });
});
