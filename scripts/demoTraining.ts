// What the scripts that fine-tune the demo models share: loading a demo model from public/models,
// accuracy on the demo test images, and seeded per-epoch shuffled batches (as the studio's trainer).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { LabelledImages } from '../src/core/data/fashionMnist';
import { mulberry32, shuffleInPlace } from '../src/core/data/seededRandom';
import { batchToTensors, gatherToTensors } from '../src/core/data/tensors';
import type { TrainBatch } from '../src/core/train/maskedTrainer';
import { PUBLIC_DIR } from './demoAssets';

/** model.json's topology and flat weight specs, and weights.bin, of public/models/<id>. */
export function demoModelArtifacts(id: string): { modelTopology: object; weightSpecs: tf.io.WeightsManifestEntry[]; weightData: ArrayBuffer } {
  const dir = join(PUBLIC_DIR, 'models', id);
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  const bin = readFileSync(join(dir, 'weights.bin'));
  return {
    modelTopology: json.modelTopology as object,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer,
  };
}

export function loadDemoModel(id: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(demoModelArtifacts(id)));
}

/** Accuracy on the first `limit` test images (all 2,000 in a full run), inference mode. */
export async function demoAccuracy(model: tf.LayersModel, test: LabelledImages, limit = test.count): Promise<number> {
  const n = Math.min(limit, test.count);
  let correct = 0;
  for (let s = 0; s < n; s += 500) {
    const { xs, ys } = batchToTensors(test, s, Math.min(n, s + 500));
    const hits = tf.tidy(() => (model.predict(xs) as tf.Tensor).argMax(-1).equal(ys.argMax(-1)).sum());
    correct += (await hits.data())[0];
    tf.dispose([xs, ys, hits]);
  }
  return correct / n;
}

/** Batches by global step: a fresh seeded shuffle of the training set per epoch (as the studio's trainer). */
export function seededBatches(train: LabelledImages, batchSize: number, seed: number): { stepsPerEpoch: number; batch: (step: number) => TrainBatch } {
  const stepsPerEpoch = Math.ceil(train.count / batchSize);
  const rnd = mulberry32(seed);
  const order = new Int32Array(train.count);
  let shuffledFor = -1;
  return {
    stepsPerEpoch,
    batch: (step) => {
      const epoch = Math.floor(step / stepsPerEpoch);
      // Steps come in order, so each epoch's shuffle is drawn once, right after the previous one's.
      if (epoch !== shuffledFor) {
        if (epoch !== shuffledFor + 1) throw new Error(`internal: batches asked out of order (epoch ${epoch} after ${shuffledFor})`);
        for (let i = 0; i < order.length; i++) order[i] = i;
        shuffleInPlace(order, rnd);
        shuffledFor = epoch;
      }
      const start = (step % stepsPerEpoch) * batchSize;
      return gatherToTensors(train, order.subarray(start, Math.min(train.count, start + batchSize)));
    },
  };
}
