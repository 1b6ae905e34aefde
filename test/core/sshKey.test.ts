/**
 * inspectPrivateKey against the real thing: keys made by ssh-keygen at test time,
 * compared with what `ssh-keygen -y` and `ssh-keygen -l` print for them. Where
 * ssh-keygen is not installed those tests are skipped and the rest still runs: an
 * OpenSSH-format ed25519 key built by hand from a fixed seed (its public key and
 * fingerprint below were printed by ssh-keygen 9.2 for exactly that key) and PEM keys
 * from node:crypto. No key file is kept in the repository: secret scanners would
 * rightly flag one.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { inspectPrivateKey, sameSshPublicKey, type SshKeyInspection } from '../../src/core/secrets/sshKey.js';

const HAVE_SSH_KEYGEN = !spawnSync('ssh-keygen', ['-?']).error;
const needsSshKeygen = { skip: HAVE_SSH_KEYGEN ? false : 'ssh-keygen is not installed' };

const dir = mkdtempSync(join(tmpdir(), 'sshkey-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** A key made by ssh-keygen: the private key file's text, and what ssh-keygen says of it. */
function keygen(args: string[], passphrase = ''): { text: string; publicKey: string; fingerprint: string } {
  const file = join(dir, `k${n++}`);
  execFileSync('ssh-keygen', ['-q', ...args, '-N', passphrase, '-f', file]);
  const text = readFileSync(file, 'utf8');
  // `-y` reads the private key (asking for no passphrase when it has none); `-l` prints "bits SHA256:… comment (TYPE)".
  const y = passphrase ? readFileSync(`${file}.pub`, 'utf8') : execFileSync('ssh-keygen', ['-y', '-f', file]).toString();
  const l = execFileSync('ssh-keygen', ['-l', '-f', `${file}.pub`]).toString();
  return { text, publicKey: y.trim().split(/\s+/).slice(0, 2).join(' '), fingerprint: l.split(/\s+/)[1] ?? '' };
}

// ---- An OpenSSH-format key built by hand (PROTOCOL.key), for the cases ssh-keygen cannot make. ----

const str = (b: Buffer | string) => {
  const d = typeof b === 'string' ? Buffer.from(b) : b;
  return Buffer.concat([u32(d.length), d]);
};
function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
}

const SEED = createHash('sha256').update('sshKey.test.ts fixed seed').digest();
/** What `ssh-keygen -y` and `ssh-keygen -l` printed for the key `handMade()` builds from SEED. */
const HAND_MADE_PUBLIC = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBWHr2uiKxL+6ZBhTZvZ9bULOpLl3IbBXDM2RkiL/8tP';
const HAND_MADE_FINGERPRINT = 'SHA256:UJqP5Wd1pGe1CZ2M58YgasTb3d5qW/u06UcASz3ymCU';

function ed25519Public(seed: Buffer): Buffer {
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  return createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }))
    .export({ format: 'der', type: 'spki' })
    .subarray(-32);
}

interface HandMade {
  seed?: Buffer;
  comment?: string;
  checkInts?: [number, number];
  cipher?: string;
  kdf?: string;
  nkeys?: number;
  type?: string;
  /** Change the private section before padding (e.g. to alter the secret half). */
  privateFields?: (pk: Buffer, seed: Buffer) => Buffer;
  padding?: (len: number) => Buffer;
  lineWidth?: number;
  /** Bytes after the private section, which ssh-keygen never writes. */
  trailing?: Buffer;
}

function handMade(o: HandMade = {}): string {
  const seed = o.seed ?? SEED;
  const pk = ed25519Public(seed);
  const type = o.type ?? 'ssh-ed25519';
  const blob = Buffer.concat([str(type), str(pk)]);
  const [c1, c2] = o.checkInts ?? [0x5eed5eed, 0x5eed5eed];
  const fields = o.privateFields ? o.privateFields(pk, seed) : Buffer.concat([str(pk), str(Buffer.concat([seed, pk]))]);
  const body = Buffer.concat([u32(c1), u32(c2), str(type), fields, str(o.comment ?? 'test@chatops')]);
  const padLen = (8 - (body.length % 8)) % 8;
  const padding = o.padding ? o.padding(padLen) : Buffer.from(Array.from({ length: padLen }, (_, i) => i + 1));
  const kdfOptions = o.kdf && o.kdf !== 'none' ? str(Buffer.concat([str(Buffer.alloc(16, 7)), u32(16)])) : str('');
  const raw = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    str(o.cipher ?? 'none'),
    str(o.kdf ?? 'none'),
    kdfOptions,
    u32(o.nkeys ?? 1),
    str(blob),
    str(Buffer.concat([body, padding])),
    o.trailing ?? Buffer.alloc(0),
  ]);
  const lines = raw.toString('base64').match(new RegExp(`.{1,${o.lineWidth ?? 70}}`, 'g')) ?? [];
  return ['-----BEGIN OPENSSH PRIVATE KEY-----', ...lines, '-----END OPENSSH PRIVATE KEY-----', ''].join('\n');
}

const failure = (reason: string): SshKeyInspection => ({ ok: false, reason }) as SshKeyInspection;

function publicOf(r: SshKeyInspection): string {
  assert.ok(r.ok, `expected a key, got ${JSON.stringify(r)}`);
  return r.publicKey;
}

describe('inspectPrivateKey: keys made by ssh-keygen', () => {
  for (const args of [
    ['-t', 'ed25519'],
    ['-t', 'rsa', '-b', '2048'],
    ['-t', 'ecdsa', '-b', '256'],
    ['-t', 'ecdsa', '-b', '384'],
    ['-t', 'ecdsa', '-b', '521'],
  ]) {
    test(`${args.join(' ')}: public key, fingerprint and comment as ssh-keygen prints them`, needsSshKeygen, () => {
      const k = keygen([...args, '-C', 'deploy@wats ghe']);
      const r = inspectPrivateKey(k.text);
      assert.deepEqual(r, { ok: true, type: k.publicKey.split(' ')[0], publicKey: k.publicKey, fingerprint: k.fingerprint, comment: 'deploy@wats ghe' });
    });
  }

  test('no comment is null, not an empty string', needsSshKeygen, () => {
    const r = inspectPrivateKey(keygen(['-t', 'ed25519', '-C', '']).text);
    assert.equal(r.ok && r.comment, null);
  });

  for (const [args, label] of [
    [['-t', 'rsa', '-b', '2048', '-m', 'PEM'], 'RSA PRIVATE KEY'],
    [['-t', 'rsa', '-b', '2048', '-m', 'PKCS8'], 'PRIVATE KEY'],
    [['-t', 'ecdsa', '-b', '256', '-m', 'PEM'], 'EC PRIVATE KEY'],
    [['-t', 'ecdsa', '-b', '384', '-m', 'PKCS8'], 'PRIVATE KEY'],
    [['-t', 'ecdsa', '-b', '521', '-m', 'PEM'], 'EC PRIVATE KEY'],
  ] as const) {
    test(`${args.join(' ')} (${label}): same public key and fingerprint as ssh-keygen, no comment`, needsSshKeygen, () => {
      const k = keygen([...args, '-C', 'ignored']);
      assert.ok(k.text.startsWith(`-----BEGIN ${label}-----`), 'ssh-keygen wrote the expected format');
      assert.deepEqual(inspectPrivateKey(k.text), {
        ok: true,
        type: k.publicKey.split(' ')[0],
        publicKey: k.publicKey,
        fingerprint: k.fingerprint,
        comment: null,
      });
    });
  }

  test('a key with a passphrase is encrypted, in every format', needsSshKeygen, () => {
    assert.deepEqual(inspectPrivateKey(keygen(['-t', 'ed25519'], 'correct horse').text), failure('encrypted'));
    assert.deepEqual(inspectPrivateKey(keygen(['-t', 'rsa', '-b', '2048', '-m', 'PEM'], 'correct horse').text), failure('encrypted'));
    assert.deepEqual(inspectPrivateKey(keygen(['-t', 'ecdsa', '-m', 'PKCS8'], 'correct horse').text), failure('encrypted'));
  });

  test("Slack's paste damage: CRLF, surrounding blanks and code fences, line breaks turned into spaces", needsSshKeygen, () => {
    for (const args of [
      ['-t', 'ed25519'],
      ['-t', 'rsa', '-b', '2048', '-m', 'PEM'],
      ['-t', 'ecdsa', '-m', 'PKCS8'],
    ]) {
      const k = keygen(args);
      for (const text of [
        k.text.replace(/\n/g, '\r\n'),
        `\n\n   ${k.text}  \n`,
        `\`\`\`\n${k.text}\`\`\``,
        k.text.replace(/\n/g, ' '),
        k.text.trim().replace(/\n/g, '  '),
      ]) {
        assert.equal(publicOf(inspectPrivateKey(text)), k.publicKey, args.join(' '));
      }
    }
  });

  test('cut off anywhere: malformed, never a different key', needsSshKeygen, () => {
    for (const args of [
      ['-t', 'ed25519'],
      ['-t', 'rsa', '-b', '2048'],
      ['-t', 'ecdsa', '-b', '384'],
    ]) {
      const k = keygen(args);
      const lines = k.text.trim().split('\n');
      const withoutLastLine = [...lines.slice(0, -2), lines.at(-1)].join('\n');
      assert.deepEqual(inspectPrivateKey(withoutLastLine), failure('malformed'), `${args.join(' ')} missing a line`);
      assert.deepEqual(inspectPrivateKey(lines.slice(0, -1).join('\n')), failure('malformed'), `${args.join(' ')} missing the END line`);
      assert.deepEqual(inspectPrivateKey(lines.slice(0, 3).join('\n')), failure('malformed'), `${args.join(' ')} only the start`);
    }
  });

  test('the .pub file pasted instead of the key', needsSshKeygen, () => {
    const k = keygen(['-t', 'ed25519', '-C', 'me@host']);
    const file = join(dir, `k${n - 1}.pub`);
    assert.deepEqual(inspectPrivateKey(readFileSync(file, 'utf8')), failure('public_key'));
    assert.deepEqual(inspectPrivateKey(k.publicKey), failure('public_key'));
    const rfc4716 = execFileSync('ssh-keygen', ['-e', '-f', file]).toString();
    assert.deepEqual(inspectPrivateKey(rfc4716), failure('public_key'));
  });

  test('node:crypto PEM keys agree with ssh-keygen reading the same file', needsSshKeygen, () => {
    const keys: Array<[string, KeyObject, 'pkcs1' | 'pkcs8' | 'sec1']> = [
      ['rsa pkcs1', generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, 'pkcs1'],
      ['rsa pkcs8', generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey, 'pkcs8'],
      ['P-256 sec1', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, 'sec1'],
      ['P-521 pkcs8', generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey, 'pkcs8'],
    ];
    for (const [label, key, type] of keys) {
      const file = join(dir, `node${n++}`);
      writeFileSync(file, key.export({ format: 'pem', type }).toString(), { mode: 0o600 });
      const expected = execFileSync('ssh-keygen', ['-y', '-f', file]).toString().trim().split(/\s+/).slice(0, 2).join(' ');
      assert.equal(publicOf(inspectPrivateKey(readFileSync(file, 'utf8'))), expected, label);
    }
  });
});

describe('inspectPrivateKey: a hand-made OpenSSH key (no ssh-keygen needed)', () => {
  test('reads type, public key, fingerprint and comment (values printed by ssh-keygen for this key)', () => {
    assert.deepEqual(inspectPrivateKey(handMade()), {
      ok: true,
      type: 'ssh-ed25519',
      publicKey: HAND_MADE_PUBLIC,
      fingerprint: HAND_MADE_FINGERPRINT,
      comment: 'test@chatops',
    });
  });

  test('still agrees with ssh-keygen when it is there', needsSshKeygen, () => {
    const file = join(dir, 'hand');
    writeFileSync(file, handMade(), { mode: 0o600 });
    assert.equal(execFileSync('ssh-keygen', ['-y', '-f', file]).toString().trim(), `${HAND_MADE_PUBLIC} test@chatops`);
    assert.equal(execFileSync('ssh-keygen', ['-l', '-f', file]).toString().split(' ')[1], HAND_MADE_FINGERPRINT);
  });

  test('the result holds nothing of the private half', () => {
    const text = JSON.stringify(inspectPrivateKey(handMade()));
    for (const secret of [SEED.toString('base64'), SEED.toString('hex'), SEED.toString('base64').slice(0, 16)]) assert.ok(!text.includes(secret));
  });

  test('line breaks replaced by spaces, and lines of any width', () => {
    assert.equal(publicOf(inspectPrivateKey(handMade().replace(/\n/g, ' '))), HAND_MADE_PUBLIC);
    assert.equal(publicOf(inspectPrivateKey(handMade({ lineWidth: 4 }))), HAND_MADE_PUBLIC);
    assert.equal(publicOf(inspectPrivateKey(handMade({ lineWidth: 10_000 }))), HAND_MADE_PUBLIC);
  });

  test('a non-ASCII comment is kept', () => {
    const r = inspectPrivateKey(handMade({ comment: 'Bjørn — CI' }));
    assert.equal(r.ok && r.comment, 'Bjørn — CI');
  });

  test('check-ints that differ: malformed (what a wrong passphrase or a damaged key looks like)', () => {
    assert.deepEqual(inspectPrivateKey(handMade({ checkInts: [1, 2] })), failure('malformed'));
  });

  test('a secret half that does not belong to the public key: malformed', () => {
    const other = createHash('sha256').update('another seed').digest();
    // Consistent private section, but for another key than the outer public one.
    assert.deepEqual(
      inspectPrivateKey(handMade({ privateFields: () => Buffer.concat([str(ed25519Public(other)), str(Buffer.concat([other, ed25519Public(other)]))]) })),
      failure('malformed'),
    );
    // Public half right, seed altered.
    assert.deepEqual(
      inspectPrivateKey(handMade({ privateFields: (pk, seed) => Buffer.concat([str(pk), str(Buffer.concat([Buffer.from(seed.map((b) => b ^ 1)), pk]))]) })),
      failure('malformed'),
    );
  });

  test('bad padding, or bytes after the key: malformed', () => {
    assert.deepEqual(inspectPrivateKey(handMade({ padding: (len) => Buffer.alloc(len + 8, 0) })), failure('malformed'));
    assert.deepEqual(inspectPrivateKey(handMade({ trailing: Buffer.alloc(6, 1) })), failure('malformed'));
  });

  test('a cipher other than none is encrypted, whatever the rest says', () => {
    assert.deepEqual(inspectPrivateKey(handMade({ cipher: 'aes256-ctr', kdf: 'bcrypt' })), failure('encrypted'));
    assert.deepEqual(inspectPrivateKey(handMade({ cipher: 'chacha20-poly1305@openssh.com', kdf: 'bcrypt', checkInts: [1, 2] })), failure('encrypted'));
  });

  test('several keys in one file, and key types an Actions runner cannot use: unsupported', () => {
    assert.deepEqual(inspectPrivateKey(handMade({ nkeys: 2 })), failure('unsupported_format'));
    assert.deepEqual(inspectPrivateKey(handMade({ type: 'ssh-dss' })), failure('unsupported_format'));
    assert.deepEqual(inspectPrivateKey(handMade({ type: 'sk-ssh-ed25519@openssh.com' })), failure('unsupported_format'));
  });

  test('base64 that is truncated or has stray characters: malformed', () => {
    const text = handMade();
    const lines = text.trim().split('\n');
    const body = lines.slice(1, -1).join('');
    const armor = (b: string) => `${lines[0]}\n${b}\n${lines.at(-1)}`;
    assert.deepEqual(inspectPrivateKey(armor(body.slice(0, -4))), failure('malformed'));
    assert.deepEqual(inspectPrivateKey(armor(body.slice(0, -1))), failure('malformed'));
    assert.deepEqual(inspectPrivateKey(armor(`${body.slice(0, 40)}!${body.slice(41)}`)), failure('malformed'));
    assert.deepEqual(inspectPrivateKey(armor('')), failure('malformed'));
    assert.deepEqual(inspectPrivateKey(armor(Buffer.from('not-openssh-key-v1\0 at all').toString('base64'))), failure('malformed'));
  });

  test('any single change to the text gives the same key or a failure, never another key, never a throw', () => {
    const text = handMade();
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= \n-';
    fc.assert(
      fc.property(fc.nat({ max: text.length - 1 }), fc.constantFrom(...chars.split('')), fc.constantFrom('replace', 'insert', 'delete'), (at, ch, op) => {
        const changed = op === 'delete' ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + ch + text.slice(op === 'replace' ? at + 1 : at);
        const r = inspectPrivateKey(changed);
        if (r.ok) assert.equal(r.publicKey, HAND_MADE_PUBLIC);
        else assert.ok(['not_a_key', 'public_key', 'encrypted', 'unsupported_format', 'malformed'].includes(r.reason));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('inspectPrivateKey: PEM keys from node:crypto (no ssh-keygen needed)', () => {
  /** The SSH blob spelled out independently of the module: RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4. */
  const mpint = (b: Buffer) => str(b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
  const fp = (blob: Buffer) => `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;

  test('RSA (PKCS#1 and PKCS#8): ssh-rsa with e and n as mpints', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = privateKey.export({ format: 'jwk' });
    const blob = Buffer.concat([str('ssh-rsa'), mpint(Buffer.from(jwk.e!, 'base64url')), mpint(Buffer.from(jwk.n!, 'base64url'))]);
    for (const type of ['pkcs1', 'pkcs8'] as const) {
      assert.deepEqual(inspectPrivateKey(privateKey.export({ format: 'pem', type }).toString()), {
        ok: true,
        type: 'ssh-rsa',
        publicKey: `ssh-rsa ${blob.toString('base64')}`,
        fingerprint: fp(blob),
        comment: null,
      });
    }
  });

  for (const [curve, name] of [
    ['P-256', 'nistp256'],
    ['P-384', 'nistp384'],
    ['P-521', 'nistp521'],
  ] as const) {
    test(`ECDSA ${curve} (SEC1 and PKCS#8): ecdsa-sha2-${name} with the uncompressed point`, () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
      // The SPKI ends with the uncompressed point 04‖x‖y.
      const size = { 'P-256': 65, 'P-384': 97, 'P-521': 133 }[curve];
      const point = publicKey.export({ format: 'der', type: 'spki' }).subarray(-size);
      const blob = Buffer.concat([str(`ecdsa-sha2-${name}`), str(name), str(point)]);
      for (const type of ['sec1', 'pkcs8'] as const) {
        const r = inspectPrivateKey(privateKey.export({ format: 'pem', type }).toString());
        assert.deepEqual(r, {
          ok: true,
          type: `ecdsa-sha2-${name}`,
          publicKey: `ecdsa-sha2-${name} ${blob.toString('base64')}`,
          fingerprint: fp(blob),
          comment: null,
        });
      }
    });
  }

  test('ed25519 (PKCS#8): ssh-ed25519 with the raw public key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const blob = Buffer.concat([str('ssh-ed25519'), str(publicKey.export({ format: 'der', type: 'spki' }).subarray(-32))]);
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    assert.equal(publicOf(inspectPrivateKey(pem)), `ssh-ed25519 ${blob.toString('base64')}`);
    assert.equal(publicOf(inspectPrivateKey(pem.replace(/\n/g, ' '))), `ssh-ed25519 ${blob.toString('base64')}`);
  });

  test('encrypted PEM, legacy and PKCS#8', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const legacy = privateKey.export({ format: 'pem', type: 'pkcs1', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString();
    assert.match(legacy, /Proc-Type: 4,ENCRYPTED/);
    assert.deepEqual(inspectPrivateKey(legacy), failure('encrypted'));
    assert.deepEqual(inspectPrivateKey(legacy.replace(/\n/g, ' ')), failure('encrypted'));
    assert.deepEqual(
      inspectPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString()),
      failure('encrypted'),
    );
  });

  test('key kinds SSH does not take: unsupported', () => {
    const pkcs8 = (k: KeyObject) => k.export({ format: 'pem', type: 'pkcs8' }).toString();
    assert.deepEqual(inspectPrivateKey(pkcs8(generateKeyPairSync('ed448').privateKey)), failure('unsupported_format'));
    assert.deepEqual(inspectPrivateKey(pkcs8(generateKeyPairSync('x25519').privateKey)), failure('unsupported_format'));
    assert.deepEqual(inspectPrivateKey(pkcs8(generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey)), failure('unsupported_format'));
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey;
    assert.deepEqual(inspectPrivateKey(k1.export({ format: 'pem', type: 'sec1' }).toString()), failure('unsupported_format'));
    assert.deepEqual(inspectPrivateKey('-----BEGIN DSA PRIVATE KEY-----\nMIIBuwIBAAKBgQ==\n-----END DSA PRIVATE KEY-----'), failure('unsupported_format'));
    assert.deepEqual(inspectPrivateKey('PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: x\nPublic-Lines: 2\n'), failure('unsupported_format'));
  });

  test('a PEM key with damaged DER: malformed', () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'sec1' }).toString();
    const lines = pem.trim().split('\n');
    assert.deepEqual(inspectPrivateKey([lines[0], lines[1], lines.at(-1)].join('\n')), failure('malformed'));
    assert.deepEqual(inspectPrivateKey(pem.replace(/-----END EC PRIVATE KEY-----/, '')), failure('malformed'));
  });
});

describe('inspectPrivateKey: things that are not private keys', () => {
  test('garbage, empty, tokens, certificates', () => {
    for (const text of ['', '   \n', 'hello', 'ghp_' + 'a'.repeat(36), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', 'x'.repeat(100_000)]) {
      assert.deepEqual(inspectPrivateKey(text), failure('not_a_key'), text.slice(0, 20));
    }
  });

  test('public keys in their usual shapes', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    for (const text of [
      HAND_MADE_PUBLIC,
      `${HAND_MADE_PUBLIC} test@chatops\n`,
      `  ${HAND_MADE_PUBLIC}\r\n`,
      `Here is the key: ${HAND_MADE_PUBLIC}`,
      publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      publicKey.export({ format: 'pem', type: 'pkcs1' }).toString(),
    ]) {
      assert.deepEqual(inspectPrivateKey(text), failure('public_key'), text.slice(0, 30));
    }
  });

  test('a private key pasted together with its public key is read as the private key', () => {
    assert.equal(publicOf(inspectPrivateKey(`${HAND_MADE_PUBLIC} test@chatops\n${handMade()}`)), HAND_MADE_PUBLIC);
  });
});

describe('sameSshPublicKey', () => {
  const other = `ssh-ed25519 ${Buffer.concat([str('ssh-ed25519'), str(Buffer.alloc(32, 9))]).toString('base64')}`;

  test('ignores comments and spacing', () => {
    assert.equal(sameSshPublicKey(HAND_MADE_PUBLIC, `${HAND_MADE_PUBLIC} test@chatops`), true);
    assert.equal(sameSshPublicKey(`  ${HAND_MADE_PUBLIC.replace(' ', '\t ')}\n`, HAND_MADE_PUBLIC), true);
  });

  test('another key, another type, or not a key at all', () => {
    assert.equal(sameSshPublicKey(HAND_MADE_PUBLIC, other), false);
    assert.equal(sameSshPublicKey(HAND_MADE_PUBLIC, HAND_MADE_PUBLIC.replace('ssh-ed25519', 'ssh-rsa')), false);
    assert.equal(sameSshPublicKey('', ''), false);
    assert.equal(sameSshPublicKey('foo bar', 'foo bar'), false);
    assert.equal(sameSshPublicKey('ssh-ed25519', 'ssh-ed25519'), false);
  });

  test('finds the deploy key that goes with a private key, as GitHub lists them', () => {
    const key = inspectPrivateKey(handMade());
    assert.ok(key.ok);
    const deployKeys = [other, HAND_MADE_PUBLIC];
    assert.equal(
      deployKeys.findIndex((k) => sameSshPublicKey(k, key.publicKey)),
      1,
    );
  });
});
