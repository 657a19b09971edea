import { describe, expect, it } from 'vitest';
import { IntegrityError, integrityMessages, sha256Hex, verifyWeightIntegrity, weightIntegrity, type NamedBytes } from './weightIntegrity';

const shards: NamedBytes[] = [
  { name: 'group1-shard1of2.bin', bytes: Uint8Array.from({ length: 300 }, (_, i) => i & 0xff) },
  { name: 'group1-shard2of2.bin', bytes: Uint8Array.from({ length: 40 }, (_, i) => 255 - i) },
];

async function failure(files: NamedBytes[], report: unknown): Promise<string> {
  try {
    await verifyWeightIntegrity(files, report);
  } catch (e) {
    expect(e).toBeInstanceOf(IntegrityError);
    return (e as Error).message;
  }
  throw new Error('verifyWeightIntegrity did not throw');
}

describe('weight file digests', () => {
  it('are the standard SHA-256', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await sha256Hex(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('lists every file in order, and the same files verify', async () => {
    const integrity = await weightIntegrity(shards);
    expect(integrity.algorithm).toBe('SHA-256');
    expect(integrity.files.map((f) => [f.name, f.bytes])).toEqual([['group1-shard1of2.bin', 300], ['group1-shard2of2.bin', 40]]);
    const report = JSON.parse(JSON.stringify({ model: 'x', integrity }));
    expect(await verifyWeightIntegrity(shards, report)).toBe(2);
    // Order and extra files do not matter.
    expect(await verifyWeightIntegrity([{ name: 'model.json', bytes: new Uint8Array(3) }, ...[...shards].reverse()], report)).toBe(2);
  });

  it('names the file whose bytes changed', async () => {
    const report = { integrity: await weightIntegrity(shards) };
    const changed = shards.map((s) => ({ ...s, bytes: s.bytes.slice() }));
    changed[1].bytes[7] ^= 0x10;
    expect(await failure(changed, report)).toBe(
      'group1-shard2of2.bin: its SHA-256 does not match the one in report.json, so the weights changed after the export. Export the model again, or get the original file.');
    changed[0].bytes = changed[0].bytes.subarray(0, 299);
    expect(await failure(changed, report)).toBe(
      'group1-shard1of2.bin, group1-shard2of2.bin: their SHA-256 digests do not match the ones in report.json, so the weights changed after the export. Export the model again, or get the original files.');
  });

  it('names a listed file that is missing', async () => {
    const report = { integrity: await weightIntegrity(shards) };
    expect(await failure(shards.slice(0, 1), report)).toBe(
      'report.json lists the weight file group1-shard2of2.bin, but it is not among the files opened. Open the whole export again.');
    expect(await failure([], report)).toBe(integrityMessages.missing(['group1-shard1of2.bin', 'group1-shard2of2.bin']));
  });

  it('checks nothing when the report has no digests, and refuses malformed ones', async () => {
    expect(await verifyWeightIntegrity(shards, { model: 'old export' })).toBe(0);
    expect(await verifyWeightIntegrity(shards, null)).toBe(0);
    expect(await failure(shards, { integrity: { algorithm: 'MD5', files: [] } })).toBe(
      'report.json: the weight digests use "MD5", which the studio cannot check (it checks SHA-256). Export the model again.');
    const malformed = 'report.json: its "integrity" entry is not a list of SHA-256 digests (name, bytes, sha256). Export the model again.';
    expect(await failure(shards, { integrity: 'yes' })).toBe(malformed);
    expect(await failure(shards, { integrity: { algorithm: 'SHA-256', files: [{ name: 'a', sha256: 'not hex' }] } })).toBe(malformed);
    expect(await failure(shards, { integrity: { algorithm: 'SHA-256' } })).toBe(malformed);
  });
});
