import type { types } from '@slack/bolt';

/**
 * Block Kit builders that keep Slack's limits by construction, so no message of the bot
 * is ever refused with `invalid_blocks` because a log line or a tag list was long: long
 * section text is split, fields are chunked, everything else is truncated safely (never
 * inside a link, an entity or a surrogate pair; an open code fence is closed).
 */

export type KnownBlock = types.KnownBlock;
export type ModalView = types.ModalView;
export type SectionBlock = types.SectionBlock;
export type HeaderBlock = types.HeaderBlock;
export type ContextBlock = types.ContextBlock;
export type DividerBlock = types.DividerBlock;
export type ActionsBlock = types.ActionsBlock;
export type Button = types.Button;
export type SectionBlockAccessory = NonNullable<types.SectionBlock['accessory']>;
export type ActionsBlockElement = types.ActionsBlockElement;

export const LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  fieldsPerSection: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 3000,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  actionId: 255,
  actionsElements: 25,
  /** Slack accepts 40 000 but truncates notifications long before; keep the fallback short. */
  fallbackText: 3000,
} as const;

const FENCE = '```';

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function mrkdwnEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `<url|label>`; the label is escaped, characters that would end the link are encoded in the URL. */
export function link(url: string, label?: string): string {
  const safeUrl = url.replace(/[\s|<>]/g, (c) => encodeURIComponent(c));
  if (label === undefined || label === '') return `<${safeUrl}>`;
  return `<${safeUrl}|${mrkdwnEscape(label.replace(/\s+/g, ' '))}>`;
}

/** Inline code; a backtick inside would end the span, so it becomes a look-alike. */
export function code(text: string): string {
  const inner = mrkdwnEscape(text.replace(/\s+/g, ' ')).replace(/`/g, 'ˋ');
  return `\`${inner === '' || inner === ' ' ? '\u00a0' : inner}\``;
}

/** A fenced code block of raw lines (escaped, fences inside defused). */
export function codeBlock(lines: readonly string[]): string {
  const body = lines.map((l) => mrkdwnEscape(l).replace(/```/g, 'ˋˋˋ')).join('\n');
  return `${FENCE}\n${body === '' ? ' ' : body}\n${FENCE}`;
}

/**
 * The largest index <= `max` at which `text` can be cut without breaking a `<…>` link,
 * an `&…;` entity, a run of backticks or a surrogate pair. With `soft`, prefers a space in
 * the last half (the checks after it still apply: a space inside a link label is no place).
 */
function safeCut(text: string, max: number, soft = false): number {
  if (text.length <= max) return text.length;
  let cut = Math.max(0, max);
  if (soft) {
    const space = text.lastIndexOf(' ', cut - 1);
    if (space > cut / 2) cut = space + 1;
  }
  // Inside `<url|label>`: cut before it (unless the link alone is longer than `max`).
  const open = text.lastIndexOf('<', cut - 1);
  if (open > 0 && text.lastIndexOf('>', cut - 1) < open) cut = open;
  // Inside `&amp;`, `&lt;`, `&#123;`: cut before it.
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp > 0 && cut - amp < 8 && /^&[a-z0-9#]*$/i.test(text.slice(amp, cut)) && /^&[a-z0-9#]+;/i.test(text.slice(amp))) {
    cut = amp;
  }
  // Never split a run of backticks (a code fence) or a surrogate pair.
  while (cut > 1 && text.charAt(cut - 1) === '`' && text.charAt(cut) === '`') cut -= 1;
  if (cut > 0 && /[\uD800-\uDBFF]/.test(text.charAt(cut - 1))) cut -= 1;
  return cut;
}

const countFences = (s: string) => s.split(FENCE).length - 1;

/** `text` cut to `max` characters with `…`, keeping links, entities and code fences whole. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = `${text.slice(0, safeCut(text, max - 1))}…`;
  if (countFences(out) % 2 === 1) out = `${text.slice(0, safeCut(text, max - 5))}…\n${FENCE}`;
  return out;
}

/**
 * Splits mrkdwn into pieces of at most `max` characters, at line boundaries where it can
 * (a single overlong line is cut at a space, or anywhere safe). A code block cut in two is
 * closed at the end of one piece and reopened at the start of the next. Whitespace-only
 * pieces are dropped (Slack refuses empty text).
 */
export function splitMrkdwn(text: string, max: number = LIMITS.sectionText): string[] {
  if (text.length <= max) return text.trim() === '' ? [] : [text];
  const budget = max - 2 * (FENCE.length + 1);
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    let rest = line;
    while (rest.length > budget) {
      const cut = Math.max(1, safeCut(rest, budget, true));
      lines.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    lines.push(rest);
  }
  const chunks: string[] = [];
  let current: string | null = null;
  for (const line of lines) {
    if (current !== null && current.length + 1 + line.length <= budget) current += `\n${line}`;
    else {
      if (current !== null) chunks.push(current);
      current = line;
    }
  }
  if (current !== null) chunks.push(current);
  const out: string[] = [];
  let inFence = false;
  for (const chunk of chunks) {
    const opens = inFence;
    if (countFences(chunk) % 2 === 1) inFence = !inFence;
    const piece = `${opens ? `${FENCE}\n` : ''}${chunk}${inFence ? `\n${FENCE}` : ''}`;
    if (chunk.trim() !== '') out.push(piece);
  }
  return out;
}

/** A one-line plain-text title, at most 150 characters. */
export function header(text: string): HeaderBlock {
  const t = truncate(text.replace(/\s+/g, ' ').trim(), LIMITS.headerText);
  return { type: 'header', text: { type: 'plain_text', text: t === '' ? '…' : t, emoji: true } };
}

/** One or more sections (text over 3000 characters is split); the accessory goes on the first. */
export function section(text: string, o: { accessory?: SectionBlockAccessory } = {}): SectionBlock[] {
  return splitMrkdwn(text, LIMITS.sectionText).map((t, i) => ({
    type: 'section',
    text: { type: 'mrkdwn', text: t },
    ...(i === 0 && o.accessory ? { accessory: o.accessory } : {}),
  }));
}

/** Two-column fields, 10 per section, each at most 2000 characters; an optional text above them. */
export function fields(items: readonly string[], o: { text?: string } = {}): SectionBlock[] {
  const kept = items.filter((f) => f.trim() !== '').map((f) => truncate(f, LIMITS.fieldText));
  const out: SectionBlock[] = [];
  for (let i = 0; i < kept.length; i += LIMITS.fieldsPerSection) {
    out.push({
      type: 'section',
      fields: kept.slice(i, i + LIMITS.fieldsPerSection).map((t) => ({ type: 'mrkdwn', text: t })),
    });
  }
  const title = o.text?.trim() ? truncate(o.text, LIMITS.sectionText) : undefined;
  if (title !== undefined) {
    const first = out[0];
    if (first) first.text = { type: 'mrkdwn', text: title };
    else out.push({ type: 'section', text: { type: 'mrkdwn', text: title } });
  }
  return out;
}

/** Small grey lines; at most 10 elements of at most 3000 characters. */
export function context(...elements: string[]): ContextBlock {
  const kept = elements.filter((e) => e.trim() !== '').slice(0, LIMITS.contextElements);
  return {
    type: 'context',
    elements: (kept.length > 0 ? kept : ['\u00a0']).map((t) => ({ type: 'mrkdwn', text: truncate(t, LIMITS.contextText) })),
  };
}

export function divider(): DividerBlock {
  return { type: 'divider' };
}

/**
 * A button. The label is truncated; an overlong `value`, `url` or `actionId` is a bug in
 * the caller (cutting it would corrupt what the handler receives), so it throws.
 */
export function button(o: {
  text: string;
  actionId: string;
  value?: string;
  url?: string;
  style?: 'primary' | 'danger';
  /** A dialog Slack shows before the click counts. */
  confirm?: { title: string; text: string; confirm: string; deny?: string };
}): Button {
  if (o.actionId === '' || o.actionId.length > LIMITS.actionId) throw new RangeError(`action_id must be 1..${LIMITS.actionId} characters`);
  if (o.value !== undefined && o.value.length > LIMITS.buttonValue) throw new RangeError(`button value exceeds ${LIMITS.buttonValue} characters`);
  if (o.url !== undefined && o.url.length > LIMITS.buttonUrl) throw new RangeError(`button url exceeds ${LIMITS.buttonUrl} characters`);
  const label = truncate(o.text.replace(/\s+/g, ' ').trim(), LIMITS.buttonText) || '…';
  return {
    type: 'button',
    text: { type: 'plain_text', text: label, emoji: true },
    action_id: o.actionId,
    ...(o.value !== undefined ? { value: o.value } : {}),
    ...(o.url !== undefined ? { url: o.url } : {}),
    ...(o.style ? { style: o.style } : {}),
    ...(o.confirm
      ? {
          confirm: {
            title: { type: 'plain_text' as const, text: truncate(o.confirm.title, 100) },
            text: { type: 'mrkdwn' as const, text: truncate(o.confirm.text, 300) },
            confirm: { type: 'plain_text' as const, text: truncate(o.confirm.confirm, 30) },
            deny: { type: 'plain_text' as const, text: truncate(o.confirm.deny ?? 'Not now', 30) },
            ...(o.style === 'danger' ? { style: 'danger' as const } : {}),
          },
        }
      : {}),
  };
}

/** Interactive elements (at most 25); two elements with one action_id is a caller bug and throws. */
export function actions(elements: readonly ActionsBlockElement[], o: { blockId?: string } = {}): ActionsBlock {
  const ids = elements.map((e) => e.action_id).filter((id): id is string => id !== undefined);
  if (new Set(ids).size !== ids.length) throw new RangeError('duplicate action_id in an actions block');
  return {
    type: 'actions',
    elements: elements.slice(0, LIMITS.actionsElements),
    ...(o.blockId ? { block_id: o.blockId } : {}),
  };
}

/**
 * Keeps a message within `max` blocks: the overflow is replaced by one context line
 * "… N more sections omitted", and a final actions block (the buttons) is always kept.
 */
export function fitMessage(blocks: readonly KnownBlock[], max: number = LIMITS.blocksPerMessage): KnownBlock[] {
  if (blocks.length <= max) return [...blocks];
  const limit = Math.max(2, max);
  const last = blocks[blocks.length - 1];
  const tail = last && last.type === 'actions' && limit >= 3 ? [last] : [];
  const head = blocks.slice(0, limit - tail.length - 1);
  while (head.length > 0 && head[head.length - 1]?.type === 'divider') head.pop();
  const omitted = blocks.slice(head.length, blocks.length - tail.length);
  const n = omitted.filter((b) => b.type !== 'divider').length;
  if (n === 0) return [...head, ...tail];
  return [...head, context(`… ${n} more section${n === 1 ? '' : 's'} omitted`), ...tail];
}

/** A modal that only says something (what a submitted form turns into), with a Close button. */
export function noticeModal(o: { callbackId: string; title: string; text: string }): ModalView {
  return {
    type: 'modal',
    callback_id: o.callbackId,
    title: { type: 'plain_text', text: truncate(o.title, 24) },
    close: { type: 'plain_text', text: 'Close' },
    blocks: section(o.text),
  };
}
