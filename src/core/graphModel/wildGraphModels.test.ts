// The four real TF.js graph models of ../shared/wild-graph-models (see its SOURCES.md), as a user drops
// them: import, layer grouping (counts), channel groups, a 50% prune, export, reload with plain
// tf.loadGraphModel: predictions equal before any pruning (float32), zeros kept after (float32 and
// uint8). Skipped, with a message, when the folder is absent.
//
// They run on the wasm backend when it starts (20-30x faster than the cpu backend on these convnets),
// else on cpu; every comparison is between two runs on the same backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { graphChannelGroups } from './channelGroups';
import { graphChannelScores, maskGraphChannels, removeGraphChannels, selectGraphChannels } from './channelRemoval';
import { exportGraphModel, loadExportedGraphFiles } from './graphExport';
import { loadGraphModelData, runGraph, type GraphModelData } from './graphModelData';
import { applyGraphMasks, computeGraphPruning } from './graphPruning';
import { WILD_GRAPH_DIR, folderFiles, loadedZeros, maxDiff, randomInputs, readGraph, wildGraphModels } from './testGraphs';

const present = wildGraphModels();
if (present.length === 0) console.warn(`wild graph model tests skipped: ${WILD_GRAPH_DIR} is absent`);

interface Expected {
  name: string;
  params: number;
  async: boolean;
  /** Layers by their ops joined with '+'. */
  layers: Record<string, number>;
  constants: Record<string, number>;
  /** Channel groups (residual sums couple layers into one), and how many are open. */
  groups: [number, number];
}

const EXPECTED: Record<string, Expected> = {
  'graph-automl-flowers': {
    name: 'graph-automl-flowers',
    params: 508952,
    async: false,
    layers: { 'Conv2D+Add+Relu': 17, 'DepthwiseConv2dNative+Mul+Add+Relu': 17, 'Conv2D+Add': 7, Conv2D: 11, 'MatMul+BiasAdd': 1 },
    constants: { 'non-weight': 2, other: 11 },
    groups: [25, 24],
  },
  'graph-blazeface': {
    name: 'blazeface',
    params: 134732,
    async: false,
    layers: { _FusedConv2D: 37, DepthwiseConv2dNative: 32 },
    constants: { 'non-weight': 6 },
    groups: [22, 1],
  },
  'graph-move-lstm': {
    name: 'graph-move-lstm',
    params: 157862,
    async: true,
    layers: { MatMul: 2 },
    constants: { 'control-flow': 64, 'non-weight': 7, other: 2 },
    groups: [2, 0],
  },
  'graph-tfjs224-seg': {
    name: 'graph-tfjs224-seg',
    params: 262173,
    async: false,
    layers: { _FusedConv2D: 33, FusedDepthwiseConv2dNative: 23, DepthwiseConv2dNative: 2, 'FusedDepthwiseConv2dNative+Sigmoid': 1, 'FusedDepthwiseConv2dNative+Softmax': 1 },
    constants: { 'non-weight': 29, other: 4 },
    groups: [24, 21],
  },
};

const count = <T>(xs: T[], key: (x: T) => string) => xs.reduce<Record<string, number>>((m, x) => ((m[key(x)] = (m[key(x)] ?? 0) + 1), m), {});
const floatZeros = (d: GraphModelData) => d.weights.filter((w) => w.dtype === 'float32').reduce((n, w) => n + Array.from(w.values).filter((v) => v === 0).length, 0);

async function outputsOf(data: GraphModelData, xs: tf.Tensor[]): Promise<tf.Tensor[]> {
  const model = await loadGraphModelData(data);
  try {
    return await runGraph(model, data.info, xs);
  } finally {
    model.dispose();
  }
}

describe.skipIf(present.length === 0)('wild graph models', () => {
  beforeAll(async () => {
    try {
      if (!(await tf.setBackend('wasm'))) await tf.setBackend('cpu');
    } catch {
      await tf.setBackend('cpu');
    }
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('are the four models SOURCES.md lists', () => {
    expect(present).toEqual(Object.keys(EXPECTED));
  });

  for (const dir of present) {
    const e = EXPECTED[dir];
    it(`${dir}: imports, groups its layers, prunes 50%, exports; plain tf.loadGraphModel gives the same predictions and zeros`, async () => {
      // The folder as the browser gives it: paths start with the folder's name.
      const g = readGraph(folderFiles(`${WILD_GRAPH_DIR}/${dir}`).map((f) => ({ path: `${dir}/${f.path}`, bytes: f.bytes })));
      expect(g.imported.name).toBe(e.name);
      expect(g.imported.params).toBe(e.params);
      expect(g.data.info.async).toBe(e.async);
      expect(count(g.analysis.layers, (l) => l.ops.join('+'))).toEqual(e.layers);
      expect(count(g.analysis.constants, (c) => c.role)).toEqual(e.constants);
      const groups = graphChannelGroups(g.analysis, g.data.weights, g.data.info.outputs);
      expect([groups.length, groups.filter((x) => !x.locked).length]).toEqual(e.groups);

      // Before any pruning: the float32 export predicts exactly what the imported model does.
      const original = await loadGraphModelData(g.data);
      const xs = randomInputs(original, 3, 1);
      const before = await runGraph(original, g.data.info, xs);
      original.dispose();
      const reloaded = await loadExportedGraphFiles(exportGraphModel(g.data, { precision: 'float32' }).files);
      const again = await runGraph(reloaded, g.data.info, xs);
      expect(maxDiff(before, again)).toBe(0);
      reloaded.dispose();

      // 50% of the prunable weights, one global magnitude threshold: the zeros survive float32 and uint8.
      const r = computeGraphPruning(g.data, g.analysis, { granularity: 'unstructured', criterion: 'magnitude', target: { kind: 'global', sparsity: 0.5 } });
      expect(r.stats.pruned).toBe(Math.round(r.stats.total / 2));
      const pruned = applyGraphMasks(g.data, r.masks);
      const zeros = floatZeros(pruned);
      expect(zeros).toBeGreaterThanOrEqual(r.stats.pruned);
      for (const precision of ['float32', 'uint8'] as const) {
        const model = await loadExportedGraphFiles(exportGraphModel(pruned, { precision }).files);
        expect(loadedZeros(model), precision).toBe(zeros);
        model.dispose();
      }

      // Channels, where the graph allows them: the smaller model gives the masked model's outputs.
      if (e.groups[1] > 0) {
        const plan = selectGraphChannels(groups, graphChannelScores(g.data, groups, 'magnitude'), { kind: 'global', ratio: 0.3 });
        const masked = await outputsOf(maskGraphChannels(g.data, groups, plan), xs);
        const { data: smaller, report } = removeGraphChannels(g.data, groups, plan);
        expect(report.paramsAfter).toBeLessThan(report.paramsBefore);
        const small = await outputsOf(smaller, xs);
        expect(maxDiff(masked, small)).toBeLessThan(1e-5 * Math.max(1, ...masked.map((t) => tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]))));
        tf.dispose([...masked, ...small]);
      }
      tf.dispose([...xs, ...before, ...again]);
    }, 300_000);
  }
});
