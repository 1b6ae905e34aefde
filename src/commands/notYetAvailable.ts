import type { App } from '@slack/bolt';
import type { AppDeps } from '../deps.js';
import { text, USAGE, type CommandName } from '../ui/messages.js';

/**
 * Commands declared in the manifest whose capability has not shipped yet. They
 * still answer (`help` with their usage, anything else with a clear notice)
 * rather than leaving Slack to show "dispatch_failed".
 */
const PENDING: Array<[string, CommandName]> = [['/rotate', 'rotate']];

export function register(app: App, deps: AppDeps): void {
  for (const [command, usage] of PENDING) {
    app.command(command, async ({ command: cmd, ack }) => {
      const names = deps.config.repos.map((r) => r.shortName);
      await ack({ response_type: 'ephemeral', text: `${text.notAvailableYet(command)}\n${text.help(USAGE[usage], names)}` });
      await deps.store.audit.record({ actor: cmd.user_id, action: `command:${command}`, outcome: 'not_available' }, deps.now());
    });
  }
}
