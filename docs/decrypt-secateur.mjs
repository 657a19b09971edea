// Decrypts a file written by Secateur's "Encrypt with a passphrase" export (format version 1;
// docs/encrypted-format.md). WebCrypto only: runs unchanged in a browser and in Node 20+.
export async function decryptSecateur(file, passphrase) {
  const bytes = new Uint8Array(file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== 'SCTR-ENC') throw new Error('not a Secateur encrypted file');
  if (bytes[8] !== 1 || bytes[9] !== 1) throw new Error(`unknown format version ${bytes[8]} or key derivation ${bytes[9]}`);
  const iterations = view.getUint32(10); // big-endian
  const salt = bytes.slice(14, 30);
  const iv = bytes.slice(30, 42);
  const sealedLength = Number(view.getBigUint64(42)); // ciphertext + 16-byte tag
  const header = bytes.slice(0, 50); // the additional authenticated data
  const sealed = bytes.slice(50, 50 + sealedLength);
  const secret = new TextEncoder().encode(passphrase.normalize('NFC'));
  const material = await crypto.subtle.importKey('raw', secret, 'PBKDF2', false, ['deriveKey']);
  const key = await crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['decrypt'],
  );
  // Throws on a wrong passphrase or any changed byte (the tag covers the header and the ciphertext).
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: header, tagLength: 128 }, key, sealed);
  return new Uint8Array(plain);
}
