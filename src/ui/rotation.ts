import type { Rotation } from '../core/rotation/state.js';
import { ACTION_IDS } from '../core/ids.js';
import { button, code, link, mrkdwnEscape as esc } from './blocks.js';
import { encodeStartRef, type StartRef } from '../core/rotation/startRef.js';

/**
 * Everything /rotate says and shows, one file per part: here the rotation's buttons and what to
 * create; the channel message (rotationChecklist.ts), the private prompts (rotationPrompts.ts),
 * the question about the old deploy key (rotationOldKey.ts), the old-token modal
 * (rotationOldTokenModal.ts) and the replies (rotationText.ts).
 */

export const ROTATION_ACTIONS = {
  enter: ACTION_IDS.rotationEnter,
  generate: ACTION_IDS.rotationGenerate,
  next: ACTION_IDS.rotationNext,
  cancel: ACTION_IDS.rotationCancel,
  revokeOld: ACTION_IDS.rotationRevokeOld,
  confirmOld: ACTION_IDS.rotationConfirmOld,
  retryVerify: ACTION_IDS.rotationRetryVerify,
  start: ACTION_IDS.rotationStart,
  maskedPage: ACTION_IDS.rotationMaskedPage,
  maskedOpen: ACTION_IDS.rotationMaskedOpen,
  pickKey: ACTION_IDS.rotationPickKey,
} as const;

/** The "Start rotation" button of reminders and leak warnings (handled by actions/rotationStart.ts). */
export function startRotationButton(ref: StartRef, label = 'Start rotation'): ReturnType<typeof button> {
  return button({ text: label, actionId: ROTATION_ACTIONS.start, value: encodeStartRef(ref), style: 'primary' });
}

/** What the create instructions need to know of the secret's configuration. */
export interface SecretSpec {
  kind: Rotation['secretKind'];
  host: string;
  scopes: readonly string[];
  maxAgeDays: number;
  /** The repository the credential must act on (`owner/name` on `host`), if known. */
  target: string | null;
  /** `sync` when the credential pushes to the mirror, else `release`. */
  purpose: 'sync' | 'release';
}

const repoPart = (repo: string) => repo.split('/')[1] ?? repo;
export const isToken = (r: Pick<Rotation, 'secretKind'>) => r.secretKind !== 'deploy-key';
export const host = (url: string) => url.replace(/^https?:\/\//, '').replace(/\/+$/, '');

/** The note the seed gives the token ("GitHub Actions - pyWATS sync"): it tells the token's owner what it is for. */
export function tokenNote(repo: string, purpose: SecretSpec['purpose']): string {
  return `GitHub Actions - ${repoPart(repo)} ${purpose}`;
}

/** Where the token is created, with what the host lets a URL pre-fill (classic tokens: scopes and note). */
export function createTokenUrl(r: Pick<Rotation, 'repo'>, s: SecretSpec): string {
  const base = s.host.replace(/\/+$/, '');
  if (s.kind === 'classic-pat') {
    const scopes = s.scopes.length ? s.scopes.join(',') : 'repo';
    return `${base}/settings/tokens/new?scopes=${encodeURIComponent(scopes)}&description=${encodeURIComponent(tokenNote(r.repo, s.purpose))}`;
  }
  // Fine-grained tokens: GitHub withdrew its URL pre-fill for them, so the page opens empty and the steps say what to choose.
  return `${base}/settings/personal-access-tokens/new`;
}

const latestExpiry = (s: SecretSpec, now: Date) => new Date(now.getTime() + s.maxAgeDays * 86_400_000).toISOString().slice(0, 10);

/** Step 1, privately to the requester: exactly what to create, where. */
export function createSteps(r: Rotation, s: SecretSpec, now: Date): string[] {
  if (s.kind === 'deploy-key') {
    return [
      `Nothing to create by hand: I generate a new ed25519 key pair. After approval I add its public half to ${code(s.target ?? 'the mirror')} as a deploy key with write access and store the private half as ${code(r.secret)}; the old deploy key is deleted once a run with the new key passes.`,
    ];
  }
  const url = createTokenUrl(r, s);
  const until = latestExpiry(s, now);
  if (s.kind === 'classic-pat') {
    const scopes = s.scopes.length ? s.scopes : ['repo'];
    return [
      `*1.* On ${esc(host(s.host))}, ${link(url, 'create a classic token')} (signed in as the account that should own it: a service account if you have one, not your own).`,
      `*2.* Note: ${code(tokenNote(r.repo, s.purpose))}. Scopes: ${scopes.map(code).join(', ')}${s.target ? ` (it must be able to push to ${code(s.target)})` : ''}.`,
      `*3.* Expiration: a custom date no later than *${until}* (${s.maxAgeDays} days). Generate it and copy it.`,
      `*4.* Click *Enter the new token* below. Never paste it into a message.`,
    ];
  }
  return [
    `*1.* On ${esc(host(s.host))}, ${link(url, 'create a fine-grained token')} (signed in as a service account if you have one).`,
    `*2.* Token name ${code(`${repoPart(r.repo)}-${s.purpose === 'sync' ? 'ghe-sync' : 'release-automation'}`)}; expiration no later than *${until}* (${s.maxAgeDays} days).`,
    `*3.* Resource owner ${code((s.target ?? r.repo).split('/')[0] ?? '')}; Repository access: *Only select repositories* → ${code(s.target ?? r.repo)} only.`,
    `*4.* Repository permissions: *Actions: Read and write*, *Contents: Read and write* (Metadata: read-only is added by GitHub). Nothing else.`,
    `*5.* Generate it, copy it, and click *Enter the new token* below. Never paste it into a message.`,
  ];
}
