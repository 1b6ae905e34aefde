import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTPModuleFunctions, type HTTPReceiver } from '@slack/bolt';
import type { Logger } from '../log/logger.js';

/** Slack's rule: a request's timestamp is within 5 minutes of now, either way. */
export const SLACK_TIMESTAMP_TOLERANCE_S = 5 * 60;

/**
 * Checks Bolt's HTTPReceiver leaves out, on `POST {path}`, before Bolt reads the request:
 *
 * - a timestamp more than 5 minutes ahead is refused (Bolt only refuses old ones, so a
 *   request signed for next year could be replayed until then);
 * - a signed body that is JSON but not an object (`null`, `true`, `[]`, a form whose
 *   `payload` is one) is answered 400: Bolt would throw reading it and never answer.
 *
 * Everything else goes on to Bolt unchanged (the body is buffered here and Bolt reuses
 * the buffer), so Bolt still answers bad signatures (401) and unparsable bodies (400).
 */
export function screenHttpRequests(receiver: HTTPReceiver, o: { path: string; signingSecret: string; logger: Logger; nowMs?: () => number }): void {
  const log = o.logger.child({ component: 'slack-http' });
  const now = o.nowMs ?? Date.now;
  const bolt = receiver.requestListener;
  receiver.requestListener = (req, res) => {
    if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://localhost').pathname !== o.path) return bolt(req, res);
    screen(req, res).then(
      (pass) => {
        if (pass) bolt(req, res);
      },
      (e: unknown) => {
        log.error({ err: e }, 'a Slack request could not be read');
        if (!res.headersSent) HTTPModuleFunctions.buildNoBodyResponse(res, 400);
      },
    );
  };

  async function screen(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    let buffered;
    try {
      buffered = await HTTPModuleFunctions.bufferIncomingMessage(req, HTTPModuleFunctions.defaultBodyLimit);
    } catch (e) {
      const tooLarge = HTTPModuleFunctions.isRawBodyError(e) && e.statusCode === 413;
      log.warn({ tooLarge }, tooLarge ? 'a Slack request body over the size limit' : 'a Slack request body could not be read');
      HTTPModuleFunctions.buildNoBodyResponse(res, tooLarge ? 413 : 400);
      return false;
    }
    const timestamp = Number(req.headers['x-slack-request-timestamp']);
    if (Number.isFinite(timestamp) && timestamp > now() / 1000 + SLACK_TIMESTAMP_TOLERANCE_S) {
      log.warn({ aheadS: Math.round(timestamp - now() / 1000) }, 'a Slack request dated more than 5 minutes ahead: refused');
      HTTPModuleFunctions.buildNoBodyResponse(res, 401);
      return false;
    }
    try {
      await HTTPModuleFunctions.parseAndVerifyHTTPRequest({ enabled: true, signingSecret: o.signingSecret }, buffered);
    } catch {
      return true; // Bolt refuses it (401) and logs why.
    }
    let body: unknown;
    try {
      body = HTTPModuleFunctions.parseHTTPRequestBody(buffered);
    } catch {
      return true; // Bolt answers 400.
    }
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) return true;
    log.warn({ body: body === null ? 'null' : Array.isArray(body) ? 'array' : typeof body }, 'a signed Slack request whose body is not an object: answered 400');
    HTTPModuleFunctions.buildNoBodyResponse(res, 400);
    return false;
  }
}
