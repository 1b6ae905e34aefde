/**
 * An independent checker of what Slack refuses (`invalid_blocks`) or renders wrongly, used
 * on every message the tests render. It deliberately does not reuse src/ui/blocks.ts.
 */
import assert from 'node:assert/strict';

type Obj = Record<string, unknown>;

const LINKISH =
  /^<(?:(?:https?|mailto):[^|<>\s]+(?:\|[^<>]*)?|@[UW][A-Z0-9]+|#C[A-Z0-9]+(?:\|[^<>]*)?|!date\^\d+\^[^|<>]+\|[^<>]*|!(?:here|channel|everyone))>/;

/** Problems of one mrkdwn string: stray `<`/`>`/`&`, unbalanced code fences. */
export function mrkdwnProblems(text: string, where: string): string[] {
  const problems: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '<') {
      const m = LINKISH.exec(text.slice(i));
      if (!m) problems.push(`${where}: unescaped "<" at ${i}: ${JSON.stringify(text.slice(i, i + 40))}`);
      else i += m[0].length - 1;
    } else if (ch === '>') {
      problems.push(`${where}: unescaped ">" at ${i}: ${JSON.stringify(text.slice(Math.max(0, i - 40), i + 1))}`);
    } else if (ch === '&' && !/^&(?:amp|lt|gt);/.test(text.slice(i))) {
      problems.push(`${where}: unescaped "&" at ${i}`);
    }
  }
  if ((text.split('```').length - 1) % 2 !== 0) problems.push(`${where}: unbalanced code fence`);
  return problems;
}

function textOf(o: unknown, where: string, max: number, problems: string[], kind: 'mrkdwn' | 'plain_text' | 'any' = 'any') {
  if (typeof o !== 'object' || o === null) return problems.push(`${where}: missing text object`);
  const t = o as Obj;
  if (typeof t.text !== 'string') return problems.push(`${where}: text is not a string`);
  if (kind !== 'any' && t.type !== kind) problems.push(`${where}: type ${String(t.type)} (want ${kind})`);
  if (t.text.length === 0) problems.push(`${where}: empty text`);
  if (t.text.length > max) problems.push(`${where}: ${t.text.length} > ${max} chars`);
  if (t.type === 'mrkdwn') problems.push(...mrkdwnProblems(t.text, where));
  return undefined;
}

export function limitProblems(msg: { text: string; blocks: unknown[] }): string[] {
  const problems: string[] = [];
  if (msg.text.trim() === '') problems.push('fallback text is empty');
  if (msg.text.length > 40_000) problems.push('fallback text over 40000 chars');
  if (msg.blocks.length > 50) problems.push(`${msg.blocks.length} blocks > 50`);
  const actionIds: string[] = [];
  msg.blocks.forEach((raw, i) => {
    const b = raw as Obj;
    const at = `blocks[${i}](${String(b.type)})`;
    switch (b.type) {
      case 'header':
        textOf(b.text, at, 150, problems, 'plain_text');
        break;
      case 'section': {
        if (b.text === undefined && b.fields === undefined) problems.push(`${at}: neither text nor fields`);
        if (b.text !== undefined) textOf(b.text, `${at}.text`, 3000, problems);
        if (b.fields !== undefined) {
          const f = b.fields as unknown[];
          if (f.length === 0 || f.length > 10) problems.push(`${at}: ${f.length} fields`);
          f.forEach((x, j) => textOf(x, `${at}.fields[${j}]`, 2000, problems));
        }
        break;
      }
      case 'context': {
        const els = b.elements as unknown[];
        if (els.length === 0 || els.length > 10) problems.push(`${at}: ${els.length} elements`);
        els.forEach((x, j) => textOf(x, `${at}.elements[${j}]`, 3000, problems));
        break;
      }
      case 'divider':
        break;
      case 'actions': {
        const els = b.elements as Obj[];
        if (els.length === 0 || els.length > 25) problems.push(`${at}: ${els.length} elements`);
        for (const [j, e] of els.entries()) {
          if (e.type === 'button') {
            textOf(e.text, `${at}.elements[${j}]`, 75, problems, 'plain_text');
            if (typeof e.value === 'string' && e.value.length > 2000) problems.push(`${at}.elements[${j}]: value too long`);
          }
          if (typeof e.action_id === 'string') {
            if (e.action_id.length > 255) problems.push(`${at}.elements[${j}]: action_id too long`);
            actionIds.push(e.action_id);
          }
        }
        break;
      }
      default:
        problems.push(`${at}: unexpected block type`);
    }
  });
  if (new Set(actionIds).size !== actionIds.length) problems.push(`duplicate action_id among ${actionIds.join(', ')}`);
  return problems;
}

export function assertWithinLimits(msg: { text: string; blocks: unknown[] }): void {
  assert.deepEqual(limitProblems(msg), []);
}

/** All the visible mrkdwn/plain text of a message, for "does it say X" assertions. */
export function allText(msg: { text: string; blocks: unknown[] }): string {
  const out: string[] = [];
  const walk = (o: unknown) => {
    if (Array.isArray(o)) o.forEach(walk);
    else if (o && typeof o === 'object') {
      const r = o as Obj;
      if (typeof r.text === 'string') out.push(r.text);
      for (const [k, v] of Object.entries(r)) if (k !== 'text' || typeof v !== 'string') walk(v);
    }
  };
  walk(msg.blocks);
  return out.join('\n');
}
