import type { ResolvedRepo } from '../config/load.js';
import { context, divider, header, section, type KnownBlock } from './blocks.js';
import { USAGE } from './messages.js';

/** The App Home tab: what the bot watches and what it can be asked. */
export function renderHome(repos: readonly ResolvedRepo[]): { type: 'home'; blocks: KnownBlock[] } {
  const repoLines = repos.map((r) => {
    const mirror = r.sync ? ` → mirrored to \`${r.sync.mirror.repo}\` on ${new URL(r.sync.mirror.apiUrl).host}` : '';
    const secrets = r.secrets.length ? ` · secrets: ${r.secrets.map((s) => `\`${s.name}\``).join(', ')}` : '';
    return `• *${r.shortName}*: \`${r.github}\`${mirror}${secrets}`;
  });
  return {
    type: 'home',
    blocks: [
      header('Release ChatOps'),
      ...section('Release, mirror and rotate credentials for your GitHub projects, from Slack.'),
      divider(),
      ...section(`*Repositories*\n${repoLines.join('\n')}`),
      divider(),
      ...section(
        `*Commands*\n${Object.values(USAGE)
          .map((u) => `• ${u.replace(/^Usage: /, '')}`)
          .join('\n')}`,
      ),
      context('Every command answers `help` with its usage. Errors and private steps are only visible to you.'),
    ],
  };
}
