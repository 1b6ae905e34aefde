import type { NewSecretChange } from '../../src/store/index.js';

/** People and times the store tests of approval requests share. */
export const ALICE = 'U0ALICE001';
export const BOB = 'U0BOB00001';
export const CAROL = 'U0CAROL001';
export const T0 = new Date('2026-11-23T10:00:00Z');
export const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

/** An approval request for GHE_TOKEN of pyWATS as the store receives it (the value already sealed). */
export function secretRequest(o: Partial<NewSecretChange> = {}): NewSecretChange {
  return {
    repo: 'olreppe/pyWATS',
    repoName: 'pywats',
    secret: 'GHE_TOKEN',
    secretKind: 'classic-pat',
    action: 'replace',
    requestedBy: ALICE,
    channel: 'C0RELEASES1',
    ciphertext: 'c2VhbGVk',
    keyId: 'key-1',
    facts: { checks: [{ id: 'user', level: 'ok', text: 'works' }], login: 'svc', last4: 'wxyz', impact: [] },
    ttlSeconds: 3600,
    ...o,
  };
}

/** The job that carries out an approved request, as the store enqueues it. */
export const applyJob = (id: string) => ({ kind: 'secret.apply', payload: { changeId: id }, dedupeKey: `secret-apply:${id}` });
