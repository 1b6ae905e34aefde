/**
 * How GitHub reads an SSH public key it is given as a deploy key: `type base64 [comment]`,
 * where the base64 must decode to a key blob of that very type with the fields that
 * type has, no more and no less. DSA is refused (GitHub dropped it in 2022).
 */

const POINT_BYTES: Record<string, number> = { nistp256: 65, nistp384: 97, nistp521: 133 };

class Short extends Error {}

function reader(buf: Buffer) {
  let at = 0;
  const bytes = (): Buffer => {
    if (buf.length - at < 4) throw new Short();
    const n = buf.readUInt32BE(at);
    if (n > buf.length - at - 4) throw new Short();
    const v = buf.subarray(at + 4, at + 4 + n);
    at += 4 + n;
    return v;
  };
  return { bytes, name: () => bytes().toString('latin1'), done: () => at === buf.length };
}

/** Whether the blob holds exactly the fields of a `type` key, with sensible sizes. */
function wellFormed(type: string, blob: Buffer): boolean {
  const r = reader(blob);
  if (r.name() !== type) return false;
  switch (type) {
    case 'ssh-ed25519':
      return r.bytes().length === 32 && r.done();
    case 'sk-ssh-ed25519@openssh.com':
      return r.bytes().length === 32 && r.name().length > 0 && r.done();
    case 'ssh-rsa': {
      const e = r.bytes();
      const n = r.bytes();
      return e.length > 0 && n.length >= 128 && r.done();
    }
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521': {
      const curve = r.name();
      const point = r.bytes();
      return `ecdsa-sha2-${curve}` === type && point.length === POINT_BYTES[curve] && point[0] === 4 && r.done();
    }
    case 'sk-ecdsa-sha2-nistp256@openssh.com': {
      const curve = r.name();
      const point = r.bytes();
      return curve === 'nistp256' && point.length === 65 && r.name().length > 0 && r.done();
    }
    default:
      return false;
  }
}

/** `type base64` of a public key line GitHub would take (comment dropped), or null. */
export function normalizeSshPublicKey(text: string): string | null {
  const m = /^(\S+) (AAAA[A-Za-z0-9+/]+={0,2})(?:[ \t]+.*)?$/.exec(text.trim());
  const type = m?.[1];
  const b64 = m?.[2];
  if (!type || !b64 || b64.length % 4 !== 0) return null;
  try {
    return wellFormed(type, Buffer.from(b64, 'base64')) ? `${type} ${b64}` : null;
  } catch (e) {
    if (e instanceof Short) return null;
    throw e;
  }
}
