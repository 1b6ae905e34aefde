import { createHash, createHmac, generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import sodium from 'libsodium-wrappers';

/**
 * The per-repository key pair GitHub uses for Actions secrets: clients seal a value
 * for the public key with libsodium's `crypto_box_seal`; only the private key opens it.
 * The pair is made with node:crypto (synchronously, so seeding needs no await); the
 * sealed box is opened with libsodium, which must be ready (see `sodiumReady`).
 */
export interface SecretsKeyPair {
  keyId: string;
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

export function newSecretsKeyPair(): SecretsKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  const pub = publicKey.export({ format: 'jwk' });
  const priv = privateKey.export({ format: 'jwk' });
  if (!pub.x || !priv.d) throw new Error('x25519 key export failed');
  // GitHub's key ids are long decimal strings.
  const keyId = BigInt(`0x${randomBytes(8).toString('hex')}`)
    .toString()
    .slice(0, 19);
  return { keyId, publicKey: Buffer.from(pub.x, 'base64url'), privateKey: Buffer.from(priv.d, 'base64url') };
}

export const sodiumReady: Promise<void> = sodium.ready;

/** Opens a sealed box, or returns undefined when it was not sealed for this key pair. */
export function openSealedBox(sealed: Uint8Array, kp: SecretsKeyPair): Uint8Array | undefined {
  try {
    return sodium.crypto_box_seal_open(sealed, kp.publicKey, kp.privateKey);
  } catch {
    return undefined;
  }
}

/** Strict standard base64 (what GitHub's validation accepts for `encrypted_value`). */
export const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;

export function sha1Hex(s: string | Buffer): string {
  return createHash('sha1').update(s).digest('hex');
}

export function sha256Hex(s: string | Buffer): string {
  return createHash('sha256').update(s).digest('hex');
}

/** Git's object id of a blob with this content. */
export function gitBlobSha(content: string): string {
  const buf = Buffer.from(content, 'utf8');
  return sha1Hex(Buffer.concat([Buffer.from(`blob ${buf.length}\0`), buf]));
}

export function hmacHex(key: Buffer, data: string): string {
  return createHmac('sha256', key).update(data).digest('hex');
}

export function safeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
