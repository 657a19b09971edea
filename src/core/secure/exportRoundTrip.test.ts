// An encrypted export, end to end: the decoder docs/encrypted-format.md gives readers
// (docs/decrypt-secateur.mjs, quoted there in full) opens what the studio writes and the loading
// steps it shows give back the same model; the studio's own import re-opens it (decrypt, read the
// files) and checks the weight digests of report.json, naming a shard that changed.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { strFromU8, unzipSync } from 'fflate';
import { exportModelFiles, exportZip } from '../model/exportModel';
import { tinyMlp } from '../model/tinyModelFiles';
import { readModelFiles } from '../model/importFiles';
import { decryptBytes, encryptBytes } from './encryptedFile';
import { IntegrityError, verifyWeightIntegrity, weightIntegrity } from './weightIntegrity';

type Decrypt = (file: ArrayBuffer | Uint8Array, passphrase: string) => Promise<Uint8Array>;

describe('the documented decoder', () => {
  it('is quoted in full in docs/encrypted-format.md', () => {
    const doc = readFileSync('docs/encrypted-format.md', 'utf8');
    expect(doc).toContain(readFileSync('docs/decrypt-secateur.mjs', 'utf8').trimEnd());
  });

  it('decrypts an encrypted export, which then loads with tf.io.fromMemory as the doc shows', async () => {
    const { decryptSecateur } = (await import(/* @vite-ignore */ pathToFileURL(resolve('docs/decrypt-secateur.mjs')).href)) as { decryptSecateur: Decrypt };
    const source = tinyMlp();
    const exported = await exportModelFiles(source, { precision: 'float32', shardBytes: 40 });
    const shards = exported.files.filter((f) => f.name !== 'model.json');
    const zip = exportZip(exported, { readme: '# tiny', report: { integrity: await weightIntegrity(shards) } });
    const sealed = await encryptBytes(zip, 'correct horse', { iterations: 100_000 });

    await expect(decryptSecateur(sealed, 'wrong horse')).rejects.toThrow();
    const files = unzipSync(await decryptSecateur(sealed.slice().buffer, 'correct horse'));
    const json = JSON.parse(strFromU8(files['model.json']));
    const model = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((group: { weights: tf.io.WeightsManifestEntry[] }) => group.weights),
      weightData: tf.io.concatenateArrayBuffers(json.weightsManifest.flatMap((group: { paths: string[] }) => group.paths).map((p: string) => files[p].slice().buffer)),
    }));
    const x = tf.tensor2d([[0.1, -0.2, 0.3, 0.4]]);
    expect(Array.from((model.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((source.predict(x) as tf.Tensor).dataSync()));
    // The report inside still vouches for the shards.
    const report = JSON.parse(strFromU8(files['report.json']));
    expect(await verifyWeightIntegrity(shards.map((s) => ({ name: s.name, bytes: files[s.name] })), report)).toBe(shards.length);
    model.dispose();
    source.dispose();
    x.dispose();
  });

  it('re-opened by the studio: decrypted, read, its digests checked; a changed shard is named', async () => {
    const source = tinyMlp();
    const exported = await exportModelFiles(source, { precision: 'float32', shardBytes: 40 });
    source.dispose();
    const shards = exported.files.filter((f) => f.name !== 'model.json');
    expect(shards.length).toBe(3);
    const report = { generator: 'Secateur', integrity: await weightIntegrity(shards) };
    const sealed = await encryptBytes(exportZip(exported, { readme: '# tiny', report }), 'pass', { iterations: 100_000 });
    const zip = await decryptBytes(sealed, 'pass', 'tiny.zip.enc');
    const imported = readModelFiles([{ path: 'tiny.zip', bytes: zip }]);
    expect(imported.shards.map((s) => s.name)).toEqual(['group1-shard1of3.bin', 'group1-shard2of3.bin', 'group1-shard3of3.bin']);
    expect(await verifyWeightIntegrity(imported.shards, imported.report)).toBe(3);

    // The same export with one byte of the second shard changed (and the zip rebuilt around it).
    const changed = { files: exported.files.map((f) => (f.name === 'group1-shard2of3.bin' ? { ...f, bytes: f.bytes.map((b, i) => (i === 5 ? b ^ 1 : b)) } : f)) };
    const reopened = readModelFiles([{ path: 'tiny.zip', bytes: exportZip(changed, { readme: '# tiny', report }) }]);
    const error = await verifyWeightIntegrity(reopened.shards, reopened.report).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrityError);
    expect((error as Error).message).toBe(
      'group1-shard2of3.bin: its SHA-256 does not match the one in report.json, so the weights changed after the export. Export the model again, or get the original file.');
  });
});
