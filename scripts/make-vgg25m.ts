// A ~25M-parameter VGG-style Layers model (32x32x3 input: four blocks of two 3x3 convs and a max-pool,
// 64 -> 512 filters, then Dense 4096 -> 3072 -> 10) written as model.json + float32 shards, for the
// command line's scale bench (bench/cliScale.ts). Weights are seeded He-uniform, so every run writes
// the same bytes and activations stay finite through the stack. Not committed: ~100 MB.
//
//   npx tsx scripts/make-vgg25m.ts [--out <dir>]     default: <tmp>/secateur-vgg25m
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { exportModelFiles } from '../src/core/model/exportModel';
import { mulberry32 } from '../src/core/data/seededRandom';
import { setUpNodeBackend } from '../src/cli/nodeBackend';
import { stringArg } from '../bench/harness';

export const VGG25M_DIR = join(tmpdir(), 'secateur-vgg25m');

export function vgg25m(): tf.LayersModel {
  const m = tf.sequential({ name: 'vgg25m' });
  const blocks = [64, 128, 256, 512];
  blocks.forEach((filters, b) => {
    for (let i = 1; i <= 2; i++) {
      m.add(tf.layers.conv2d({
        ...(b === 0 && i === 1 ? { inputShape: [32, 32, 3] } : {}),
        filters, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: 'zeros', name: `block${b + 1}_conv${i}`,
      }));
    }
    m.add(tf.layers.maxPooling2d({ poolSize: 2, name: `block${b + 1}_pool` }));
  });
  m.add(tf.layers.flatten({ name: 'flatten' }));
  m.add(tf.layers.dense({ units: 4096, activation: 'relu', kernelInitializer: 'zeros', name: 'fc1' }));
  m.add(tf.layers.dense({ units: 3072, activation: 'relu', kernelInitializer: 'zeros', name: 'fc2' }));
  m.add(tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: 'zeros', name: 'predictions' }));
  // Seeded He-uniform kernels (bound sqrt(6 / fan_in)), small nonzero biases.
  const rnd = mulberry32(25_000_000);
  for (const layer of m.layers) {
    const weights = layer.getWeights();
    if (!weights.length) continue;
    const [kernel, bias] = weights;
    const fanIn = kernel.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const bound = Math.sqrt(6 / fanIn);
    const k = new Float32Array(kernel.size);
    for (let i = 0; i < k.length; i++) k[i] = (rnd() * 2 - 1) * bound;
    const bv = new Float32Array(bias.size);
    for (let i = 0; i < bv.length; i++) bv[i] = (rnd() - 0.5) * 0.02;
    const next = [tf.tensor(k, kernel.shape), tf.tensor(bv, bias.shape)];
    layer.setWeights(next);
    tf.dispose(next);
  }
  return m;
}

/** Writes the model to `dir` (model.json + 4 MiB shards); returns the parameter count. */
export async function writeVgg25m(dir: string): Promise<number> {
  const model = vgg25m();
  const params = model.countParams();
  await mkdir(dir, { recursive: true });
  for (const f of (await exportModelFiles(model, { precision: 'float32' })).files) await writeFile(join(dir, f.name), f.bytes);
  model.dispose();
  return params;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  await setUpNodeBackend('wasm');
  const dir = stringArg('--out', VGG25M_DIR);
  const params = await writeVgg25m(dir);
  console.log(`Wrote ${params.toLocaleString('en-US')} parameters to ${dir}`);
}
