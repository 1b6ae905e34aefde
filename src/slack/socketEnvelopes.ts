import type { SocketModeReceiver } from '@slack/bolt';
import type { Logger } from '../log/logger.js';

/** Names the Socket Mode client emits for itself; an event type must not be one (it is emitted by that name). */
const CLIENT_EVENTS = new Set([
  'close',
  'error',
  'ws_message',
  'slack_event',
  'outgoing_message',
  'connecting',
  'connected',
  'authenticated',
  'disconnecting',
  'disconnected',
  'reconnecting',
]);
const EVENT_TYPE = /^[a-z][a-z0-9_.]{0,80}$/;

/**
 * The Socket Mode client reads `payload.event.type` of an `events_api` envelope before
 * anything else and emits an event by that name: an envelope without an event object
 * throws there (an unhandled rejection, never acked), and a type such as `close` would
 * drive the client's own reconnect logic. Such an envelope is passed on under a type
 * the client does not interpret, so it reaches Bolt (and the intake, which acks it
 * and does nothing) as any other delivery does.
 */
export function guardSocketEnvelopes(receiver: SocketModeReceiver, logger: Logger): void {
  const log = logger.child({ component: 'slack-socket' });
  const client = receiver.client;
  const handlers = client.listeners('ws_message') as Array<(data: unknown, isBinary: boolean) => unknown>;
  client.removeAllListeners('ws_message');
  client.on('ws_message', (data: unknown, isBinary: boolean) => {
    const passed = isBinary ? data : screened(text(data));
    if (passed === undefined) return log.warn('a Socket Mode message that is not text: dropped');
    for (const handler of handlers) {
      Promise.resolve()
        .then(() => handler(passed, isBinary))
        .catch((e: unknown) => log.error({ err: e }, 'a Socket Mode message could not be handled'));
    }
  });

  function screened(raw: string | undefined): string | undefined {
    if (raw === undefined) return undefined;
    let envelope: unknown;
    try {
      envelope = JSON.parse(raw);
    } catch {
      return raw; // the client ignores what it cannot parse
    }
    if (!isRecord(envelope) || envelope.type !== 'events_api') return raw;
    const event = isRecord(envelope.payload) ? envelope.payload.event : undefined;
    const type = isRecord(event) ? event.type : undefined;
    if (typeof type === 'string' && EVENT_TYPE.test(type) && !CLIENT_EVENTS.has(type)) return raw;
    log.warn({ envelope: String(envelope.envelope_id).slice(0, 64) }, 'an events_api envelope without a usable event: passed on to be acked');
    return JSON.stringify({ ...envelope, type: 'events_api_unusable' });
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(data: unknown): string | undefined {
  if (typeof data === 'string') return data;
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  if (Array.isArray(data) && data.every((d) => Buffer.isBuffer(d))) return Buffer.concat(data).toString('utf8');
  return undefined;
}
