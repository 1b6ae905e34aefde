import type { RespondArguments, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Logger } from '../log/logger.js';

/**
 * Where a click happened, read from the block_actions payload: the channel, the
 * clicked message, the thread it sits in (Slack gives `container.thread_ts` for a
 * reply, and `message.thread_ts` for a non-ephemeral one) and whether that message
 * is an ephemeral one (which only its response_url can edit).
 */
export interface ClickPlace {
  channel: string | null;
  user: string | null;
  messageTs: string | null;
  /** The thread of the clicked message; null when it is not a reply (a channel message, or a thread's parent). */
  threadTs: string | null;
  ephemeral: boolean;
}

const Str = z.string().min(1).max(64);
const Payload = z
  .object({
    user: z.object({ id: Str }).partial().nullish(),
    channel: z.object({ id: Str }).partial().nullish(),
    container: z.object({ channel_id: Str, message_ts: Str, thread_ts: Str, is_ephemeral: z.boolean() }).partial().nullish(),
    message: z.object({ ts: Str, thread_ts: Str }).partial().nullish(),
  })
  .passthrough();

export function clickPlace(body: unknown): ClickPlace {
  const p = Payload.safeParse(body);
  if (!p.success) return { channel: null, user: null, messageTs: null, threadTs: null, ephemeral: false };
  const { user, channel, container, message } = p.data;
  const messageTs = container?.message_ts ?? message?.ts ?? null;
  const thread = container?.thread_ts ?? message?.thread_ts ?? null;
  return {
    channel: channel?.id ?? container?.channel_id ?? null,
    user: user?.id ?? null,
    messageTs,
    threadTs: thread && thread !== messageTs ? thread : null,
    ephemeral: container?.is_ephemeral === true,
  };
}

/** Slack's date of a message ts (seconds since the epoch), or null for anything else. */
export function tsDate(ts: string | null): Date | null {
  if (!ts || !/^\d{9,11}\.\d{1,6}$/.test(ts)) return null;
  return new Date(Math.floor(Number(ts) * 1000));
}

/**
 * `respond` for a click, answering where the click was. A private answer to a click
 * in a thread goes into that thread (chat.postEphemeral with `thread_ts`): through the
 * response_url Slack shows it in the channel, away from what it answers. Anything that
 * replaces or deletes the clicked message, or is public, still uses the response_url
 * (the only way to edit an ephemeral message), as does a thread answer Slack refuses.
 */
export function respondWhereClicked(respond: RespondFn | undefined, client: WebClient, body: unknown, logger: Logger): RespondFn {
  const place = clickPlace(body);
  const viaUrl: RespondFn = async (message) => {
    if (respond) return respond(message);
    logger.warn({ channel: place.channel }, 'a click without response_url got no private answer');
    return undefined as never;
  };
  return async (message) => {
    const m = (typeof message === 'string' ? { text: message } : message) as RespondArguments & { blocks?: unknown[] };
    const inThread = place.threadTs && place.channel && place.user;
    if (!inThread || m.replace_original === true || m.delete_original === true || m.response_type === 'in_channel') return viaUrl(message);
    try {
      await client.chat.postEphemeral({
        channel: place.channel ?? '',
        user: place.user ?? '',
        thread_ts: place.threadTs ?? '',
        text: m.text ?? '',
        ...(m.blocks ? { blocks: m.blocks as never } : {}),
      });
      return undefined as never;
    } catch (e) {
      logger.warn({ err: e, channel: place.channel }, 'private answer not posted in the thread; sent through the response_url');
      return viaUrl(message);
    }
  };
}

/**
 * The answer to a click on a button whose offer is void (a finished step, an old
 * prompt): an ephemeral prompt is replaced by `text`, so its buttons go; a message
 * others see is left to its own edit, and the clicker gets `text` privately.
 */
export function answerVoid(respond: RespondFn, body: unknown, text: string): ReturnType<RespondFn> {
  return respond({ response_type: 'ephemeral', replace_original: clickPlace(body).ephemeral, text });
}
