// Every graph model in ../shared/wild-graph-models through the graph-model core, as a user's folder
// drop: import, layer grouping, fidelity to the original on seeded probes before and after a 50%
// unstructured prune (one global magnitude threshold), and the export sizes. Prints the markdown
// table the README quotes. Run: npx tsx scripts/wild-graph-models-table.ts
//
// Backend: wasm when it starts (20-30x faster than cpu on these convnets), else cpu; the table says
// which. Probes per model: the studio's own rule (engine/tasks.ts probeCount, from the MACs).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { probeCount } from '../src/engine/tasks';
import { graphChannelGroups } from '../src/core/graphModel/channelGroups';
import { exportGraphModel, graphWeightBytes } from '../src/core/graphModel/graphExport';
import { graphFidelity } from '../src/core/graphModel/graphFidelity';
import { graphModelData, loadGraphModelData } from '../src/core/graphModel/graphModelData';
import { applyGraphMasks, computeGraphPruning } from '../src/core/graphModel/graphPruning';
import { inferShapes } from '../src/core/graphModel/graphShapes';
import { graphModelStats, shapeNodes } from '../src/core/graphModel/graphSummary';
import { groupLayers } from '../src/core/graphModel/layerGrouping';
import { isGraphImport, readAnyModelFiles } from '../src/core/model/importFiles';

const ROOT = resolve(import.meta.dirname, '../../shared/wild-graph-models');
if (!existsSync(ROOT)) {
  console.log(`skipped: ${ROOT} is absent`);
  process.exit(0);
}
tf.env().set('IS_TEST', true);
let backend = 'cpu';
try {
  if (await tf.setBackend('wasm')) backend = 'wasm';
  else await tf.setBackend('cpu');
} catch {
  await tf.setBackend('cpu');
}
await tf.ready();

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
console.log(`Backend: ${backend}. Fidelity on seeded probes (count in brackets); sizes are the weight shards.`);
console.log('');
console.log('| model | loads | params | layers (open channel groups) | fidelity (original → 50% pruned) | float32 raw | float32 gzip (original → 50% pruned) | uint8 gzip (50% pruned) |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const dir of readdirSync(ROOT, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
  const files = readdirSync(join(ROOT, dir)).map((f) => ({ path: `${dir}/${f}`, bytes: new Uint8Array(readFileSync(join(ROOT, dir, f))) }));
  const t0 = performance.now();
  try {
    const imported = readAnyModelFiles(files);
    if (!isGraphImport(imported)) throw new Error('not a graph model');
    const data = graphModelData(imported);
    const analysis = groupLayers(data.topology, data.weights, data.info.outputs);
    const model = await loadGraphModelData(data);
    const shapes = await inferShapes(model, data.info, shapeNodes(analysis));
    model.dispose();
    const stats = graphModelStats(analysis, data.weights, shapes, { input: data.info.inputs[0]?.shape ?? null, output: data.info.outputs[0]?.shape ?? null });
    const groups = graphChannelGroups(analysis, data.weights, data.info.outputs);
    const r = computeGraphPruning(data, analysis, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.5 } });
    const pruned = applyGraphMasks(data, r.masks);
    const probes = probeCount(stats.totals.unknownMacs.length ? null : stats.totals.macs);
    const self = await graphFidelity(data, data, probes, 1);
    const after = await graphFidelity(data, pruned, probes, 1);
    const dense = graphWeightBytes(exportGraphModel(data, { precision: 'float32' }));
    const sparse = graphWeightBytes(exportGraphModel(pruned, { precision: 'float32' }));
    const u8 = graphWeightBytes(exportGraphModel(pruned, { precision: 'uint8' }));
    const notes = [data.info.async ? 'executeAsync' : '', imported.warnings.length ? `${imported.warnings.length} warning${imported.warnings.length > 1 ? 's' : ''}` : ''].filter(Boolean);
    const kind = after.kind === 'agreement' ? 'top-1 agreement' : '1 − rel. error';
    console.log(
      `| ${dir} | yes${notes.length ? ` (${notes.join(', ')})` : ''} | ${stats.totals.params.toLocaleString('en-US')} | ${analysis.layers.length} (${groups.filter((g) => !g.locked).length} of ${groups.length}) | ${kind} ${pct(self.value)} → ${pct(after.value)} [${probes}] | ${kb(dense.raw)} | ${kb(dense.gzip)} → ${kb(sparse.gzip)} | ${kb(u8.gzip)} |`,
    );
  } catch (e) {
    console.log(`| ${dir} | no: ${(e as Error).message} | | | | | | |`);
  }
  console.error(`${dir}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
