import { createECDH, createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

export type SshKeyProblem = 'not_a_key' | 'public_key' | 'encrypted' | 'unsupported_format' | 'malformed';

export type SshKeyInspection =
  | {
      ok: true;
      /** e.g. `ssh-ed25519`. */
      type: string;
      /** `ssh-ed25519 AAAA…` as in authorized_keys and GitHub's deploy key list, without comment. */
      publicKey: string;
      /** `SHA256:…` as `ssh-keygen -l` prints it. */
      fingerprint: string;
      /** From an OpenSSH key's private section; PEM keys have none. */
      comment: string | null;
    }
  | { ok: false; reason: SshKeyProblem };

const fail = (reason: SshKeyProblem): SshKeyInspection => ({ ok: false, reason });

/** Larger than any SSH private key (a 16384-bit RSA key is about 13 KB); refuses work on pasted novels. */
const MAX_INPUT = 64 * 1024;

/**
 * Thrown by the parsers below on any inconsistency and mapped to `malformed`. It never
 * carries key material: the message is fixed.
 */
class Damaged extends Error {
  constructor() {
    super('damaged key');
  }
}

/** SSH wire format: uint32-length-prefixed strings (RFC 4251 §5). */
class Reader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}
  get left(): number {
    return this.buf.length - this.at;
  }
  uint32(): number {
    if (this.left < 4) throw new Damaged();
    const v = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }
  bytes(): Buffer {
    const n = this.uint32();
    if (n > this.left) throw new Damaged();
    const v = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return v;
  }
  /** A name such as a key type or cipher: printable ASCII, or the key is damaged. */
  name(): string {
    const b = this.bytes();
    if (!/^[\x21-\x7e]*$/.test(b.toString('latin1'))) throw new Damaged();
    return b.toString('latin1');
  }
  rest(): Buffer {
    const v = this.buf.subarray(this.at);
    this.at = this.buf.length;
    return v;
  }
}

function sshString(data: Buffer | string): Buffer {
  const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

/** An SSH mpint from unsigned big-endian bytes: no leading zeros, but one zero byte when the top bit is set. */
function mpint(unsigned: Buffer): Buffer {
  let i = 0;
  while (i < unsigned.length && unsigned[i] === 0) i++;
  const v = unsigned.subarray(i);
  return sshString(v.length && (v[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
}

const bigint = (b: Buffer): bigint => (b.length ? BigInt(`0x${b.toString('hex')}`) : 0n);

function describe(blob: Buffer, comment: string | null): SshKeyInspection {
  const type = new Reader(blob).name();
  const fingerprint = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
  return { ok: true, type, publicKey: `${type} ${blob.toString('base64')}`, fingerprint, comment };
}

/** Strict base64 after dropping whitespace: Node's decoder would silently skip stray characters. */
function decodeBase64(body: string): Buffer {
  const b64 = body.replace(/\s+/g, '');
  if (!b64 || b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw new Damaged();
  return Buffer.from(b64, 'base64');
}

const ECDSA_CURVES: Record<string, { ssh: string; openssl: string }> = {
  'ecdsa-sha2-nistp256': { ssh: 'nistp256', openssl: 'prime256v1' },
  'ecdsa-sha2-nistp384': { ssh: 'nistp384', openssl: 'secp384r1' },
  'ecdsa-sha2-nistp521': { ssh: 'nistp521', openssl: 'secp521r1' },
};

/** PKCS#8 wrapping of a raw ed25519 seed (RFC 8410), so node:crypto can derive its public key. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * The private fields of one key in an OpenSSH private section, checked against each
 * other: the public key they imply must be the outer one, so a key altered or cut
 * anywhere is caught, not only in its first bytes.
 */
function readPrivateFields(r: Reader, type: string): Buffer {
  if (type === 'ssh-ed25519') {
    const pk = r.bytes();
    const sk = r.bytes(); // seed ‖ public key
    if (pk.length !== 32 || sk.length !== 64 || !sk.subarray(32).equals(pk)) throw new Damaged();
    const derived = createPublicKey(createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, sk.subarray(0, 32)]), format: 'der', type: 'pkcs8' }))
      .export({ format: 'der', type: 'spki' })
      .subarray(-32);
    if (!derived.equals(pk)) throw new Damaged();
    return Buffer.concat([sshString(type), sshString(pk)]);
  }
  if (type === 'ssh-rsa') {
    const [n, e, , , p, q] = [r.bytes(), r.bytes(), r.bytes(), r.bytes(), r.bytes(), r.bytes()] as const;
    if (bigint(p) * bigint(q) !== bigint(n)) throw new Damaged();
    return Buffer.concat([sshString(type), sshString(e), sshString(n)]);
  }
  const curve = ECDSA_CURVES[type];
  if (curve) {
    const [name, q, d] = [r.name(), r.bytes(), r.bytes()] as const;
    if (name !== curve.ssh) throw new Damaged();
    const ecdh = createECDH(curve.openssl);
    ecdh.setPrivateKey(bigintBytes(d));
    if (!ecdh.getPublicKey().equals(q)) throw new Damaged();
    return Buffer.concat([sshString(type), sshString(name), sshString(q)]);
  }
  throw new Damaged(); // callers check the type first
}

/** An mpint's magnitude without its sign byte. */
const bigintBytes = (mp: Buffer): Buffer => (mp[0] === 0 ? mp.subarray(1) : mp);

/** `openssh-key-v1`, as written by ssh-keygen since OpenSSH 7.8 (PROTOCOL.key). */
function openssh(body: string): SshKeyInspection {
  const raw = decodeBase64(body);
  const magic = Buffer.from('openssh-key-v1\0', 'latin1');
  if (!raw.subarray(0, magic.length).equals(magic)) throw new Damaged();
  const r = new Reader(raw.subarray(magic.length));
  const cipher = r.name();
  const kdf = r.name();
  r.bytes(); // kdf options
  if (r.uint32() !== 1) return fail('unsupported_format');
  const blob = r.bytes();
  const type = new Reader(blob).name();
  const section = r.bytes();
  if (r.left !== 0) throw new Damaged();
  // Actions cannot type a passphrase, and without one nothing else can be read.
  if (cipher !== 'none') return fail('encrypted');
  if (kdf !== 'none') throw new Damaged();
  // DSA is refused by GitHub, and security-key (sk-) keys need a touch no runner can give.
  if (type !== 'ssh-ed25519' && type !== 'ssh-rsa' && !ECDSA_CURVES[type]) return fail('unsupported_format');

  const p = new Reader(section);
  if (p.uint32() !== p.uint32()) throw new Damaged();
  if (p.name() !== type) throw new Damaged();
  if (!readPrivateFields(p, type).equals(blob)) throw new Damaged();
  const comment = p.bytes().toString('utf8');
  // Padding to the cipher's block size (8 for none): the bytes 1, 2, 3, …
  const padding = p.rest();
  if (section.length % 8 !== 0 || padding.some((b, i) => b !== i + 1)) throw new Damaged();
  return describe(blob, comment === '' ? null : comment);
}

const PEM_TYPES: Record<string, 'pkcs1' | 'sec1' | 'pkcs8'> = { 'RSA PRIVATE KEY': 'pkcs1', 'EC PRIVATE KEY': 'sec1', 'PRIVATE KEY': 'pkcs8' };
const JWK_CURVES: Record<string, string> = { 'P-256': 'ecdsa-sha2-nistp256', 'P-384': 'ecdsa-sha2-nistp384', 'P-521': 'ecdsa-sha2-nistp521' };

/** The SSH public key blob of a key node:crypto understands, or null for a kind SSH (or GitHub) does not take. */
function sshBlob(key: KeyObject): Buffer | null {
  const kind = key.asymmetricKeyType;
  if (kind !== 'rsa' && kind !== 'ec' && kind !== 'ed25519') return null;
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  const b = (v: string | undefined) => Buffer.from(v ?? '', 'base64url');
  if (kind === 'rsa') return Buffer.concat([sshString('ssh-rsa'), mpint(b(jwk.e)), mpint(b(jwk.n))]);
  if (kind === 'ed25519') return Buffer.concat([sshString('ssh-ed25519'), sshString(b(jwk.x))]);
  const type = jwk.crv ? JWK_CURVES[jwk.crv] : undefined;
  if (!type) return null;
  const point = Buffer.concat([Buffer.from([4]), b(jwk.x), b(jwk.y)]);
  return Buffer.concat([sshString(type), sshString(type.slice('ecdsa-sha2-'.length)), sshString(point)]);
}

/** PKCS#1 RSA, SEC1 EC and PKCS#8 keys (`ssh-keygen -m PEM` / `-m PKCS8`, openssl). */
function pem(label: string, body: string): SshKeyInspection {
  const type = PEM_TYPES[label];
  if (!type) return fail('unsupported_format');
  // Legacy encrypted PEM: `Proc-Type: 4,ENCRYPTED` and `DEK-Info` headers before the base64.
  if (/Proc-Type:\s*4,\s*ENCRYPTED/i.test(body)) return fail('encrypted');
  const der = decodeBase64(body);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: der, format: 'der', type });
  } catch {
    throw new Damaged();
  }
  const blob = sshBlob(key);
  return blob ? describe(blob, null) : fail('unsupported_format');
}

const BEGIN = /-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY)-----/;
const PUBLIC_KEY_LINE =
  /(?:^|\s)(?:ssh-(?:ed25519|rsa|dss)|ecdsa-sha2-nistp(?:256|384|521)|sk-[a-z0-9-]+@openssh\.com)(?:-cert-v01@openssh\.com)?\s+AAAA[A-Za-z0-9+/]+={0,2}(?:\s|$)/;
const PUBLIC_KEY_ARMOR = /-----BEGIN (?:RSA |EC )?PUBLIC KEY-----|---- BEGIN SSH2 PUBLIC KEY ----/;

function inspect(text: string): SshKeyInspection {
  const begin = BEGIN.exec(text);
  const label = begin?.[1];
  if (begin && label) {
    if (label === 'ENCRYPTED PRIVATE KEY') return fail('encrypted');
    const from = begin.index + begin[0].length;
    const end = text.indexOf(`-----END ${label}-----`, from);
    // The start of a key without its end: cut off while copying.
    if (end < 0) return label === 'OPENSSH PRIVATE KEY' || PEM_TYPES[label] ? fail('malformed') : fail('unsupported_format');
    const body = text.slice(from, end);
    return label === 'OPENSSH PRIVATE KEY' ? openssh(body) : pem(label, body);
  }
  if (PUBLIC_KEY_LINE.test(text) || PUBLIC_KEY_ARMOR.test(text)) return fail('public_key');
  if (/^PuTTY-User-Key-File-\d+:/m.test(text)) return fail('unsupported_format');
  return fail('not_a_key');
}

/**
 * What a pasted SSH private key is, without keeping it: its type, public half (as
 * GitHub lists deploy keys) and fingerprint (as `ssh-keygen -l` prints it).
 *
 * Tolerates CRLF, surrounding text (a code fence) and line breaks turned into spaces
 * by Slack. Never throws; no result carries key material beyond the public half.
 */
export function inspectPrivateKey(text: string): SshKeyInspection {
  if (typeof text !== 'string' || text.length > MAX_INPUT) return fail('not_a_key');
  try {
    return inspect(text);
  } catch {
    // Damaged, or node:crypto refusing the key: either way nothing about it is repeated.
    return fail('malformed');
  }
}

/** `type` and decoded blob of an authorized_keys-style line, or null when it is not one. */
function parsePublicKey(line: string): { type: string; blob: Buffer } | null {
  const [type = '', b64 = ''] = line.trim().split(/\s+/);
  try {
    const blob = decodeBase64(b64);
    return new Reader(blob).name() === type ? { type, blob } : null;
  } catch {
    return null;
  }
}

/**
 * Same SSH public key: same type and same key blob, comments and spacing ignored.
 * Matches a private key's public half against a repository's deploy keys, which
 * GitHub lists as `ssh-ed25519 AAAA…` without comment.
 */
export function sameSshPublicKey(a: string, b: string): boolean {
  const x = parsePublicKey(a);
  const y = parsePublicKey(b);
  return x !== null && y !== null && x.type === y.type && x.blob.equals(y.blob);
}

/** `SHA256:…` of a public key line (`ssh-ed25519 AAAA… [comment]`), as `ssh-keygen -l` prints it; null when it is no key. */
export function publicKeyFingerprint(line: string): string | null {
  const k = parsePublicKey(line);
  return k ? `SHA256:${createHash('sha256').update(k.blob).digest('base64').replace(/=+$/, '')}` : null;
}
