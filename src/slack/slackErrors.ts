import { SlackApiError } from '../errors.js';
import { text } from '../ui/messages.js';

/** Slack's Web API errors that a person can act on, in words they can act on. */
const HUMAN: Record<string, string> = {
  not_in_channel: text.cannotPostInChannel,
  channel_not_found: text.cannotPostInChannel,
  is_archived: 'That channel is archived.',
  restricted_action: 'This workspace does not let me post there.',
};

/** Runs a Web API call; a platform error becomes a SlackApiError with a safe message. */
export async function callSlack<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const code = (e as { data?: { error?: unknown } }).data?.error;
    const slackError = typeof code === 'string' ? code : 'unknown';
    throw new SlackApiError(HUMAN[slackError] ?? `Slack refused to ${what} (${slackError}).`, { cause: e });
  }
}
