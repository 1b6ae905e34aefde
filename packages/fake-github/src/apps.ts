import { verify } from 'node:crypto';
import type { AppRec, GitHubState } from './state.js';

/**
 * GitHub App authentication: an RS256 JWT signed with the app's private key, `iss`
 * the app id, valid for at most ten minutes. Checked against the public half of the
 * key the test installed, with the error messages GitHub answers.
 */

export const looksLikeJwt = (token: string): boolean => /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/.test(token);

export type JwtResult = { ok: true; app: AppRec } | { ok: false; message: string };

const UNDECODABLE = 'A JSON web token could not be decoded';

function decodePart(part: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function verifyAppJwt(state: GitHubState, jwt: string, nowSec = Math.floor(Date.now() / 1000)): JwtResult {
  const [h, p, s] = jwt.split('.');
  if (!h || !p || s === undefined) return { ok: false, message: UNDECODABLE };
  const header = decodePart(h);
  const payload = decodePart(p);
  if (!header || !payload || header.alg !== 'RS256') return { ok: false, message: UNDECODABLE };
  const app = state.apps.get(Number(payload.iss));
  if (!app) return { ok: false, message: UNDECODABLE };
  const good = verify('RSA-SHA256', Buffer.from(`${h}.${p}`), app.publicKey, Buffer.from(s, 'base64url'));
  if (!good) return { ok: false, message: UNDECODABLE };
  const { exp, iat } = payload;
  if (typeof iat !== 'number' || iat > nowSec + 60) {
    return { ok: false, message: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued." };
  }
  if (typeof exp !== 'number' || exp <= nowSec) {
    return { ok: false, message: "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires." };
  }
  if (exp - iat > 600) return { ok: false, message: "'Expiration time' claim ('exp') is too far in the future." };
  return { ok: true, app };
}
