// Encrypted export and re-open through the engine: the download is one sealed file; opening it asks
// for its passphrase; a wrong one, a changed byte or a cut file keeps the current model; the right
// one gives back the same weights. Any re-opened export has its weight digests checked.
import { describe, expect, it } from 'vitest';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { startTestEngine } from './engineTestSupport';
import { ENCRYPTED_FILE_MAGIC } from './api';
import { ENCRYPTED_MAGIC } from '../core/secure/encryptedFile';

const global = (sparsity: number) => ({ granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity } }) as const;

describe('encrypted export and re-open', () => {
  it('the page sniffs the same magic the core writes', () => {
    expect(ENCRYPTED_FILE_MAGIC).toBe(ENCRYPTED_MAGIC);
  });

  it('seals the .zip; re-opens it with the right passphrase only, keeping the current model otherwise', async () => {
    const { engine } = await startTestEngine();
    let job = 0;
    await engine.loadDemoModel(++job, 'tiny');
    await engine.evaluateBaseline(++job);
    const pruned = await engine.prune(++job, global(0.5));
    // Loose files are zipped first: an encrypted export is one file.
    const bundle = await engine.exportModel(++job, { precision: 'float32', format: 'files', encrypt: { passphrase: 'correct horse' } });
    expect(bundle.files).toHaveLength(1);
    const sealed = bundle.files[0];
    expect(sealed.name).toBe(bundle.fileName);
    expect(sealed.name).toMatch(/\.zip\.enc$/);
    expect(new TextDecoder().decode(sealed.bytes.subarray(0, 8))).toBe('SCTR-ENC');
    const drop = () => [{ path: sealed.name, bytes: sealed.bytes.slice() }];

    await expect(engine.importModel(++job, drop())).rejects.toThrow(`${sealed.name}: encrypted with a passphrase. Open it with its passphrase to import it.`);
    await expect(engine.importModel(++job, drop(), undefined, { passphrase: 'wrong horse' })).rejects.toThrow(
      `${sealed.name}: wrong passphrase. Type it again (capitals and spaces count).`);
    const changed = drop();
    changed[0].bytes[60] ^= 1;
    await expect(engine.importModel(++job, changed, undefined, { passphrase: 'correct horse' })).rejects.toThrow(
      `${sealed.name}: the file was changed or damaged after it was encrypted (its checksum does not match). Download or copy it again.`);
    const cut = [{ path: sealed.name, bytes: sealed.bytes.slice(0, 100) }];
    await expect(engine.importModel(++job, cut, undefined, { passphrase: 'correct horse' })).rejects.toThrow(`${sealed.name}: the file is cut short`);
    // The current model is still the pruned demo.
    const still = await engine.restore(++job, pruned.point.id);
    expect(still.summary.id).toBe('tiny');

    const plainWeights = (await engine.exportModel(++job, { precision: 'float32', format: 'files' })).files.filter((f) => f.name.endsWith('.bin'));
    const opened = await engine.importModel(++job, drop(), undefined, { passphrase: 'correct horse' });
    expect(opened.summary.source.kind).toBe('file');
    expect(opened.point.nonzero).toBe(pruned.point.nonzero);
    const reopenedWeights = (await engine.exportModel(++job, { precision: 'float32', format: 'files' })).files.filter((f) => f.name.endsWith('.bin'));
    expect(reopenedWeights.map((f) => Array.from(f.bytes))).toEqual(plainWeights.map((f) => Array.from(f.bytes)));
  });

  it('the .zip report lists a SHA-256 per weight file; a changed weight file is named on re-open and the model is kept', async () => {
    const { engine } = await startTestEngine();
    let job = 0;
    await engine.loadDemoModel(++job, 'tiny');
    await engine.evaluateBaseline(++job);
    const zip = (await engine.exportModel(++job, { precision: 'float32', format: 'zip' })).files[0];
    const entries = unzipSync(zip.bytes);
    const report = JSON.parse(strFromU8(entries['report.json'])) as { integrity: { algorithm: string; files: { name: string; bytes: number; sha256: string }[] } };
    const shards = Object.keys(entries).filter((n) => n.endsWith('.bin'));
    expect(report.integrity.algorithm).toBe('SHA-256');
    expect(report.integrity.files.map((f) => f.name)).toEqual(shards);
    expect(report.integrity.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256) && f.bytes === entries[f.name].length)).toBe(true);

    const intact = await engine.importModel(++job, [{ path: 'export.zip', bytes: zip.bytes.slice() }]);
    expect(intact.summary.id).toBe('file:export');
    const shard = shards[0];
    const edited = { ...entries, [shard]: entries[shard].map((b, i) => (i === 3 ? b ^ 0x10 : b)), 'README.md': strToU8('# edited') };
    await expect(engine.importModel(++job, [{ path: 'edited.zip', bytes: zipSync(edited) }])).rejects.toThrow(
      `${shard}: its SHA-256 does not match the one in report.json, so the weights changed after the export. Export the model again, or get the original file.`);
    expect((await engine.restore(++job, 0)).summary.id).toBe('file:export');
  });
});
