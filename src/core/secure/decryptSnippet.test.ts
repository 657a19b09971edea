// The decoder docs/encrypted-format.md gives readers (docs/decrypt-secateur.mjs, quoted there in
// full) opens what the studio writes, and the loading steps it shows give back the same model.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { strFromU8, unzipSync } from 'fflate';
import { exportModelFiles, exportZip } from '../model/exportModel';
import { tinyMlp } from '../model/tinyModelFiles';
import { encryptBytes } from './encryptedFile';
import { verifyWeightIntegrity, weightIntegrity } from './weightIntegrity';

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
});
