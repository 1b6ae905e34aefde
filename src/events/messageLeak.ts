import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { findTokens } from '../core/leaks/findTokens.js';
import { respondToLeak } from '../services/leakResponse.js';

/** The parts of a channel message event the leak check reads (a new message, or an edit carrying the new text). */
const MessageEvent = z.object({
  channel: z.string(),
  ts: z.string(),
  thread_ts: z.string().optional(),
  subtype: z.string().optional(),
  text: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  message: z
    .object({ text: z.string().optional(), user: z.string().optional(), bot_id: z.string().optional(), ts: z.string(), thread_ts: z.string().optional() })
    .optional(),
});

/** Subtypes that carry a person's text: a plain message, an edit, a reply also sent to the channel, a file with a comment. */
const WITH_TEXT = new Set([undefined, 'message_changed', 'thread_broadcast', 'file_share', 'me_message']);

/**
 * message.channels / message.groups: a GitHub token pasted in a channel the bot is in
 * is treated as leaked (services/leakResponse.ts). Bolt has already acked the event.
 */
export function register(app: App, deps: AppDeps): void {
  app.event('message', async ({ event, client, context }) => {
    // A redelivery of an event already taken never gets here (src/slack/intake.ts drops it by event_id);
    // one whose first delivery was lost does, and must be acted on.
    const parsed = MessageEvent.safeParse(event);
    if (!parsed.success || !WITH_TEXT.has(parsed.data.subtype)) return;
    const e = parsed.data;
    const m = e.subtype === 'message_changed' ? e.message : e;
    if (!m || m.bot_id || (context.botUserId && m.user === context.botUserId)) return;
    const tokens = findTokens(m.text ?? '');
    if (tokens.length === 0) return;
    await respondToLeak(deps, client, { channel: e.channel, threadTs: m.thread_ts ?? m.ts, author: m.user ?? null, tokens });
  });
}
