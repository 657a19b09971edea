// Passphrase encryption of an exported file: PBKDF2-HMAC-SHA256 (600,000 rounds, a random 16-byte
// salt) derives an AES-256-GCM key; a random 96-bit IV; a 128-bit tag; the whole header is the
// additional authenticated data, so no byte of it can change unnoticed. WebCrypto only: the same code
// runs in the worker, in a page and in Node 20+. The byte layout is in docs/encrypted-format.md.
//
//   const sealed = await encryptBytes(zipBytes, passphrase);
//   isEncrypted(sealed)                                   // true: a cheap sniff of the first 8 bytes
//   const zip = await decryptBytes(sealed, passphrase, 'model.zip.enc');   // throws EncryptedFileError
//
// A SHA-256 checksum of everything before it closes the file. It is not a security measure (anyone
// can recompute it; the GCM tag is what protects the file): it tells a damaged or edited file from a
// wrong passphrase, which GCM alone cannot, so the user is told the right thing.
import { formatCount } from '../messageNumbers';

export const ENCRYPTED_MAGIC = 'SCTR-ENC';
export const ENCRYPTED_VERSION = 1;
export const KDF_PBKDF2_SHA256 = 1;
/** OWASP's current figure for PBKDF2-HMAC-SHA256. */
export const PBKDF2_ITERATIONS = 600_000;
/** What a file may ask for: fewer is too weak to be ours, more would freeze the tab. */
export const MIN_ITERATIONS = 100_000;
export const MAX_ITERATIONS = 10_000_000;

export const SALT_BYTES = 16;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;
export const CHECKSUM_BYTES = 32;

/** Where each field sits (byte offsets); the header is bytes [0, HEADER_BYTES). */
export const LAYOUT = {
  magic: 0,
  version: 8,
  kdf: 9,
  iterations: 10,
  salt: 14,
  iv: 30,
  length: 42,
  ciphertext: 50,
} as const;
export const HEADER_BYTES = LAYOUT.ciphertext;
/** Header + tag + checksum: the size of an encrypted empty file. */
export const OVERHEAD_BYTES = HEADER_BYTES + TAG_BYTES + CHECKSUM_BYTES;

/** A file that cannot be decrypted; `message` is what the user sees, verbatim. */
export class EncryptedFileError extends Error {
  override name = 'EncryptedFileError';
}

const MAGIC_BYTES = new TextEncoder().encode(ENCRYPTED_MAGIC);

export const encryptedMessages = {
  noPassphrase: 'Choose a passphrase to encrypt the export with.',
  notEncrypted: (name: string) => `${name}: not a file encrypted by Secateur (it does not begin with "${ENCRYPTED_MAGIC}").`,
  unknownVersion: (name: string, version: number) =>
    `${name}: encrypted in format version ${version}, which this studio cannot read (it reads version ${ENCRYPTED_VERSION}). Open it with a newer Secateur.`,
  cutShort: (name: string, size: number, expected: number) =>
    `${name}: the file is cut short: ${formatCount(size)} of the ${formatCount(expected)} bytes its header announces. Download or copy it again.`,
  changed: (name: string) =>
    `${name}: the file was changed or damaged after it was encrypted (its checksum does not match). Download or copy it again.`,
  unknownKdf: (name: string, kdf: number) =>
    `${name}: asks for key derivation ${kdf}, which this studio does not know (1 = PBKDF2-HMAC-SHA256). The file was not made by Secateur.`,
  iterations: (name: string, n: number) =>
    `${name}: asks for ${formatCount(n)} PBKDF2 rounds; the studio accepts ${formatCount(MIN_ITERATIONS)} to ${formatCount(MAX_ITERATIONS)}. The file was not made by Secateur.`,
  wrongPassphrase: (name: string) => `${name}: wrong passphrase. Type it again (capitals and spaces count).`,
};

/** Whether the bytes begin like a Secateur encrypted file. Reads 8 bytes; decrypting checks the rest. */
export function isEncrypted(bytes: Uint8Array): boolean {
  if (bytes.length < MAGIC_BYTES.length) return false;
  for (let i = 0; i < MAGIC_BYTES.length; i++) if (bytes[i] !== MAGIC_BYTES[i]) return false;
  return true;
}

/** Same text, same bytes: a passphrase typed on another keyboard or OS is NFC-normalised first. */
function passphraseBytes(passphrase: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(passphrase.normalize('NFC'));
}

async function deriveKey(passphrase: string, salt: Uint8Array<ArrayBuffer>, iterations: number, usage: KeyUsage): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', passphraseBytes(passphrase), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    [usage],
  );
}

/** Milliseconds one key derivation takes here (what a user waits on export and on open). */
export async function timeKeyDerivation(iterations = PBKDF2_ITERATIONS): Promise<number> {
  const t0 = performance.now();
  await deriveKey('benchmark passphrase', new Uint8Array(SALT_BYTES), iterations, 'encrypt');
  return performance.now() - t0;
}

export interface EncryptOptions {
  /** PBKDF2 rounds; default 600,000. */
  iterations?: number;
  /** Fixed salt and IV, for tests that need the same bytes twice; random otherwise (never reuse them). */
  salt?: Uint8Array;
  iv?: Uint8Array;
}

function writeU32(view: DataView, at: number, n: number) {
  view.setUint32(at, n, false);
}

/** Encrypts `plain` with a key derived from `passphrase`. The result is self-contained. */
export async function encryptBytes(plain: Uint8Array, passphrase: string, options: EncryptOptions = {}): Promise<Uint8Array<ArrayBuffer>> {
  if (passphrase === '') throw new EncryptedFileError(encryptedMessages.noPassphrase);
  const iterations = options.iterations ?? PBKDF2_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
    throw new RangeError(`PBKDF2 rounds must be an integer from ${MIN_ITERATIONS} to ${MAX_ITERATIONS}, not ${iterations}`);
  }
  const salt = options.salt ? new Uint8Array(options.salt) : crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const iv = options.iv ? new Uint8Array(options.iv) : crypto.getRandomValues(new Uint8Array(IV_BYTES));
  if (salt.length !== SALT_BYTES || iv.length !== IV_BYTES) throw new RangeError(`the salt takes ${SALT_BYTES} bytes and the IV ${IV_BYTES}`);

  const sealedLength = plain.length + TAG_BYTES;
  const out = new Uint8Array(HEADER_BYTES + sealedLength + CHECKSUM_BYTES);
  const view = new DataView(out.buffer);
  out.set(MAGIC_BYTES, LAYOUT.magic);
  out[LAYOUT.version] = ENCRYPTED_VERSION;
  out[LAYOUT.kdf] = KDF_PBKDF2_SHA256;
  writeU32(view, LAYOUT.iterations, iterations);
  out.set(salt, LAYOUT.salt);
  out.set(iv, LAYOUT.iv);
  view.setBigUint64(LAYOUT.length, BigInt(sealedLength), false);

  const key = await deriveKey(passphrase, salt, iterations, 'encrypt');
  const header = out.subarray(0, HEADER_BYTES);
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: header, tagLength: TAG_BYTES * 8 }, key, plain as Uint8Array<ArrayBuffer>);
  out.set(new Uint8Array(sealed), HEADER_BYTES);
  const body = out.subarray(0, HEADER_BYTES + sealedLength);
  out.set(new Uint8Array(await crypto.subtle.digest('SHA-256', body)), HEADER_BYTES + sealedLength);
  return out;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/**
 * Decrypts what encryptBytes wrote. `name` starts every message. The checks, in order: the magic,
 * the version, the length the header announces, the checksum (damage), the KDF parameters, and
 * the GCM tag (with an intact file, a failure there means the passphrase is wrong).
 */
export async function decryptBytes(file: Uint8Array, passphrase: string, name = 'The file'): Promise<Uint8Array<ArrayBuffer>> {
  if (!isEncrypted(file)) throw new EncryptedFileError(encryptedMessages.notEncrypted(name));
  if (file.length <= LAYOUT.version) throw new EncryptedFileError(encryptedMessages.cutShort(name, file.length, OVERHEAD_BYTES));
  const version = file[LAYOUT.version];
  if (version !== ENCRYPTED_VERSION) throw new EncryptedFileError(encryptedMessages.unknownVersion(name, version));
  if (file.length < HEADER_BYTES) throw new EncryptedFileError(encryptedMessages.cutShort(name, file.length, OVERHEAD_BYTES));

  const bytes = new Uint8Array(file); // a private, aligned copy: nothing below reads the caller's buffer
  const view = new DataView(bytes.buffer);
  const announced = view.getBigUint64(LAYOUT.length, false);
  const expected = BigInt(HEADER_BYTES + CHECKSUM_BYTES) + announced;
  if (BigInt(bytes.length) < expected) {
    // A length too large to be a file says "cut short" too: the only way to get it is a changed header.
    const shown = expected > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(expected);
    throw new EncryptedFileError(encryptedMessages.cutShort(name, bytes.length, shown));
  }
  if (BigInt(bytes.length) > expected || announced < BigInt(TAG_BYTES)) throw new EncryptedFileError(encryptedMessages.changed(name));
  const bodyEnd = bytes.length - CHECKSUM_BYTES;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes.subarray(0, bodyEnd)));
  if (!equalBytes(digest, bytes.subarray(bodyEnd))) throw new EncryptedFileError(encryptedMessages.changed(name));

  const kdf = bytes[LAYOUT.kdf];
  if (kdf !== KDF_PBKDF2_SHA256) throw new EncryptedFileError(encryptedMessages.unknownKdf(name, kdf));
  const iterations = view.getUint32(LAYOUT.iterations, false);
  if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) throw new EncryptedFileError(encryptedMessages.iterations(name, iterations));

  const salt = bytes.slice(LAYOUT.salt, LAYOUT.salt + SALT_BYTES);
  const iv = bytes.slice(LAYOUT.iv, LAYOUT.iv + IV_BYTES);
  const key = await deriveKey(passphrase, salt, iterations, 'decrypt');
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv, additionalData: bytes.subarray(0, HEADER_BYTES), tagLength: TAG_BYTES * 8 },
      key,
      bytes.subarray(HEADER_BYTES, bodyEnd),
    );
    return new Uint8Array(plain);
  } catch {
    throw new EncryptedFileError(encryptedMessages.wrongPassphrase(name));
  }
}
