/**
 * generateDeployKey against the real thing: ssh-keygen must read the private key it
 * writes (no passphrase), derive the same public key and print the same fingerprint.
 * Where ssh-keygen is not installed those cases are skipped; the rest still runs.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { generateDeployKey } from '../../src/core/secrets/keygen.js';
import { inspectPrivateKey, sameSshPublicKey } from '../../src/core/secrets/sshKey.js';

const SSH_KEYGEN = ['/usr/bin/ssh-keygen', '/bin/ssh-keygen', '/usr/local/bin/ssh-keygen'].find((p) => existsSync(p));
const needsSshKeygen = { skip: SSH_KEYGEN ? false : 'ssh-keygen is not installed: cannot compare with OpenSSH' };

const dir = mkdtempSync(join(tmpdir(), 'keygen-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** Writes the private key as ssh-keygen expects a key file (mode 0600, or it refuses to read it). */
function keyFile(text: string): string {
  const file = join(dir, `k${n++}`);
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

/** The two check ints at the start of the private section (PROTOCOL.key). */
function checkInts(text: string): [number, number] {
  const raw = Buffer.from(text.split('\n').slice(1, -2).join(''), 'base64');
  let at = 15; // after "openssh-key-v1\0"
  const skipString = (): void => {
    at += 4 + raw.readUInt32BE(at);
  };
  skipString(); // cipher
  skipString(); // kdf
  skipString(); // kdf options
  at += 4; // number of keys
  skipString(); // public key blob
  at += 4; // length of the private section
  return [raw.readUInt32BE(at), raw.readUInt32BE(at + 4)];
}

const ssh = (args: string[]): string => execFileSync(SSH_KEYGEN ?? 'ssh-keygen', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

describe('generateDeployKey', () => {
  const comment = 'github-actions-pywats-sync';
  const key = generateDeployKey(comment);

  test('the private key is an OpenSSH key file: armour, 70-column base64, no cipher', () => {
    const lines = key.privateKey.split('\n');
    assert.equal(lines[0], '-----BEGIN OPENSSH PRIVATE KEY-----');
    assert.equal(lines.at(-2), '-----END OPENSSH PRIVATE KEY-----');
    assert.equal(lines.at(-1), '', 'ends with a newline');
    const body = lines.slice(1, -2);
    assert.ok(
      body.slice(0, -1).every((l) => l.length === 70),
      'every full line is 70 characters',
    );
    assert.ok((body.at(-1)?.length ?? 0) > 0 && (body.at(-1)?.length ?? 0) <= 70);
    const raw = Buffer.from(body.join(''), 'base64');
    assert.equal(raw.subarray(0, 15).toString('latin1'), 'openssh-key-v1\0');
    assert.equal(raw.subarray(15, 31).toString('latin1'), '\0\0\0\x04none\0\0\0\x04none');
  });

  test('the public key line and fingerprint have the shapes ssh-keygen gives', () => {
    assert.match(key.publicKey, /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]{43} github-actions-pywats-sync$/);
    assert.match(key.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  test('inspectPrivateKey reads it as a passphrase-less ed25519 key with the same public half', () => {
    const inspected = inspectPrivateKey(key.privateKey);
    assert.ok(inspected.ok, JSON.stringify(inspected));
    assert.equal(inspected.type, 'ssh-ed25519');
    assert.equal(inspected.comment, comment);
    assert.equal(inspected.fingerprint, key.fingerprint);
    assert.ok(sameSshPublicKey(inspected.publicKey, key.publicKey));
  });

  test('ssh-keygen -y derives the same public key from the private key file', needsSshKeygen, () => {
    const derived = ssh(['-y', '-f', keyFile(key.privateKey)]).trim();
    // OpenSSH 9.x appends the comment; older versions do not.
    assert.ok(sameSshPublicKey(derived, key.publicKey), `${derived} vs ${key.publicKey}`);
    assert.equal(derived.split(/\s+/).slice(0, 2).join(' '), key.publicKey.split(' ').slice(0, 2).join(' '));
  });

  test('ssh-keygen -l prints the same fingerprint and comment', needsSshKeygen, () => {
    const pub = keyFile(`${key.publicKey}\n`);
    const [bits, fingerprint, ...rest] = ssh(['-l', '-f', pub]).trim().split(/\s+/);
    assert.equal(bits, '256');
    assert.equal(fingerprint, key.fingerprint);
    assert.deepEqual(rest, [comment, '(ED25519)']);
    // And from the private key file itself.
    assert.equal(
      ssh(['-l', '-f', keyFile(key.privateKey)])
        .trim()
        .split(/\s+/)[1],
      key.fingerprint,
    );
  });

  test('two calls give two different keys', () => {
    const other = generateDeployKey(comment);
    assert.notEqual(other.privateKey, key.privateKey);
    const [a1, a2] = checkInts(key.privateKey);
    const [b1, b2] = checkInts(other.privateKey);
    assert.equal(a1, a2, 'the check ints of one key are equal');
    assert.equal(b1, b2);
    assert.notEqual(a1, b1, 'and random');
    assert.notEqual(other.fingerprint, key.fingerprint);
    assert.ok(!sameSshPublicKey(other.publicKey, key.publicKey));
  });

  test('any comment length pads the private section correctly; an empty comment is allowed', () => {
    for (const c of ['', 'a', 'ab', 'abc', 'deploy key for olreppe/pyWATS → wats.ghe.com']) {
      const k = generateDeployKey(c);
      const inspected = inspectPrivateKey(k.privateKey);
      assert.ok(inspected.ok, `comment ${JSON.stringify(c)}: ${JSON.stringify(inspected)}`);
      assert.equal(inspected.comment, c === '' ? null : c);
      assert.equal(k.publicKey, c ? `${inspected.publicKey} ${c}` : inspected.publicKey);
    }
  });

  test('a comment with a line break is refused, and the message holds no key material', () => {
    assert.throws(
      () => generateDeployKey('two\nlines'),
      (e: unknown) => e instanceof Error && !/PRIVATE KEY|AAAA/.test(e.message),
    );
  });
});
