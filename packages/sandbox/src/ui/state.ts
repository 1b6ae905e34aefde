import { SYNC_MODES, type DeliveriesPanel, type RunPanelRow, type SecretPanelRow, type SyncMode } from '../controls.js';
import type { Screen } from '../driver.js';
import type { CommandInfo } from './commands.js';
import { SANDBOX_PEOPLE, type Sandbox } from '../world.js';

/** What the page polls: one person's Slack screen and the simulated GitHub's panel. Never a secret's value. */

export interface Person {
  id: string;
  name: string;
  realName: string;
}

export interface SandboxState {
  me: Person;
  people: Person[];
  bot: { id: string; name: string };
  channel: { id: string; name: string };
  /** The slash commands of the app's manifest, for the composer. */
  commands: CommandInfo[];
  screen: Screen;
  github: {
    repo: string;
    mirror: string;
    mirrorHost: string;
    runs: RunPanelRow[];
    secrets: SecretPanelRow[];
    syncMode: SyncMode;
    syncModes: Array<{ mode: SyncMode; label: string }>;
    /** Whether the sync job could push with what GHE_TOKEN holds now. */
    gheTokenWorks: boolean;
    /** A tag that does not exist yet, for the push-tag field. */
    nextTag: string;
    /** The fake's webhooks to the bot: the switch and what it delivered lately. */
    deliveries: DeliveriesPanel;
  };
}

export const CHANNEL_NAME = 'releases';

const SYNC_MODE_LABEL: Record<SyncMode, string> = {
  auto: 'auto: follows the token in GHE_TOKEN',
  success: 'success',
  'auth-failure': 'fail: Authentication failed',
  'push-rejected': 'fail: push rejected (protected branch)',
  'publish-failure': 'fail: PyPI "File already exists"',
};

const person = (p: (typeof SANDBOX_PEOPLE)[number]): Person => ({ id: p.id, name: p.name, realName: p.real_name });

/** The tag after the newest `vX.Y.ZbN` (or `v0.1.0b1` when there is none). */
export function nextTag(tags: Iterable<string>): string {
  let best: [number, number, number, string, number] | null = null;
  for (const t of tags) {
    const m = /^v(\d+)\.(\d+)\.(\d+)([a-z]+)(\d+)$/.exec(t);
    if (!m) continue;
    const v: [number, number, number, string, number] = [Number(m[1]), Number(m[2]), Number(m[3]), m[4] ?? 'b', Number(m[5])];
    if (!best || v[0] > best[0] || (v[0] === best[0] && (v[1] > best[1] || (v[1] === best[1] && (v[2] > best[2] || (v[2] === best[2] && v[4] > best[4]))))))
      best = v;
  }
  if (!best) return 'v0.1.0b1';
  return `v${best[0]}.${best[1]}.${best[2]}${best[3]}${best[4] + 1}`;
}

export function sandboxState(s: Sandbox, user: string, commands: CommandInfo[]): SandboxState {
  const people = SANDBOX_PEOPLE.map(person);
  const me = people.find((p) => p.id === user);
  if (!me) throw new Error(`not a sandbox person: ${user}`);
  const repo = s.seed.github.repo;
  return {
    me,
    people,
    bot: { id: s.slack.workspace.botUserId, name: s.slack.workspace.user(s.slack.workspace.botUserId)?.real_name ?? 'Release ChatOps' },
    channel: { id: s.channel, name: CHANNEL_NAME },
    commands,
    screen: s.driver.screen(user),
    github: {
      repo,
      mirror: s.seed.ghe.repo,
      mirrorHost: new URL(s.ghe.webUrl).host,
      runs: s.controls.runs(8),
      secrets: s.controls.secrets(),
      syncMode: s.controls.syncMode,
      syncModes: SYNC_MODES.map((mode) => ({ mode, label: SYNC_MODE_LABEL[mode] })),
      gheTokenWorks: s.controls.tokenWorks(),
      nextTag: nextTag(s.github.state.repo(repo).tags.keys()),
      deliveries: s.controls.deliveries(),
    },
  };
}
