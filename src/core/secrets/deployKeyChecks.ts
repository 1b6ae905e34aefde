import type { DeployKeyInfo } from '../ports.js';
import type { SecretCheck } from './facts.js';
import { inspectPrivateKey, sameSshPublicKey } from './sshKey.js';

export interface DeployKeyCheckInput {
  value: string;
  /** Where the key is used: the mirror, e.g. `WATS/pyWATS` on `wats.ghe.com`; null when no mirror is configured. */
  target: { host: string; repo: string; keys: DeployKeyInfo[] | { unavailable: string } } | null;
}

export interface DeployKeyCheckResult {
  checks: SecretCheck[];
  /** Safe to show and keep: the public half and its fingerprint. */
  publicKey?: string;
  fingerprint?: string;
}

const REASON = {
  not_a_key: 'This is not an SSH private key. Paste the whole private key file, from -----BEGIN to -----END.',
  public_key: 'This is a public key. The secret needs the private key (the file without .pub).',
  encrypted: 'This key has a passphrase. GitHub Actions cannot type one: create a key without a passphrase (ssh-keygen -N "").',
  unsupported_format: 'This key format is not supported. Use an ed25519 key (ssh-keygen -t ed25519).',
  malformed: 'This private key is damaged (incomplete or altered). Paste the whole file again.',
} as const;

/**
 * The checks of a private key typed into the modal: it is one, it has no
 * passphrase, and its public half is a deploy key with write access on the
 * repository it is for. The texts show the public half only.
 */
export function checkDeployKey(i: DeployKeyCheckInput): DeployKeyCheckResult {
  const key = inspectPrivateKey(i.value);
  if (!key.ok) return { checks: [{ id: 'key', level: 'fail', text: REASON[key.reason] }] };
  const checks: SecretCheck[] = [{ id: 'key', level: 'ok', text: `An ${key.type} private key without passphrase (${key.fingerprint}).` }];
  const facts = { publicKey: key.publicKey, fingerprint: key.fingerprint };
  if (!i.target) {
    checks.push({ id: 'deploy-key', level: 'warn', text: 'No mirror is configured, so I could not check that this key is a deploy key.' });
    return { checks, ...facts };
  }
  const where = `${i.target.repo} on ${i.target.host}`;
  if (!Array.isArray(i.target.keys)) {
    checks.push({
      id: 'deploy-key',
      level: 'warn',
      text: `I could not list the deploy keys of ${where} (${i.target.keys.unavailable}), so this was not checked.`,
    });
    return { checks, ...facts };
  }
  const match = i.target.keys.find((k) => sameSshPublicKey(k.key, key.publicKey));
  if (!match) {
    checks.push({
      id: 'deploy-key',
      level: 'fail',
      text: `Its public key is not a deploy key of ${where}. Add it there with write access first: ${key.publicKey}`,
    });
  } else if (match.readOnly) {
    checks.push({
      id: 'deploy-key',
      level: 'fail',
      text: `It is the deploy key "${match.title}" of ${where}, but read-only: the sync pushes, so it needs write access.`,
    });
  } else {
    checks.push({ id: 'deploy-key', level: 'ok', text: `It is the deploy key "${match.title}" of ${where}, with write access.` });
  }
  return { checks, ...facts };
}
