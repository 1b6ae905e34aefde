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
 * - a signed body that is JSON `null` (or a form whose `payload` is) is answered 400:
 *   Bolt reads `body.ssl_check` off it outside its own try, which rejects unhandled and
 *   never answers. Other bodies that are not objects (`true`, `[]`) pass: Bolt hands
 *   them to the intake (src/slack/intake.ts), which answers them.
 *
 * Everything else goes on to Bolt unchanged (the body is buffered here and Bolt reuses
 * the buffer), so Bolt still answers bad signatures (401) and unparsable bodies (400).
 * Only the cheap checks run here: Bolt verifies and parses every body once more, and
 * doing both twice on a 4 MB body would cost a good part of Slack's 3 s.
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
    if (!parsesToNull(buffered.rawBody.toString(), req.headers['content-type'])) return true;
    try {
      await HTTPModuleFunctions.parseAndVerifyHTTPRequest({ enabled: true, signingSecret: o.signingSecret }, buffered);
    } catch {
      return true; // not signed: Bolt refuses it (401) before reading it, and logs why
    }
    log.warn('a signed Slack request whose body is null: answered 400');
    HTTPModuleFunctions.buildNoBodyResponse(res, 400);
    return false;
  }
}

/**
 * Whether Bolt's parseHTTPRequestBody would return null for this body: JSON `null`,
 * or a form with one `payload` field that is. Over-matching only answers 400 to a body
 * Bolt would refuse as well.
 */
export function parsesToNull(raw: string, contentType: string | undefined): boolean {
  if (contentType !== 'application/x-www-form-urlencoded') return raw.trim() === 'null';
  const payloads = raw.split('&').filter((field) => formDecode(field.split('=', 1)[0] ?? '') === 'payload');
  if (payloads.length !== 1) return false;
  const value = payloads[0]!.slice(payloads[0]!.indexOf('=') + 1);
  return value.length < 200 && formDecode(value).trim() === 'null';
}

function formDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
