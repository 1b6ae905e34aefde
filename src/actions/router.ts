import type { AllMiddlewareArgs, App, SlackAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Logger } from '../log/logger.js';
import { respondWhereClicked } from './clickPlace.js';

export type ActionListener<A extends SlackAction = SlackAction> = (args: SlackActionMiddlewareArgs<A> & AllMiddlewareArgs) => Promise<void>;

/**
 * Every button of the bot behind one Bolt listener. Bolt tries each registered
 * listener's middleware on every request it receives, so a listener per button made
 * each slash command's ack wait for a dozen action matchers that could never match
 * (the bench measured a bare Bolt app with 25 listeners 1.3× slower to ack a burst
 * than with one). Here a click finds its listener by action_id in a map, and a click
 * no listener knows goes to `otherwise` (the stale-button answer).
 *
 * Every listener gets a `respond` that answers where the click was: a private
 * answer to a click in a thread goes into that thread (see clickPlace.ts).
 */
export class ActionRouter {
  private readonly byId = new Map<string, ActionListener>();
  private fallback: ActionListener | undefined;

  action<A extends SlackAction = SlackAction>(actionId: string, listener: ActionListener<A>): void {
    if (this.byId.has(actionId)) throw new Error(`two listeners for the action ${actionId}`);
    this.byId.set(actionId, listener as unknown as ActionListener);
  }

  otherwise(listener: ActionListener): void {
    this.fallback = listener;
  }

  /** The action ids that have a listener (a click on any other is stale). */
  get liveIds(): string[] {
    return [...this.byId.keys()];
  }

  mount(app: App, logger: Logger): void {
    app.action({ action_id: /.*/ }, async (args) => {
      const id = 'action_id' in args.action ? args.action.action_id : undefined;
      const listener = (id !== undefined ? this.byId.get(id) : undefined) ?? this.fallback;
      if (listener) await listener({ ...args, respond: respondWhereClicked(args.respond as typeof args.respond | undefined, args.client, args.body, logger) });
      else await args.ack();
    });
  }
}
