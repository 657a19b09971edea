import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { deflateSync, strToU8, unzipSync, zipSync } from 'fflate';
import { UnzipError, inflateBounded, readZipDirectory, unzipMessages, unzipWithinBudget } from './safeUnzip';

const LIMITS = { maxBytes: 1e9, maxEntries: 10_000 };

function failure(bytes: Uint8Array, limits = LIMITS): string {
  try {
    unzipWithinBudget('x.zip', bytes, limits);
  } catch (e) {
    expect(e).toBeInstanceOf(UnzipError);
    return (e as Error).message;
  }
  return 'accepted';
}

/** Little-endian writer for hand-made archives. */
function le(...fields: [number, 2 | 4 | 8][]): number[] {
  return fields.flatMap(([n, size]) => Array.from({ length: size }, (_, k) => Math.floor(n / 2 ** (8 * k)) % 256));
}

/** One stored entry in a ZIP64 archive: sizes and offsets in the 0x0001 extra field, a ZIP64 end record. */
function zip64(name: string, data: Uint8Array): Uint8Array {
  const n = strToU8(name);
  const local = [...le([0x04034b50, 4], [45, 2], [0, 2], [0, 2], [0, 2], [0, 2], [0, 4], [0xffffffff, 4], [0xffffffff, 4], [n.length, 2], [20, 2]), ...n,
    ...le([1, 2], [16, 2], [data.length, 8], [data.length, 8]), ...data];
  const dirAt = local.length;
  const dir = [...le([0x02014b50, 4], [45, 2], [45, 2], [0, 2], [0, 2], [0, 2], [0, 2], [0, 4], [0xffffffff, 4], [0xffffffff, 4], [n.length, 2], [28, 2], [0, 2], [0, 2], [0, 2], [0, 4], [0xffffffff, 4]),
    ...n, ...le([1, 2], [24, 2], [data.length, 8], [data.length, 8], [0, 8])];
  const end64At = dirAt + dir.length;
  const end64 = le([0x06064b50, 4], [44, 8], [45, 2], [45, 2], [0, 4], [0, 4], [1, 8], [1, 8], [dir.length, 8], [dirAt, 8]);
  const locator = le([0x07064b50, 4], [0, 4], [end64At, 8], [1, 4]);
  const end = le([0x06054b50, 4], [0, 2], [0, 2], [0xffff, 2], [0xffff, 2], [0xffffffff, 4], [0xffffffff, 4], [0, 2]);
  return Uint8Array.from([...local, ...dir, ...end64, ...locator, ...end]);
}

describe('unzipWithinBudget', () => {
  it('reads what fflate reads: stored and deflated entries, UTF-8 names, folders, empty files', () => {
    const files = {
      'model/model.json': strToU8('{"a":1}'.repeat(100)),
      'model/grüße/group1-shard1of1.bin': Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff),
      'model/empty.txt': new Uint8Array(0),
      'stored.bin': [Uint8Array.from({ length: 300 }, (_, i) => i & 0xff), { level: 0 }] as [Uint8Array, { level: 0 }],
      'folder/': new Uint8Array(0),
    };
    const zip = zipSync(files);
    const ours = unzipWithinBudget('x.zip', zip, LIMITS);
    const theirs = unzipSync(zip);
    expect(ours.map((e) => e.name)).toEqual(Object.keys(theirs));
    for (const e of ours) expect(e.bytes, e.name).toEqual(theirs[e.name]);
    expect(readZipDirectory('x.zip', zip).map((e) => [e.name, e.method])).toEqual([
      ['model/model.json', 8], ['model/grüße/group1-shard1of1.bin', 8], ['model/empty.txt', 8], ['stored.bin', 0], ['folder/', 8],
    ]);
  });

  it('reads ZIP64 sizes and offsets', () => {
    const data = strToU8('hello zip64');
    expect(unzipWithinBudget('x.zip', zip64('a.txt', data), LIMITS)).toEqual([{ name: 'a.txt', bytes: data }]);
  });

  it('skips the entries `keep` refuses without inflating them, or counting them against the budget', () => {
    const zip = zipSync({ 'a.json': strToU8('{}'), 'big.bin': new Uint8Array(100_000) });
    expect(unzipWithinBudget('x.zip', zip, { ...LIMITS, maxBytes: 10, keep: (n) => n.endsWith('.json') }).map((e) => e.name)).toEqual(['a.json']);
  });

  it('refuses on the declared sizes before inflating anything', () => {
    const zip = zipSync({ 'a.bin': new Uint8Array(3_000_000), 'b.bin': new Uint8Array(3_000_000) });
    expect(failure(zip, { ...LIMITS, maxBytes: 5_000_000 })).toBe(
      'x.zip: the archive says it expands to 5.72 MB, more than the studio unpacks (at most 4.77 MB), so nothing was unpacked. A model export is never that large; the file may be a zip bomb.');
    expect(failure(zipSync({ a: new Uint8Array(1), b: new Uint8Array(1), c: new Uint8Array(1) }), { ...LIMITS, maxEntries: 2 })).toBe(
      'x.zip: the archive holds 3 files, more than the studio unpacks (at most 2). Zip the model folder again, or drop its files directly.');
  });

  it('stops as soon as an entry inflates past the size it declares', () => {
    const zip = zipSync({ 'model.json': new Uint8Array(50_000) });
    const directory = readZipDirectory('x.zip', zip);
    // Rewrite the declared size in the central directory: 50,000 -> 1,000.
    const at = zip.length - 22 - (46 + 'model.json'.length);
    expect(new DataView(zip.buffer).getUint32(at + 24, true)).toBe(directory[0].declaredSize);
    const lying = zip.slice();
    new DataView(lying.buffer).setUint32(at + 24, 1000, true);
    expect(failure(lying)).toBe(unzipMessages.liedAboutSize('x.zip', 'model.json', 1000));
    expect(unzipMessages.liedAboutSize('x.zip', 'model.json', 1000)).toBe(
      'x.zip: model.json expands past the 1000 B the archive declares for it, so unpacking stopped. The archive is damaged or crafted (a zip bomb?). Zip the model folder again, or drop its files directly.');
    new DataView(lying.buffer).setUint32(at + 24, 60_000, true);
    expect(failure(lying)).toBe(unzipMessages.shorterThanDeclared('x.zip', 'model.json', 60_000, 50_000));
  });

  it('inflateBounded reads only a prefix of a bomb', () => {
    const bomb = new Uint8Array(deflateRawSync(new Uint8Array(64 * 1024 * 1024), { level: 9 })); // ~64 KB of input
    expect(bomb.length).toBeGreaterThan(50_000);
    const stopped = inflateBounded(bomb, 1000);
    expect(stopped.bytes).toBeNull();
    expect(stopped.read).toBeLessThanOrEqual(16 * 1024);
    const small = deflateSync(strToU8('hello'));
    expect(inflateBounded(small, 5).bytes).toEqual(strToU8('hello'));
    expect(inflateBounded(small, 4).bytes).toBeNull();
  });

  it('names encrypted entries and unknown methods, and calls broken structure invalid zip data', () => {
    const zip = zipSync({ 'a.bin': strToU8('secret secret secret') });
    const cd = zip.length - 22 - (46 + 5);
    const encrypted = zip.slice();
    encrypted[cd + 8] |= 1;
    expect(failure(encrypted)).toBe('x.zip: a.bin is password-protected inside the zip, which the studio cannot open. Zip the model folder again, or drop its files directly.');
    const bzip2 = zip.slice();
    bzip2[cd + 10] = 12;
    expect(failure(bzip2)).toBe('x.zip: a.bin is compressed with method 12; the studio reads stored and deflated entries only. Zip the model folder again, or drop its files directly.');
    const unreadable = 'x.zip: not a readable zip archive (invalid zip data). Zip the model folder again, or drop its files directly.';
    expect(failure(zip.subarray(0, zip.length / 2))).toBe(unreadable);
    const badOffset = zip.slice();
    new DataView(badOffset.buffer).setUint32(cd + 42, 9999, true);
    expect(failure(badOffset)).toBe(unreadable);
    expect(failure(new Uint8Array(3))).toBe(unreadable);
  });
});
