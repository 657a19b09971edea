import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { modelGraphData, type ModelGraphData } from './modelGraph';
import { buildDependencyGraph } from './dependencyGraph';
import { removeChannels } from './channelSurgery';
import { disposeModel } from './disposeModel';
import { concatNet, residualNet, teachableMachineStyle } from '../prune/testModels';
import { loadImportedModel, readModelFiles } from '../model/importFiles';

const DEMO = resolve(__dirname, '../../../public/models/fashion-cnn');
const WILD = resolve(__dirname, '../../../../shared/wild-models');

function node(g: ModelGraphData, id: string) {
  const n = g.nodes.find((x) => x.id === id);
  if (!n) throw new Error(`no node ${id}`);
  return n;
}

async function loadFolder(dir: string): Promise<tf.LayersModel> {
  return loadImportedModel(readModelFiles(readdirSync(dir).map((f) => ({ path: f, bytes: new Uint8Array(readFileSync(join(dir, f))) }))));
}

describe('model graph data', () => {
  it.skipIf(!existsSync(DEMO))('demo CNN: one node per layer with type, shape and params, a chain of edges, groups and the locked output', async () => {
    const model = await loadFolder(DEMO);
    const g = modelGraphData(model);
    const layers = g.nodes.filter((n) => n.kind === 'layer');
    expect(layers.map((n) => n.path)).toEqual(model.layers.filter((l) => l.getClassName() !== 'InputLayer').map((l) => l.name));
    expect(g.nodes.filter((n) => n.kind === 'input')).toHaveLength(1);
    for (const l of model.layers.filter((x) => x.getClassName() !== 'InputLayer')) {
      const n = node(g, l.name);
      expect(n.className).toBe(l.getClassName());
      expect(n.params).toBe(l.countParams());
      expect(n.outputShape).toEqual(l.outputShape);
    }
    // A chain: every node but the input has exactly one incoming edge.
    expect(g.edges).toHaveLength(g.nodes.length - 1);
    const open = g.groups.filter((x) => !x.locked).map((x) => x.id);
    expect(open.length).toBeGreaterThan(0);
    for (const id of open) expect(node(g, id).group).toBe(id);
    const last = layers[layers.length - 1];
    expect(last.locked).toMatch(/output layers are never pruned/);
    expect(g.problems).toEqual([]);
    disposeModel(model);
  });

  it('residual Add is a join of two edges, and the coupled producers share one group', () => {
    const model = residualNet();
    const g = modelGraphData(model);
    const add = node(g, 'residual');
    expect(add.join).toBe(true);
    expect(g.edges.filter((e) => e.to === 'residual').map((e) => e.from).sort()).toEqual(['block_b', 'stem_relu']);
    expect(node(g, 'stem').group).toBe('stem');
    expect(node(g, 'block_b').group).toBe('stem');
    // BatchNorm passes block_a's channels through: same colour.
    expect(node(g, 'block_bn').group).toBe('block_a');
    expect(node(g, 'logits').locked).toMatch(/model output/);
    expect(node(g, 'stem').locked).toBeNull();
    disposeModel(model);
  });

  it('Concatenate joins its branches', () => {
    const model = concatNet();
    const g = modelGraphData(model);
    expect(node(g, 'joined').join).toBe(true);
    expect(g.edges.filter((e) => e.to === 'joined').map((e) => e.from)).toEqual(['branch_a', 'branch_b']);
    disposeModel(model);
  });

  it('a nested model: one node per nested model and per inner layer, named by path, edges between inner layers', () => {
    const model = teachableMachineStyle();
    const g = modelGraphData(model);
    const models = g.nodes.filter((n) => n.kind === 'model');
    expect(models.map((n) => [n.path, n.parents])).toEqual([
      ['sequential_1', []], ['sequential_1/model1', ['sequential_1']], ['sequential_3', []],
    ]);
    expect(node(g, 'sequential_1').params).toBe(model.layers[0].countParams());
    const conv = node(g, 'sequential_1/model1/Conv1');
    expect(conv.parents).toEqual(['sequential_1', 'sequential_1/model1']);
    expect(conv.outputShape).toEqual([null, 8, 8, 8]);
    expect(conv.prunable).toBe(true);
    expect(node(g, 'sequential_1/model1/block_add').join).toBe(true);
    // The model input feeds the first inner conv directly; the inner GAP feeds the head's dense.
    const inputId = g.nodes.find((n) => n.kind === 'input')!.id;
    expect(g.edges).toContainEqual({ from: inputId, to: 'sequential_1/model1/Conv1', shape: [null, 8, 8, 3] });
    expect(g.edges).toContainEqual({ from: 'sequential_1/model1/gap', to: 'sequential_3/dense_Dense1', shape: [null, 8] });
    // Every edge joins two nodes of the graph.
    const ids = new Set(g.nodes.map((n) => n.id));
    for (const e of g.edges) expect(ids.has(e.from) && ids.has(e.to)).toBe(true);
    disposeModel(model);
  });

  it('follows removed channels: the pruned model shows the smaller shapes', async () => {
    const model = residualNet();
    const dep = buildDependencyGraph(model);
    const keep = new Uint8Array(5).fill(1);
    keep[0] = keep[1] = 0;
    const { model: smaller } = await removeChannels(model, dep, { block_a: keep });
    expect(node(modelGraphData(model), 'block_a').outputShape).toEqual([null, 6, 6, 5]);
    expect(node(modelGraphData(smaller), 'block_a').outputShape).toEqual([null, 6, 6, 3]);
    expect(node(modelGraphData(smaller), 'block_a').params).toBe(3 * 3 * 4 * 3 + 3);
    disposeModel(model);
    disposeModel(smaller);
  });
});

const wildPresent = existsSync(WILD);
if (!wildPresent) console.warn(`model graph wild-model tests skipped: ${WILD} is absent`);

describe.skipIf(!wildPresent)('model graph data of the wild models', () => {
  const dirs = wildPresent ? readdirSync(WILD, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort() : [];
  for (const dir of dirs) {
    it(`${dir}: every layer is a node, every edge joins two nodes`, async () => {
      const model = await loadFolder(join(WILD, dir));
      const g = modelGraphData(model);
      const ids = new Set(g.nodes.map((n) => n.id));
      expect(ids.size).toBe(g.nodes.length);
      expect(g.nodes.filter((n) => n.kind === 'layer').map((n) => n.path).sort())
        .toEqual(model.layers.filter((l) => l.getClassName() !== 'InputLayer').map((l) => l.name).sort());
      for (const e of g.edges) expect(ids.has(e.from) && ids.has(e.to), `${e.from} -> ${e.to}`).toBe(true);
      expect(g.nodes.filter((n) => n.kind === 'input')).toHaveLength(model.inputs.length);
      if (dir === 'superres-se-resnet') expect(g.nodes.filter((n) => n.join && n.className === 'Add')).toHaveLength(10);
      if (dir === 'cvae-quickdraw-decoder') expect(g.nodes.filter((n) => n.join && n.className === 'Concatenate')).toHaveLength(1);
      disposeModel(model);
    });
  }
});
