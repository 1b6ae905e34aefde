import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HTTPReceiver } from '@slack/bolt';
import type { StartupStatus } from '../services/startupChecks.js';
import { startupText } from '../ui/startup.js';
import { readBody } from './body.js';
import { ENTRY_PATH } from '../services/entryLinks.js';

/** Enough for any slash command (Slack caps `text` at 4,000 characters); the rest is not read. */
const MAX_PEEK_BYTES = 64 * 1024;

/**
 * While the start-up checks run, the HTTP server already listens (so /healthz and
 * /readyz answer), but the Bolt app is not initialised and must not act. Every Slack
 * request still gets an answer at once:
 * - a slash command: 200 with a private "starting, try again in a minute" (Slack shows
 *   the body of a slash command's answer to the person who typed it);
 * - events and interactions: 503 with Retry-After. Slack redelivers events later
 *   (X-Slack-Retry-Num), so a message to check for leaked tokens is not lost; a click
 *   shows Slack's own "did not respond" notice, which is what happened.
 * The masked entry page (/enter/…) acts with GitHub credentials not checked yet: 503 too.
 * No signature is checked here: the answer says nothing but "starting", and nothing acts.
 * Everything else (health, readiness, metrics, webhooks) goes to the receiver as usual.
 */
export function gateUntilReady(receiver: HTTPReceiver, status: StartupStatus, endpoints: readonly string[] = ['/slack/events']): void {
  const inner = receiver.requestListener;
  receiver.requestListener = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (!status.ready && path.startsWith(`${ENTRY_PATH}/`)) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '30' });
      res.end(startupText.entryPage);
      return;
    }
    if (status.ready || req.method !== 'POST' || !endpoints.includes(path)) return inner(req, res);
    answerStarting(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(503, { 'retry-after': '30' });
      res.end();
    });
  };
}

async function answerStarting(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req, MAX_PEEK_BYTES);
  const form = body && /application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '') ? new URLSearchParams(body.toString('utf8')) : undefined;
  if (form?.has('command') && !form.has('payload')) {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ response_type: 'ephemeral', text: startupText.slashCommand }));
    return;
  }
  res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '30' });
  res.end(startupText.other);
}
