import type Sodium from 'libsodium-wrappers';

// libsodium (a WebAssembly build) is loaded on the first seal, not at start-up: most runs of the bot seal nothing.
let loaded: Promise<typeof Sodium> | undefined;
const libsodium = (): Promise<typeof Sodium> => (loaded ??= import('libsodium-wrappers').then((m) => m.default));

/**
 * Seals a value for a repository's Actions public key (libsodium `crypto_box_seal`),
 * as GitHub requires. Only GitHub holds the private key: what this returns can be
 * stored and handed to any replica without exposing the value.
 */
export async function sealForGitHub(publicKeyBase64: string, value: string): Promise<string> {
  const sodium = await libsodium();
  await sodium.ready;
  const key = sodium.from_base64(publicKeyBase64, sodium.base64_variants.ORIGINAL);
  const sealed = sodium.crypto_box_seal(sodium.from_string(value), key);
  return sodium.to_base64(sealed, sodium.base64_variants.ORIGINAL);
}
