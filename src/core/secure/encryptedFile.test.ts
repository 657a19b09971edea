import { beforeAll, describe, expect, it } from 'vitest';
import {
  CHECKSUM_BYTES, EncryptedFileError, HEADER_BYTES, IV_BYTES, LAYOUT, OVERHEAD_BYTES, PBKDF2_ITERATIONS, SALT_BYTES, TAG_BYTES,
  decryptBytes, encryptBytes, encryptedMessages as M, isEncrypted,
} from './encryptedFile';

const NAME = 'model.zip.enc';
const PASS = 'correct horse battery staple';
const plain = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37 + 11) & 0xff);

// One encryption shared by the tests that only read it (each key derivation takes a few hundred ms).
let shared: Uint8Array;
beforeAll(async () => {
  shared = await encryptBytes(plain, PASS);
});
const sealed = async () => shared.slice();

/** The message decryptBytes throws (fails the test when it does not throw an EncryptedFileError). */
async function failure(bytes: Uint8Array, passphrase = PASS): Promise<string> {
  try {
    await decryptBytes(bytes, passphrase, NAME);
  } catch (e) {
    expect(e).toBeInstanceOf(EncryptedFileError);
    return (e as Error).message;
  }
  throw new Error('decryptBytes did not throw');
}

function flipped(bytes: Uint8Array, at: number, bit = 0): Uint8Array {
  const copy = bytes.slice();
  copy[at] ^= 1 << bit;
  return copy;
}

/** The same file with its checksum made to match again: only the GCM tag and the header as AAD protect it then. */
async function rechecksummed(bytes: Uint8Array): Promise<Uint8Array> {
  const end = bytes.length - CHECKSUM_BYTES;
  const out = bytes.slice();
  out.set(new Uint8Array(await crypto.subtle.digest('SHA-256', out.subarray(0, end))), end);
  return out;
}

describe('encrypted export format', () => {
  it('round-trips with the right passphrase, and never writes the same bytes twice', async () => {
    const a = await encryptBytes(plain, PASS);
    const b = await encryptBytes(plain, PASS);
    expect(a.length).toBe(plain.length + OVERHEAD_BYTES);
    expect(isEncrypted(a)).toBe(true);
    expect(await decryptBytes(a, PASS, NAME)).toEqual(plain);
    expect(await decryptBytes(b, PASS, NAME)).toEqual(plain);
    // Random salt and IV: two encryptions of the same bytes share no salt, IV or ciphertext.
    expect(a.subarray(LAYOUT.salt, LAYOUT.salt + SALT_BYTES)).not.toEqual(b.subarray(LAYOUT.salt, LAYOUT.salt + SALT_BYTES));
    expect(a.subarray(LAYOUT.iv, LAYOUT.iv + IV_BYTES)).not.toEqual(b.subarray(LAYOUT.iv, LAYOUT.iv + IV_BYTES));
    expect(a.subarray(HEADER_BYTES, HEADER_BYTES + 64)).not.toEqual(b.subarray(HEADER_BYTES, HEADER_BYTES + 64));
  });

  it('writes the header byte by byte as docs/encrypted-format.md says', async () => {
    const salt = Uint8Array.from({ length: 16 }, (_, i) => i);
    const iv = Uint8Array.from({ length: 12 }, (_, i) => 0xa0 + i);
    const out = await encryptBytes(new Uint8Array(3), PASS, { salt, iv });
    expect([...out.subarray(0, HEADER_BYTES)].map((b) => b.toString(16).padStart(2, '0')).join(' ')).toBe(
      '53 43 54 52 2d 45 4e 43 ' + // "SCTR-ENC"
      '01 01 00 09 27 c0 ' + // version 1, PBKDF2-HMAC-SHA256, 600,000 rounds
      '00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f ' + // salt
      'a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ' + // IV
      '00 00 00 00 00 00 00 13', // ciphertext + tag: 3 + 16 bytes
    );
    expect(out.length).toBe(HEADER_BYTES + 3 + TAG_BYTES + CHECKSUM_BYTES);
  });

  it('uses at least 600,000 PBKDF2 rounds and the header as associated data', async () => {
    expect(PBKDF2_ITERATIONS).toBeGreaterThanOrEqual(600_000);
    const out = await sealed();
    expect(new DataView(out.buffer).getUint32(LAYOUT.iterations)).toBe(PBKDF2_ITERATIONS);
    // The same key and IV, without the header as AAD: GCM refuses, so the header was authenticated.
    const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(PASS), 'PBKDF2', false, ['deriveKey']);
    const key = await crypto.subtle.deriveKey(
      { name: 'PBKDF2', hash: 'SHA-256', salt: out.slice(LAYOUT.salt, LAYOUT.salt + SALT_BYTES), iterations: PBKDF2_ITERATIONS },
      material, { name: 'AES-GCM', length: 256 }, false, ['decrypt']);
    const body = out.slice(HEADER_BYTES, out.length - CHECKSUM_BYTES);
    const iv = out.slice(LAYOUT.iv, LAYOUT.iv + IV_BYTES);
    await expect(crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, body)).rejects.toThrow();
    const withAad = await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: out.slice(0, HEADER_BYTES) }, key, body);
    expect(new Uint8Array(withAad)).toEqual(plain);
  });

  it('says "wrong passphrase" for a wrong passphrase, and refuses an empty one', async () => {
    const out = await sealed();
    expect(await failure(out, 'correct horse battery stapler')).toBe(`${NAME}: wrong passphrase. Type it again (capitals and spaces count).`);
    expect(await failure(out, '')).toBe(M.wrongPassphrase(NAME));
    await expect(encryptBytes(plain, '')).rejects.toThrow('Choose a passphrase to encrypt the export with.');
  });

  it('normalises the passphrase (NFC), so an é typed two ways opens the file', async () => {
    const out = await encryptBytes(plain, 'caf\u00e9', { iterations: 100_000 });
    expect(await decryptBytes(out, 'cafe\u0301', NAME)).toEqual(plain);
  });

  describe('one flipped bit in each region, with the right passphrase', () => {
    const cases: { region: string; at: (n: number) => number; message: string }[] = [
      { region: 'magic', at: () => LAYOUT.magic + 3, message: `${NAME}: not a file encrypted by Secateur (it does not begin with "SCTR-ENC").` },
      { region: 'version', at: () => LAYOUT.version, message: `${NAME}: encrypted in format version 0, which this studio cannot read (it reads version 1). Open it with a newer Secateur.` },
      { region: 'KDF id', at: () => LAYOUT.kdf, message: M.changed(NAME) },
      { region: 'KDF iterations', at: () => LAYOUT.iterations + 3, message: M.changed(NAME) },
      { region: 'salt', at: () => LAYOUT.salt + 7, message: M.changed(NAME) },
      { region: 'IV', at: () => LAYOUT.iv + 11, message: M.changed(NAME) },
      { region: 'length', at: () => LAYOUT.length + 7, message: `${NAME}: the file is cut short: 1,098 of the 1,099 bytes its header announces. Download or copy it again.` },
      { region: 'ciphertext', at: () => HEADER_BYTES + 500, message: M.changed(NAME) },
      { region: 'tag', at: (n) => n - CHECKSUM_BYTES - 1, message: M.changed(NAME) },
      { region: 'checksum', at: (n) => n - 1, message: M.changed(NAME) },
    ];
    for (const c of cases) {
      it(c.region, async () => {
        const out = await sealed();
        expect(await failure(flipped(out, c.at(out.length)))).toBe(c.message);
      });
    }

    it('the changed-file message, verbatim', () => {
      expect(M.changed(NAME)).toBe(`${NAME}: the file was changed or damaged after it was encrypted (its checksum does not match). Download or copy it again.`);
    });

    it('a length flipped downwards reads as a changed file', async () => {
      const out = await sealed();
      expect(await failure(flipped(out, LAYOUT.length + 6, 0))).toBe(M.changed(NAME)); // 1,016 - 256
      expect(await failure(flipped(out, LAYOUT.length + 7, 3))).toBe(M.changed(NAME)); // 1,016 - 8
      expect(await failure(flipped(out, LAYOUT.length + 6, 2))).toBe(M.cutShort(NAME, 1098, 2122)); // 1,016 + 1,024
    });
  });

  describe('a change that also fixes the checksum is still caught by the GCM tag and the AAD', () => {
    for (const [region, at] of [['salt', LAYOUT.salt], ['IV', LAYOUT.iv], ['iterations', LAYOUT.iterations + 3], ['ciphertext', HEADER_BYTES + 1], ['tag', -1]] as const) {
      it(region, async () => {
        const out = await sealed();
        const k = at < 0 ? out.length - CHECKSUM_BYTES + at : at;
        expect(await failure(await rechecksummed(flipped(out, k)))).toBe(M.wrongPassphrase(NAME));
      });
    }
    it('an unknown KDF or absurd round count is refused before deriving anything', async () => {
      const out = await sealed();
      expect(await failure(await rechecksummed(flipped(out, LAYOUT.kdf, 1)))).toBe(
        `${NAME}: asks for key derivation 3, which this studio does not know (1 = PBKDF2-HMAC-SHA256). The file was not made by Secateur.`);
      expect(await failure(await rechecksummed(flipped(out, LAYOUT.iterations, 7)))).toBe(
        `${NAME}: asks for 2,148,083,648 PBKDF2 rounds; the studio accepts 100,000 to 10,000,000. The file was not made by Secateur.`);
    });
  });

  it('a truncated file says it is cut short, at any length', async () => {
    const out = await sealed();
    expect(await failure(out.subarray(0, out.length - 1))).toBe(`${NAME}: the file is cut short: 1,097 of the 1,098 bytes its header announces. Download or copy it again.`);
    expect(await failure(out.subarray(0, 600))).toBe(`${NAME}: the file is cut short: 600 of the 1,098 bytes its header announces. Download or copy it again.`);
    expect(await failure(out.subarray(0, 20))).toBe(`${NAME}: the file is cut short: 20 of the 98 bytes its header announces. Download or copy it again.`);
    expect(await failure(out.subarray(0, 8))).toBe(M.cutShort(NAME, 8, OVERHEAD_BYTES));
    expect(await failure(out.subarray(0, 5))).toBe(M.notEncrypted(NAME));
  });

  it('extra bytes after the end read as a changed file', async () => {
    const out = await sealed();
    const longer = new Uint8Array(out.length + 1);
    longer.set(out);
    expect(await failure(longer)).toBe(M.changed(NAME));
  });

  it('an unknown version names it', async () => {
    const out = await sealed();
    out[LAYOUT.version] = 2;
    expect(await failure(out)).toBe(`${NAME}: encrypted in format version 2, which this studio cannot read (it reads version 1). Open it with a newer Secateur.`);
  });

  it('isEncrypted sniffs only the magic', () => {
    expect(isEncrypted(new TextEncoder().encode('SCTR-ENC'))).toBe(true);
    expect(isEncrypted(new TextEncoder().encode('SCTR-EN'))).toBe(false);
    expect(isEncrypted(new TextEncoder().encode('{"modelTopology":{}}'))).toBe(false);
    expect(isEncrypted(Uint8Array.of(0x50, 0x4b, 3, 4, 0, 0, 0, 0))).toBe(false);
  });
});
