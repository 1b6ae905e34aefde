import type { ResolvedRepo } from '../config/load.js';
import type { SecretConfig } from '../config/schema.js';
import type { AppDeps } from '../deps.js';
import type { DeployKeyInfo, SecretMeta, SecretsPublicKey } from '../core/ports.js';
import { checkDeployKey } from '../core/secrets/deployKeyChecks.js';
import { tokenDigest } from '../core/secrets/tokenDigest.js';
import { lastFour, type ChangeFacts, type SecretCheck } from '../core/secrets/facts.js';
import { checkToken, failed } from '../core/secrets/tokenChecks.js';
import { isChatOpsError } from '../errors.js';
import { sealForGitHub } from '../github/seal.js';
import { secretText } from '../ui/secretChange.js';
import { knownApiUrls, secretTarget } from './secretTargets.js';
import { displayHost } from '../github/octokit.js';

/** Slack closes a view submission after 3 s; the checks must answer well before. */
export const CHECK_DEADLINE_MS = 2_300;

export type ReplacementCheck =
  /** `hostError`: GitHub did not answer (timeout, 5xx, 429), so nothing was learnt about the value: it is not a wrong value. */
  { ok: false; problems: string[]; hostError: boolean } | { ok: true; facts: ChangeFacts; sealed: { encryptedValue: string; keyId: string } };

class Timeout extends Error {}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout('deadline')), Math.max(0, ms));
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/** A GitHub error that says nothing about the value: the host is down, slow or rate-limiting. */
const isHostError = (e: unknown) => isChatOpsError(e) && (e.code === 'github_unavailable' || e.code === 'github_rate_limited');

type ValueSide = { checks: SecretCheck[]; facts: Partial<ChangeFacts>; hostError?: boolean };

/**
 * Checks a value typed into the modal, as far as its kind allows, and seals it with
 * the repository's Actions public key. The value lives only in this call: what comes
 * back is the sealed box and facts safe to show. Problems are sentences for the modal.
 * `deadlineMs`: what is left of the caller's budget (the modal's share of Slack's 3 s).
 */
export async function checkReplacement(
  deps: AppDeps,
  repo: ResolvedRepo,
  secret: SecretConfig,
  value: string,
  o: { deadlineMs?: number } = {},
): Promise<ReplacementCheck> {
  const now = deps.now();
  const repoRef = { owner: repo.owner, name: repo.repo };
  const target = secretTarget(deps.config, repo, secret);
  // A token is checked, and so stored, trimmed; a key keeps its text (its checks read it as pasted).
  const used = secret.kind === 'deploy-key' ? value : value.trim();
  const release = deps.sanitizer.register(value);
  try {
    const botSide = (async () => {
      const bot = (await deps.gateways.repo(repoRef)).secrets;
      return Promise.all([bot.publicKey(repoRef), bot.secret(repoRef, secret.name)]);
    })();
    const valueSide: Promise<ValueSide> = secret.kind === 'deploy-key' ? deployKeySide(deps, repo, value) : tokenSide(deps, secret, target, used, now);
    // Whichever loses the race below must not end as an unhandled rejection.
    botSide.catch(() => {});
    valueSide.catch(() => {});
    let botResult: [SecretsPublicKey, SecretMeta | null];
    let valueResult: ValueSide;
    try {
      [botResult, valueResult] = await withDeadline(Promise.all([botSide, valueSide]), o.deadlineMs ?? CHECK_DEADLINE_MS);
    } catch (e) {
      if (e instanceof Timeout) return { ok: false, problems: [secretText.timeout], hostError: true };
      if (isChatOpsError(e)) return { ok: false, problems: [`The bot could not prepare the change: ${e.userMessage}`], hostError: isHostError(e) };
      throw e;
    }
    const problems = failed(valueResult.checks).map((c) => c.text);
    if (problems.length) return { ok: false, problems, hostError: valueResult.hostError === true };
    const [publicKey, current] = botResult;
    const encryptedValue = await sealForGitHub(publicKey.key, used);
    return {
      ok: true,
      sealed: { encryptedValue, keyId: publicKey.keyId },
      facts: { impact: [], ...valueResult.facts, checks: valueResult.checks, previousUpdatedAt: current?.updatedAt ?? null },
    };
  } finally {
    release();
  }
}

async function tokenSide(deps: AppDeps, secret: SecretConfig, target: ReturnType<typeof secretTarget>, value: string, now: Date): Promise<ValueSide> {
  const kind = secret.kind === 'deploy-key' ? 'classic-pat' : secret.kind;
  const trimmed = value.trim();
  // Obviously unusable values are refused without asking GitHub.
  const pre = checkToken({
    kind,
    host: target.host,
    value: trimmed,
    requiredScopes: secret.scopes,
    maxAgeDays: secret.maxAgeDays,
    now,
    identity: { ok: false, reason: 'unreachable' },
    target: null,
  });
  if (pre.some((c) => c.id === 'value')) return { checks: pre, facts: {} };
  const probe = deps.gateways.tokenProbe(target.apiUrl, trimmed);
  const [identity, access] = await Promise.all([probe.identity(), target.repo ? probe.repoAccess(target.repo) : Promise.resolve(null)]);
  const acceptedBy = !identity.ok && identity.reason === 'bad_credentials' ? await otherHostAccepting(deps, target.apiUrl, trimmed) : null;
  const checks = checkToken({
    ...(acceptedBy ? { acceptedBy } : {}),
    kind,
    host: target.host,
    value: trimmed,
    requiredScopes: secret.scopes,
    maxAgeDays: secret.maxAgeDays,
    now,
    identity,
    target: target.repo && access ? { repo: `${target.repo.owner}/${target.repo.name}`, access } : null,
  });
  const id = identity.ok ? identity.value : null;
  // Host errors alone: the token was not judged, so the person's try is not spent on it.
  const unanswered = (r: { ok: boolean; reason?: string } | null) => r !== null && !r.ok && r.reason === 'unreachable';
  const failures = failed(checks);
  const hostError = failures.length > 0 && failures.every((c) => (c.id === 'user' && unanswered(identity)) || (c.id === 'push' && unanswered(access)));
  return {
    hostError,
    checks,
    facts: {
      ...(id ? { login: id.login, expiresAt: id.expiresAt ? id.expiresAt.toISOString() : null } : {}),
      ...(id?.scopes ? { scopes: id.scopes } : {}),
      last4: lastFour(trimmed),
      digest: tokenDigest(trimmed),
    },
  };
}

/**
 * A token its host refused may have been made on another host the bot knows (a
 * github.com token for the GHE mirror is the usual slip): ask those, with the token, who
 * it is. Only configured hosts are asked; the answer names a host, never the token.
 */
async function otherHostAccepting(deps: AppDeps, apiUrl: string, token: string): Promise<string | null> {
  const others = knownApiUrls(deps.config).filter((u) => u !== apiUrl);
  const answers = await Promise.all(others.map(async (u) => ((await deps.gateways.tokenProbe(u, token).identity()).ok ? u : null)));
  const hit = answers.find((u) => u !== null);
  return hit ? displayHost(hit) : null;
}

async function deployKeySide(deps: AppDeps, repo: ResolvedRepo, value: string): Promise<{ checks: SecretCheck[]; facts: Partial<ChangeFacts> }> {
  const mirror = repo.sync?.mirror;
  let target: Parameters<typeof checkDeployKey>[0]['target'] = null;
  if (mirror) {
    const [owner = '', name = ''] = mirror.repo.split('/');
    let keys: DeployKeyInfo[] | { unavailable: string };
    try {
      keys = await deps.gateways.mirror(mirror).deployKeys.list({ owner, name });
    } catch (e) {
      if (!isChatOpsError(e)) throw e;
      keys = { unavailable: e.code === 'github_forbidden' || e.code === 'github_not_found' ? "the bot's credential there is not an admin" : e.userMessage };
    }
    target = { host: new URL(mirror.apiUrl).host, repo: mirror.repo, keys };
  }
  const r = checkDeployKey({ value, target });
  return { checks: r.checks, facts: { ...(r.publicKey ? { publicKey: r.publicKey } : {}), ...(r.fingerprint ? { fingerprint: r.fingerprint } : {}) } };
}
