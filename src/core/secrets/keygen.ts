import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { inspectPrivateKey } from './sshKey.js';

/**
 * A new ed25519 deploy key pair. `privateKey` is the OpenSSH private key file's text
 * (what `ssh-keygen -t ed25519 -N ''` writes): the only copy of the secret, so it goes
 * nowhere but into a sealed Actions secret, never into a log, an error or the store.
 */
export interface DeployKeyPair {
  privateKey: string;
  /** `ssh-ed25519 AAAA… comment`, as in a `.pub` file. */
  publicKey: string;
  /** `SHA256:…` as `ssh-keygen -l` prints it. */
  fingerprint: string;
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
}

/** SSH wire-format string: uint32 length, then the bytes (RFC 4251 §5). */
const sshString = (data: Buffer | string): Buffer => {
  const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return Buffer.concat([u32(b.length), b]);
};

const BEGIN = '-----BEGIN OPENSSH PRIVATE KEY-----';
const END = '-----END OPENSSH PRIVATE KEY-----';
/** Block size of cipher `none`: the private section is padded to a multiple of it. */
const BLOCK = 8;

/**
 * Generates an ed25519 key pair and writes the private half in OpenSSH's own format
 * (PROTOCOL.key, `openssh-key-v1`), which node:crypto cannot export: no cipher, no
 * KDF, one key, random matching check ints, the comment, padding 1, 2, 3…, base64
 * wrapped at 70 columns. The result is read back with inspectPrivateKey, so a key
 * this returns is one the `/secret` checks accept.
 */
export function generateDeployKey(comment: string): DeployKeyPair {
  // The comment ends the public key line: a line break would split it.
  if ([...comment].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
    throw new Error('deploy key comment must be a single line of printable text');
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d ?? '', 'base64url');
  const pk = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
  if (seed.length !== 32 || pk.length !== 32) throw new Error('node:crypto returned an ed25519 key of unexpected size');

  const blob = Buffer.concat([sshString('ssh-ed25519'), sshString(pk)]);
  const check = randomBytes(4);
  const secret = Buffer.concat([seed, pk]); // OpenSSH keeps seed ‖ public key
  const unpadded = Buffer.concat([check, check, sshString('ssh-ed25519'), sshString(pk), sshString(secret), sshString(comment)]);
  const padLength = (BLOCK - (unpadded.length % BLOCK)) % BLOCK;
  const section = Buffer.concat([unpadded, Buffer.from(Array.from({ length: padLength }, (_, i) => i + 1))]);
  const file = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString('none'), // cipher
    sshString('none'), // kdf
    sshString(''), // kdf options
    u32(1),
    sshString(blob),
    sshString(section),
  ]);
  const body = file
    .toString('base64')
    .replace(/(.{70})/g, '$1\n')
    .replace(/\n$/, '');
  const text = `${BEGIN}\n${body}\n${END}\n`;
  // Only copies we own can be wiped; the string above is immutable.
  for (const b of [seed, secret, unpadded, section, file]) b.fill(0);

  const inspected = inspectPrivateKey(text);
  if (!inspected.ok || inspected.type !== 'ssh-ed25519') throw new Error('generated deploy key did not read back as an ed25519 key');
  return { privateKey: text, publicKey: comment ? `${inspected.publicKey} ${comment}` : inspected.publicKey, fingerprint: inspected.fingerprint };
}
