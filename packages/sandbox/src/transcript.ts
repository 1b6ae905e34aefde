import type { StoredMessage } from '@chatops/fake-slack/workspace.js';

/**
 * Block Kit as readable plain text, for the tour's transcript: what a person would
 * read in Slack, without the markup. Links become "label (url)", mentions "@name",
 * dates their fallback text; buttons are shown as [ Label ].
 */

type Obj = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const textOf = (t: unknown): string => str((t as Obj | undefined)?.text);

export function plainMrkdwn(s: string, names: Record<string, string> = {}): string {
  return s
    .replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, '$1')
    .replace(/<@([A-Z0-9]+)>/g, (_m, id: string) => `@${names[id] ?? id}`)
    .replace(/<#([A-Z0-9]+)(?:\|([^>]*))?>/g, (_m, id: string, label?: string) => `#${label ?? (id === 'C0RELEASES1' ? 'releases' : id)}`)
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<(https?:[^>]+)>/g, '$1')
    .replace(/```\n?/g, '')
    .replace(/(^|[\s(])\*([^*\n]+)\*/g, '$1$2')
    .replace(/(^|[\s(])_([^_\n]+)_/g, '$1$2')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export function blocksToLines(blocks: readonly unknown[], names: Record<string, string> = {}): string[] {
  const lines: string[] = [];
  const md = (s: string) => plainMrkdwn(s, names);
  for (const raw of blocks) {
    const b = raw as Obj;
    switch (b.type) {
      case 'header':
        lines.push(`== ${textOf(b.text)} ==`);
        break;
      case 'section': {
        if (b.text) lines.push(...md(textOf(b.text)).split('\n'));
        for (const f of (b.fields as Obj[] | undefined) ?? []) lines.push(`  ${md(str(f.text)).replace(/\n/g, ': ')}`);
        const acc = b.accessory as Obj | undefined;
        if (acc?.type === 'button') lines.push(`  [ ${textOf(acc.text)} ]`);
        break;
      }
      case 'context':
        lines.push(`  ~ ${((b.elements as Obj[] | undefined) ?? []).map((e) => md(str(e.text))).join(' · ')}`);
        break;
      case 'divider':
        lines.push('  ---');
        break;
      case 'actions':
        lines.push(`  ${((b.elements as Obj[] | undefined) ?? []).map((e) => `[ ${textOf(e.text)} ]`).join(' ')}`);
        break;
      case 'input':
        lines.push(`  ${textOf(b.label)}: [____________]`);
        break;
      default:
        break;
    }
  }
  return lines;
}

/** One message as a block of lines, marked when only one person sees it. */
export function messageLines(m: StoredMessage, names: Record<string, string> = {}): string[] {
  const who = names[m.user] ?? m.user;
  const mark = m.ephemeralTo ? ` (only visible to ${names[m.ephemeralTo] ?? m.ephemeralTo})` : '';
  const body = m.blocks?.length ? blocksToLines(m.blocks, names) : plainMrkdwn(m.text ?? '', names).split('\n');
  return [`${who}${mark}${m.edited ? ' (edited)' : ''}:`, ...body.map((l) => `  ${l}`)];
}

/** A modal as a boxed form. */
export function modalLines(view: Obj, names: Record<string, string> = {}): string[] {
  const body = blocksToLines((view.blocks as unknown[] | undefined) ?? [], names);
  const title = textOf(view.title);
  const width = Math.max(title.length + 4, ...body.map((l) => l.length + 4), 30);
  const line = (s: string) => `| ${s.padEnd(width - 4)} |`;
  const submit = textOf(view.submit);
  return [
    `+${'-'.repeat(width - 2)}+`,
    line(title),
    `|${'-'.repeat(width - 2)}|`,
    ...body.map(line),
    ...(submit ? [line(`[ ${submit} ]`)] : []),
    `+${'-'.repeat(width - 2)}+`,
  ];
}

/** Buttons on a message or view, for the tour to click. */
export function buttonsOf(blocks: readonly unknown[] | undefined): Array<{ actionId: string; value?: string; text: string }> {
  const out: Array<{ actionId: string; value?: string; text: string }> = [];
  for (const raw of blocks ?? []) {
    const b = raw as Obj;
    const els = b.type === 'actions' ? ((b.elements as Obj[] | undefined) ?? []) : b.type === 'section' && b.accessory ? [b.accessory as Obj] : [];
    for (const e of els)
      if (e.type === 'button' && typeof e.action_id === 'string')
        out.push({ actionId: e.action_id, ...(typeof e.value === 'string' ? { value: e.value } : {}), text: textOf(e.text) });
  }
  return out;
}
