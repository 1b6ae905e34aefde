import type { App } from '@slack/bolt';
import { ackSeconds, type Surface } from './registry.js';

/** Which Slack surface a request body belongs to. */
export function surfaceOf(body: Record<string, unknown>): Surface {
  if (typeof body.command === 'string') return 'command';
  switch (body.type) {
    case 'block_actions':
    case 'interactive_message':
    case 'shortcut':
    case 'message_action':
      return 'action';
    case 'view_submission':
    case 'view_closed':
      return 'view';
    case 'event_callback':
      return 'event';
    case 'block_suggestion':
      return 'options';
    default:
      return 'other';
  }
}

/**
 * Times every acknowledgement, in HTTP and Socket Mode alike: from the moment Bolt is handed the request to the
 * listener's `ack()`. Bolt's public `processEvent` is the one door every receiver uses.
 */
export function timeAcks(app: App): void {
  const processEvent = app.processEvent.bind(app);
  app.processEvent = (event) => {
    const started = process.hrtime.bigint();
    const surface = surfaceOf(event.body ?? {});
    const ack = event.ack;
    let timed = false;
    event.ack = (response?: unknown) => {
      if (!timed) {
        timed = true;
        ackSeconds.observe({ surface }, Number(process.hrtime.bigint() - started) / 1e9);
      }
      return ack(response);
    };
    return processEvent(event);
  };
}
