import type * as AppAuthModuleNs from '@octokit/auth-app';
import type { createAppAuth } from '@octokit/auth-app';

type AppAuthModule = typeof AppAuthModuleNs;
type AppAuth = ReturnType<typeof createAppAuth>;
type AppAuthOptions = Parameters<typeof createAppAuth>[0];

let loading: Promise<AppAuthModule> | null = null;

/**
 * @octokit/auth-app (with its JWT signing and OAuth helpers) is loaded when a GitHub App is
 * first used, not at start: a bot configured with a token never loads it (bench part 6,
 * idle memory). In the bundle the dynamic import becomes a lazily run module (scripts/build.mjs).
 */
export function loadAppAuth(): Promise<AppAuthModule> {
  loading ??= import('@octokit/auth-app');
  return loading;
}

/**
 * An Octokit auth strategy that behaves as createAppAuth: Octokit calls it with its request
 * and log plus our App options, wraps every request with its hook, and exposes it as
 * `octokit.auth`. Both wait for the module on first use, then delegate.
 */
export function lazyAppAuth(options: AppAuthOptions) {
  let auth: Promise<AppAuth> | null = null;
  const ready = (): Promise<AppAuth> => {
    auth ??= loadAppAuth().then((m) => m.createAppAuth(options));
    return auth;
  };
  const call = (...args: Parameters<AppAuth>) => ready().then((a) => a(...args));
  const hook = (...args: Parameters<AppAuth['hook']>) => ready().then((a) => a.hook(...args));
  return Object.assign(call, { hook });
}
