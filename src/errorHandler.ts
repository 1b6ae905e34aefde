import { randomBytes } from 'node:crypto';
import type { App, RespondArguments, RespondFn } from '@slack/bolt';

/** Bolt does not export this type from its entry point; it is what `app.error` hands an extended handler. */
interface ExtendedErrorHandlerArgs {
  error: Error;
  body: unknown;
}
import type { AppDeps } from './deps.js';
import { isChatOpsError, type ChatOpsError } from './errors.js';
import { errorsTotal } from './metrics/registry.js';
import { text } from './ui/messages.js';
import { respondWhereClicked } from './actions/clickPlace.js';
import { z } from 'zod';

/** The parts of any Slack payload the handler needs to answer privately. */
const ReplyTarget = z.object({
  response_url: z.string().url().optional(),
  user_id: z.string().optional(),
  user: z.object({ id: z.string() }).optional(),
  channel_id: z.string().optional(),
  channel: z.object({ id: z.string() }).optional(),
  command: z.string().optional(),
  type: z.string().optional(),
  actions: z.array(z.object({ action_id: z.string() })).optional(),
});

/** Bolt wraps what a listener threw; find our typed error inside. */
function unwrap(error: unknown): ChatOpsError | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const e = queue.shift();
    if (!e || seen.has(e)) continue;
    seen.add(e);
    if (isChatOpsError(e)) return e;
    const o = e as { original?: unknown; originals?: unknown[]; cause?: unknown };
    queue.push(o.original, o.cause, ...(o.originals ?? []));
  }
  return undefined;
}

/**
 * The one place where failures become answers: a typed error's safe message, or
 * a generic one with a reference that is also in the log. Always private.
 */
export function registerErrorHandler(app: App, deps: AppDeps): void {
  const log = deps.logger.child({ component: 'error-handler' });
  app.error(async ({ error, body }: ExtendedErrorHandlerArgs) => {
    const known = unwrap(error);
    const ref = randomBytes(4).toString('hex');
    const target = ReplyTarget.safeParse(body ?? {});
    const t = target.success ? target.data : {};
    const userId = t.user_id ?? t.user?.id;
    const channelId = t.channel_id ?? t.channel?.id;
    const what = t.command ?? (t.actions?.[0] ? `action:${t.actions[0].action_id}` : (t.type ?? 'event'));
    errorsTotal.inc({ code: known?.code ?? 'internal' });
    if (known) log.warn({ ref, code: known.code, what, err: known }, known.message);
    else log.error({ ref, what, err: error }, 'unexpected error in a listener');

    const message = known ? known.userMessage : text.internalError(ref);
    const viaUrl = async (url: string, m: RespondArguments): Promise<void> => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(m) });
      if (!res.ok) log.warn({ ref, status: res.status }, 'the response_url refused the error answer');
    };
    const answer: RespondArguments = { response_type: 'ephemeral', replace_original: false, text: deps.sanitizer.scrub(message) };
    try {
      if (t.type === 'block_actions') {
        // A click is answered where it was, as its listeners answer (clickPlace.ts): in its thread when it was in one.
        const url = t.response_url;
        const respond: RespondFn | undefined = url
          ? async (m) => {
              await viaUrl(url, typeof m === 'string' ? { text: m } : m);
              return undefined as never;
            }
          : undefined;
        await respondWhereClicked(respond, app.client, body, log)(answer);
      } else if (t.response_url) {
        await viaUrl(t.response_url, answer);
      } else if (userId && channelId) {
        await app.client.chat.postEphemeral({ channel: channelId, user: userId, text: deps.sanitizer.scrub(message) });
      }
    } catch (e) {
      log.error({ ref, err: e }, 'could not tell the user about an error');
    }
    await deps.store.audit
      .record(
        { actor: userId ?? 'unknown', action: t.command ? `command:${t.command}` : what, outcome: `error:${known?.code ?? 'internal'}`, detail: { ref } },
        deps.now(),
      )
      .catch((e: unknown) => log.error({ ref, err: e }, 'could not write the audit entry of an error'));
  });
}
