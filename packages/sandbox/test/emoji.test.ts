import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';

// Every emoji shortcode the bot's text uses must render on the sandbox page (as a character or a drawing);
// an unknown one would show as `:alarm_clock:` there.
test('the sandbox page can draw every emoji the bot uses', () => {
  const ui = new URL('../../../src/ui/', import.meta.url);
  const used = new Set<string>();
  for (const f of readdirSync(ui).filter((n) => n.endsWith('.ts'))) {
    for (const m of readFileSync(new URL(f, ui), 'utf8').matchAll(/:([a-z0-9_+-]+):/g)) used.add(m[1]!);
  }
  const page = readFileSync(new URL('../src/ui/page.html', import.meta.url), 'utf8');
  const table = /const EMOJI = \{([\s\S]*?)\n {2}\};/.exec(page)?.[1] ?? '';
  const drawn = new Set([...table.matchAll(/^ {4}([a-z0-9_]+): \[/gm)].map((m) => m[1]!));
  assert.ok(used.size > 10 && drawn.size > 10, `found ${used.size} used and ${drawn.size} drawn`);
  assert.deepEqual([...used].filter((e) => !drawn.has(e)).sort(), []);
});
