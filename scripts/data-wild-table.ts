// Fashion-MNIST CNNs measured on the user's data as the studio measures it: the class-folder zip of
// PNGs (e2e/fixtures/data/fashion-mnist-png.zip, 1,000 demo test images) dropped with each model,
// then original → 50% unstructured (global magnitude) → fine-tuned on the data's training split.
// Figures are on the held-out live subset (200 images). Prints the markdown table the README quotes.
// Run: npx tsx scripts/data-wild-table.ts [--epochs 2]
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StudioEngine } from '../src/engine/studioEngine';
import { FidelityTask } from '../src/engine/tasks';
import { nodeImageDecoder } from '../src/core/data/nodeImageDecoder';
import { setUpNodeBackend } from './nodeBackend';
import { scriptOptions } from './scriptOptions';
import { DATA_FIXTURES, REPO } from './dataFixtureFiles';

const options = scriptOptions('data-wild-table.ts', ['--epochs']);
const epochs = options.numberOption('--epochs', 2);
const backend = await setUpNodeBackend('wasm');
const models: [string, string][] = [['demo fashion-cnn', join(REPO, 'public/models/fashion-cnn')]];
const wild = resolve(REPO, '../shared/wild-models/fashion-mnist-cnn');
if (existsSync(wild)) models.push(['wild fashion-mnist-cnn', wild]);
else console.log(`(${wild} is absent: only the demo model)`);

const zip = { path: 'fashion-mnist-png.zip', bytes: new Uint8Array(readFileSync(join(DATA_FIXTURES, 'fashion-mnist-png.zip'))) };
console.log(`backend: ${backend.name}; fine-tune: ${epochs} epochs, Adam lr 0.001, batch 64, on the 800 training images`);
console.log('| model | held-out images | original | 50% pruned | fine-tuned on the data |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [name, dir] of models) {
  // Generated inputs until the data comes (the demo's own images are not read here).
  const engine = new StudioEngine([], { decoder: nodeImageDecoder, tasks: async (m) => new FidelityTask(m, 16) });
  let job = 1;
  await engine.importModel(job++, readdirSync(dir).map((f) => ({ path: f, bytes: new Uint8Array(readFileSync(join(dir, f))) })));
  const data = await engine.loadData(job++, [{ ...zip, bytes: zip.bytes.slice() }]);
  const pruned = await engine.prune(job++, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.5 } });
  const tuned = await engine.finetune(job++, { epochs, learningRate: 0.001, optimizer: 'adam', batchSize: 64 });
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  console.log(`| ${name} | ${data.point.metric.count} | ${pct(data.point.metric.value)} | ${pct(pruned.point.metric.value)} | ${pct(tuned.point.metric.value)} |`);
}
