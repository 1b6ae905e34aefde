/**
 * Slack's `response_url`s: JSON POSTs that post, replace or delete the message an
 * interaction came from. Like incoming webhooks they answer in plain text: `ok`
 * with 200, or an error word with 400 (bad message) / 404 (unknown, expired or used-up URL).
 *
 * Limits (Slack documents: "up to 5 times within 30 minutes"): the 6th accepted post
 * gets 404 `used_url` and a post after 30 minutes gets 404 `expired_url`. Slack does
 * not document those bodies precisely; these are the words its webhooks use. Only
 * accepted posts count toward the 5. A never-issued URL gets 404 `no_service`.
 */
import { flag, messageProblem, type Args } from './webApiMethods.js';
import type { Workspace } from './workspace.js';

export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;

/** Where the interaction happened; lets posts land in the fake's message store. */
export interface ResponseUrlTarget {
  channel?: string;
  /** Who triggered it: ephemeral responses are shown to this user. */
  user?: string;
  /** The message the interaction came from (block actions): what replace/delete_original act on. */
  messageTs?: string;
  /** Overrides the 30-minute lifetime (tests of expiry). */
  ttlMs?: number;
}

interface ResponseUrlState {
  channel?: string;
  user?: string;
  originalTs?: string;
  uses: number;
  expiresAt: number;
}

export interface ResponseUrlAnswer {
  status: number;
  body: string;
  ok: boolean;
  error?: string;
}

const OK: ResponseUrlAnswer = { status: 200, body: 'ok', ok: true };

function refuse(status: number, error: string): ResponseUrlAnswer {
  return { status, body: error, ok: false, error };
}

export class ResponseUrls {
  private readonly urls = new Map<string, ResponseUrlState>();
  private counter = 0;

  constructor(private readonly ws: Workspace) {}

  create(target: ResponseUrlTarget = {}): string {
    this.counter += 1;
    const id = `${this.ws.teamId}/${this.counter}/${Math.random().toString(36).slice(2, 12)}`;
    this.urls.set(id, {
      channel: target.channel,
      user: target.user,
      originalTs: target.messageTs,
      uses: 0,
      expiresAt: Date.now() + (target.ttlMs ?? RESPONSE_URL_TTL_MS),
    });
    return id;
  }

  post(id: string, body: Args): ResponseUrlAnswer {
    const state = this.urls.get(id);
    if (!state) return refuse(404, 'no_service');
    if (Date.now() > state.expiresAt) return refuse(404, 'expired_url');
    if (state.uses >= RESPONSE_URL_MAX_USES) return refuse(404, 'used_url');

    if (flag(body.delete_original)) {
      if (state.channel && state.originalTs) this.ws.deleteMessage(state.channel, state.originalTs);
      state.originalTs = undefined;
      state.uses += 1;
      return OK;
    }
    const problem = messageProblem(body);
    if (problem) return refuse(400, String(problem.error));
    state.uses += 1;
    if (!state.channel) return OK;

    const text = typeof body.text === 'string' ? body.text : undefined;
    const blocks = Array.isArray(body.blocks) ? body.blocks : undefined;
    const original = state.originalTs ? this.ws.findMessage(state.channel, state.originalTs) : undefined;
    if (flag(body.replace_original) && original) {
      original.text = text;
      original.blocks = blocks;
      original.edited = true;
      return OK;
    }
    const inChannel = body.response_type === 'in_channel';
    const threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : undefined;
    const m = this.ws.addMessage(state.channel, {
      ts: this.ws.nextTs(),
      user: this.ws.botUserId,
      ...(text !== undefined ? { text } : {}),
      ...(blocks ? { blocks } : {}),
      ...(threadTs ? { thread_ts: threadTs } : {}),
      ...(!inChannel && state.user ? { ephemeralTo: state.user } : {}),
    });
    // For a slash command, the first response becomes the "original" later posts replace.
    state.originalTs ??= m.ts;
    return OK;
  }
}
