import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

/**
 * The slash commands the app declares in manifest.yml: what Slack's composer
 * suggests, and the only ones Slack sends to the app (any other is refused by
 * Slack itself, before the app hears of it).
 */

export const SlashCommand = z.object({ command: z.string().regex(/^\/[a-z0-9_-]+$/), usage_hint: z.string().optional(), description: z.string().optional() });
export type SlashCommand = z.infer<typeof SlashCommand>;

const Manifest = z.object({ features: z.object({ slash_commands: z.array(SlashCommand) }) });

export interface CommandInfo {
  command: string;
  usage: string;
  description: string;
}

export function loadCommands(manifest: URL = new URL('../../../../manifest.yml', import.meta.url)): CommandInfo[] {
  const m = Manifest.parse(parse(readFileSync(manifest, 'utf8')));
  return m.features.slash_commands.map((c) => ({ command: c.command, usage: c.usage_hint ?? '', description: c.description ?? '' }));
}

/** Slack's own answer to a command no app declares. */
export const notACommand = (command: string) => `${command} is not a valid command. In Slack, all messages that start with "/" are interpreted as commands.`;
