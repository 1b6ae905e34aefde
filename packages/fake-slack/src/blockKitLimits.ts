/**
 * Block Kit limits as Slack enforces them on chat.*, response_url and views.*.
 *
 * Each problem reads like the `[ERROR] …` lines Slack puts in
 * `response_metadata.messages` (without the `[ERROR] ` prefix), ending with the
 * JSON pointer of the offending field, e.g.
 * `must be less than 3001 characters [json-pointer:/blocks/0/text/text]`.
 *
 * The fake Slack rejects what this finds, so a message the bot builds that Slack
 * would refuse fails in tests too. Exported so other tests can check builders directly.
 */

export type Surface = 'message' | 'modal' | 'home';

const MAX_BLOCKS: Record<Surface, number> = { message: 50, modal: 100, home: 100 };

const BLOCK_TYPES = new Set([
  'actions',
  'context',
  'context_actions',
  'divider',
  'file',
  'header',
  'image',
  'input',
  'markdown',
  'rich_text',
  'section',
  'table',
  'video',
]);

/** Interactive elements (actions / section accessory / input element). */
const ELEMENT_TYPES = new Set([
  'button',
  'channels_select',
  'checkboxes',
  'conversations_select',
  'datepicker',
  'datetimepicker',
  'email_text_input',
  'external_select',
  'feedback_buttons',
  'file_input',
  'icon_button',
  'image',
  'multi_channels_select',
  'multi_conversations_select',
  'multi_external_select',
  'multi_static_select',
  'multi_users_select',
  'number_input',
  'overflow',
  'plain_text_input',
  'radio_buttons',
  'rich_text_input',
  'static_select',
  'timepicker',
  'url_text_input',
  'users_select',
  'workflow_button',
]);

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Collects problems while walking one surface; `actionIds` is per containing block. */
class Walker {
  readonly problems: string[] = [];

  add(message: string, pointer: string): void {
    this.problems.push(`${message} [json-pointer:${pointer}]`);
  }

  maxChars(v: unknown, max: number, pointer: string): void {
    if (typeof v === 'string' && v.length > max) this.add(`must be less than ${max + 1} characters`, pointer);
  }

  maxItems(v: unknown[], max: number, pointer: string): void {
    if (v.length > max) this.add(`must be less than ${max + 1} items`, pointer);
  }

  /** A text object; `plainOnly` where Slack accepts only `plain_text`. */
  text(v: unknown, pointer: string, max: number, opts: { plainOnly?: boolean; required?: boolean } = {}): void {
    if (v === undefined) {
      if (opts.required) this.add('missing required field', pointer);
      return;
    }
    if (!isObj(v)) return this.add('must be a text object', pointer);
    if (opts.plainOnly ? v.type !== 'plain_text' : v.type !== 'plain_text' && v.type !== 'mrkdwn') {
      this.add(opts.plainOnly ? 'must be a plain_text object' : 'must be a plain_text or mrkdwn object', `${pointer}/type`);
    }
    if (typeof v.text !== 'string') return this.add('missing required field: text', `${pointer}/text`);
    if (v.text.length === 0) this.add('must be more than 0 characters', `${pointer}/text`);
    this.maxChars(v.text, max, `${pointer}/text`);
  }

  option(v: unknown, pointer: string): void {
    if (!isObj(v)) return this.add('must be an option object', pointer);
    this.text(v.text, `${pointer}/text`, 75, { required: true });
    this.maxChars(v.value, 150, `${pointer}/value`);
    this.text(v.description, `${pointer}/description`, 75);
  }

  options(v: unknown, pointer: string, min: number, max: number): void {
    if (v === undefined) return;
    if (!Array.isArray(v)) return this.add('must be an array', pointer);
    if (v.length < min) this.add(`must be at least ${min} items`, pointer);
    this.maxItems(v, max, pointer);
    v.forEach((o, i) => this.option(o, `${pointer}/${i}`));
  }

  confirm(v: unknown, pointer: string): void {
    if (v === undefined) return;
    if (!isObj(v)) return this.add('must be a confirmation dialog object', pointer);
    this.text(v.title, `${pointer}/title`, 100, { plainOnly: true });
    this.text(v.text, `${pointer}/text`, 300, { required: true });
    this.text(v.confirm, `${pointer}/confirm`, 30, { plainOnly: true });
    this.text(v.deny, `${pointer}/deny`, 30, { plainOnly: true });
  }

  element(v: unknown, pointer: string, actionIds: Set<string>, allowed?: Set<string>): void {
    if (!isObj(v)) return this.add('must be a block element object', pointer);
    const type = v.type;
    if (typeof type !== 'string' || !ELEMENT_TYPES.has(type) || (allowed && !allowed.has(type))) {
      return this.add(`unsupported element type: ${JSON.stringify(type)}`, `${pointer}/type`);
    }
    if (v.action_id !== undefined) {
      this.maxChars(v.action_id, 255, `${pointer}/action_id`);
      if (typeof v.action_id === 'string') {
        if (actionIds.has(v.action_id)) this.add(`duplicate action_id: ${JSON.stringify(v.action_id)}`, `${pointer}/action_id`);
        actionIds.add(v.action_id);
      }
    }
    this.text(v.placeholder, `${pointer}/placeholder`, 150, { plainOnly: true });
    this.confirm(v.confirm, `${pointer}/confirm`);
    switch (type) {
      case 'button':
      case 'workflow_button':
        this.text(v.text, `${pointer}/text`, 75, { plainOnly: true, required: true });
        this.maxChars(v.value, 2000, `${pointer}/value`);
        this.maxChars(v.url, 3000, `${pointer}/url`);
        if (v.style !== undefined && v.style !== 'primary' && v.style !== 'danger') {
          this.add('must be one of: primary, danger', `${pointer}/style`);
        }
        break;
      case 'image':
        this.maxChars(v.alt_text, 2000, `${pointer}/alt_text`);
        if (typeof v.alt_text !== 'string') this.add('missing required field: alt_text', `${pointer}/alt_text`);
        break;
      case 'static_select':
      case 'multi_static_select':
        this.options(v.options, `${pointer}/options`, 0, 100);
        break;
      case 'overflow':
        this.options(v.options, `${pointer}/options`, 1, 5);
        break;
      case 'checkboxes':
      case 'radio_buttons':
        this.options(v.options, `${pointer}/options`, 1, 10);
        break;
      case 'plain_text_input':
        if (typeof v.max_length === 'number' && v.max_length > 3000) this.add('must be at most 3000', `${pointer}/max_length`);
        if (typeof v.min_length === 'number' && v.min_length > 3000) this.add('must be at most 3000', `${pointer}/min_length`);
        break;
      default:
        break;
    }
  }

  block(b: unknown, pointer: string, surface: Surface, blockIds: Set<string>): void {
    if (!isObj(b)) return this.add('must be a block object', pointer);
    const type = b.type;
    if (typeof type !== 'string' || !BLOCK_TYPES.has(type)) {
      return this.add(`unsupported block type: ${JSON.stringify(type)}`, `${pointer}/type`);
    }
    if (b.block_id !== undefined) {
      if (typeof b.block_id !== 'string') this.add('must be a string', `${pointer}/block_id`);
      else {
        this.maxChars(b.block_id, 255, `${pointer}/block_id`);
        if (blockIds.has(b.block_id)) this.add(`duplicate block_id: ${JSON.stringify(b.block_id)}`, `${pointer}/block_id`);
        blockIds.add(b.block_id);
      }
    }
    const actionIds = new Set<string>();
    switch (type) {
      case 'section': {
        if (b.text === undefined && b.fields === undefined) this.add('must provide either text or fields', pointer);
        this.text(b.text, `${pointer}/text`, 3000);
        if (b.fields !== undefined) {
          if (!Array.isArray(b.fields)) this.add('must be an array', `${pointer}/fields`);
          else {
            this.maxItems(b.fields, 10, `${pointer}/fields`);
            b.fields.forEach((f, i) => this.text(f, `${pointer}/fields/${i}`, 2000));
          }
        }
        if (b.accessory !== undefined) this.element(b.accessory, `${pointer}/accessory`, actionIds);
        break;
      }
      case 'header':
        this.text(b.text, `${pointer}/text`, 150, { plainOnly: true, required: true });
        break;
      case 'context': {
        if (!Array.isArray(b.elements) || b.elements.length === 0) {
          this.add('must provide at least 1 element', `${pointer}/elements`);
          break;
        }
        this.maxItems(b.elements, 10, `${pointer}/elements`);
        b.elements.forEach((e, i) => {
          const p = `${pointer}/elements/${i}`;
          if (isObj(e) && e.type === 'image') this.maxChars(e.alt_text, 2000, `${p}/alt_text`);
          else this.text(e, p, 3000);
        });
        break;
      }
      case 'actions':
      case 'context_actions': {
        if (!Array.isArray(b.elements) || b.elements.length === 0) {
          this.add('must provide at least 1 element', `${pointer}/elements`);
          break;
        }
        this.maxItems(b.elements, type === 'actions' ? 25 : 5, `${pointer}/elements`);
        b.elements.forEach((e, i) => this.element(e, `${pointer}/elements/${i}`, actionIds));
        break;
      }
      case 'input':
        if (surface === 'message') {
          this.add('input blocks are only allowed in modals and the Home tab', `${pointer}/type`);
          break;
        }
        this.text(b.label, `${pointer}/label`, 2000, { plainOnly: true, required: true });
        this.text(b.hint, `${pointer}/hint`, 2000, { plainOnly: true });
        if (b.element === undefined) this.add('missing required field: element', `${pointer}/element`);
        else this.element(b.element, `${pointer}/element`, actionIds);
        break;
      case 'image':
        if (typeof b.image_url !== 'string' && !isObj(b.slack_file)) this.add('must provide image_url or slack_file', pointer);
        this.maxChars(b.image_url, 3000, `${pointer}/image_url`);
        if (typeof b.alt_text !== 'string') this.add('missing required field: alt_text', `${pointer}/alt_text`);
        this.maxChars(b.alt_text, 2000, `${pointer}/alt_text`);
        this.text(b.title, `${pointer}/title`, 2000, { plainOnly: true });
        break;
      case 'markdown':
        if (typeof b.text !== 'string') this.add('missing required field: text', `${pointer}/text`);
        this.maxChars(b.text, 12000, `${pointer}/text`);
        break;
      default:
        break;
    }
  }
}

/**
 * Problems Slack would report for `blocks` on a surface ([] when none).
 * `pointer` is the JSON pointer of the array (`/blocks`, or `/view/blocks` for views).
 */
export function validateBlocks(blocks: unknown, surface: Surface, pointer = '/blocks'): string[] {
  const w = new Walker();
  walkBlocks(w, blocks, surface, pointer);
  return w.problems;
}

function walkBlocks(w: Walker, blocks: unknown, surface: Surface, pointer: string): void {
  if (!Array.isArray(blocks)) return w.add('must be an array', pointer);
  w.maxItems(blocks, MAX_BLOCKS[surface], pointer);
  const blockIds = new Set<string>();
  blocks.forEach((b, i) => w.block(b, `${pointer}/${i}`, surface, blockIds));
}

/** Problems in a modal or Home tab view object as passed to views.open/update/push/publish. */
export function validateView(view: unknown, surface: 'modal' | 'home'): string[] {
  const w = new Walker();
  const p = '/view';
  if (!isObj(view)) {
    w.add('must be a view object', p);
    return w.problems;
  }
  if (view.type !== surface) w.add(`must be ${JSON.stringify(surface)}`, `${p}/type`);
  if (surface === 'modal') {
    w.text(view.title, `${p}/title`, 24, { plainOnly: true, required: true });
    w.text(view.submit, `${p}/submit`, 24, { plainOnly: true });
    w.text(view.close, `${p}/close`, 24, { plainOnly: true });
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObj(b) && b.type === 'input');
    if (hasInput && view.submit === undefined) w.add('submit is required when a view contains input blocks', `${p}/submit`);
  }
  w.maxChars(view.private_metadata, 3000, `${p}/private_metadata`);
  w.maxChars(view.callback_id, 255, `${p}/callback_id`);
  w.maxChars(view.external_id, 255, `${p}/external_id`);
  walkBlocks(w, view.blocks, surface, `${p}/blocks`);
  return w.problems;
}

/** Slack's `text` limit for a message (longer → `msg_too_long`). */
export const MAX_MESSAGE_TEXT = 40_000;
