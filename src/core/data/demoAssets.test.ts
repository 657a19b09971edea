// The committed demo (public/demo/demo.json, the subset, the two models) is consistent: every path
// exists, and each model scores on the 2,000 public test images what demo.json says it does. Skipped
// until scripts/build-demo-data.ts and scripts/train-demo-models.ts have written the files.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES, decodeImageSet } from './fashionMnist';
import { INPUT_SCALE, batchToTensors } from './tensors';

const PUBLIC = fileURLToPath(new URL('../../../public/', import.meta.url));
const DEMO_JSON = join(PUBLIC, 'demo/demo.json');

interface DemoJson {
  dataset: {
    classes: string[];
    inputScale: number;
    train: { images: string; labels: string; count: number };
    test: { images: string; labels: string; count: number };
  };
  models: { id: string; path: string; testAccuracy: number; epochs: number }[];
}

const demo: DemoJson | null = existsSync(DEMO_JSON) ? (JSON.parse(readFileSync(DEMO_JSON, 'utf8')) as DemoJson) : null;

/** Reads model.json + its shards from public/, as the browser would fetch them. */
function loadFromPublic(path: string): Promise<tf.LayersModel> {
  const dir = join(PUBLIC, path, '..');
  const json = JSON.parse(readFileSync(join(PUBLIC, path), 'utf8')) as tf.io.ModelJSON;
  return tf.loadLayersModel({
    load: async () => ({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: tf.io.concatenateArrayBuffers(
        json.weightsManifest.flatMap((g) => g.paths).map((p) => {
          const bytes = readFileSync(join(dir, p));
          return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
        }),
      ),
    }),
  });
}

describe.skipIf(demo == null)('committed demo (public/demo/demo.json)', () => {
  it('points at files that exist, paths relative to the site root', () => {
    const { dataset, models } = demo!;
    const paths = [dataset.train.images, dataset.train.labels, dataset.test.images, dataset.test.labels, ...models.map((m) => m.path)];
    for (const path of paths) {
      expect(path.startsWith('/')).toBe(false);
      expect(existsSync(join(PUBLIC, path)), path).toBe(true);
    }
    expect(dataset.classes).toEqual([...FASHION_MNIST_CLASSES]);
    expect(dataset.inputScale).toBe(INPUT_SCALE);
    expect(models.map((m) => m.id)).toEqual(['fashion-cnn', 'fashion-mlp']);
  });

  it.each(demo?.models ?? [])('$id scores its recorded test accuracy on the public test subset', async (entry) => {
    const { test } = demo!.dataset;
    const set = decodeImageSet(
      new Uint8Array(gunzipSync(readFileSync(join(PUBLIC, test.images)))),
      new Uint8Array(gunzipSync(readFileSync(join(PUBLIC, test.labels)))),
      'test',
    );
    expect(set.count).toBe(test.count);
    const model = await loadFromPublic(entry.path);
    let correct = 0;
    for (let start = 0; start < set.count; start += 250) {
      const { xs, ys } = batchToTensors(set, start, Math.min(set.count, start + 250));
      const hits = tf.tidy(() => (model.predict(xs) as tf.Tensor).argMax(-1).equal(ys.argMax(-1)).sum());
      correct += (await hits.data())[0];
      tf.dispose([xs, ys, hits]);
    }
    model.dispose();
    // Trained and measured on wasm; this runs on cpu, where float sums may flip a borderline image.
    expect(Math.abs(correct / set.count - entry.testAccuracy)).toBeLessThanOrEqual(0.002);
  }, 120_000);
});
