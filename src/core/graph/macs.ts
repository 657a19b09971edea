// Parameter, nonzero and MAC (multiply-accumulate) counts per layer and in total, for one example.
//
// Every prunable weight is used a fixed number of times per example ("uses"); a layer's MACs are
// sum(uses x kernel size), and its nonzero MACs sum(uses x nonzero kernel weights), which is what a
// sparse kernel would have to do. Uses per weight are each layer rule's `macs` (rules/): output
// positions for Dense and convolutions, input positions for Conv2DTranspose, time steps for
// recurrent layers (kernel and recurrent kernel; Bidirectional: both directions), 0 for Embedding (a
// lookup). BatchNormalization counts one MAC per output element (y = a*x + b at inference). Bias
// adds, activations and pooling are not MACs. Unknown when a needed dimension is not fixed (e.g. an
// input of [null, null, null, 3]).
import type * as tf from '@tensorflow/tfjs';
import { buildLayerGraph, type GraphNode, type LayerGraph } from './layerGraph';
import { walkLayers, weightSuffix } from './layerPaths';
import { layerRule, prunableNamesOf, weightBaseName, type MacUses } from './rules';

export interface LayerCount {
  path: string;
  className: string;
  /** All weights, trainable or not (BatchNorm moving statistics included), like tfjs countParams. */
  params: number;
  nonzero: number;
  /** Weights of the prunable kernels only (what "sparsity" is measured against). */
  prunableParams: number;
  prunableNonzero: number;
  /** Dense MACs for one example; null when unknown. */
  macs: number | null;
  /** MACs skipping zero kernel weights; null when unknown. */
  nonzeroMacs: number | null;
}

export interface CountTotals {
  params: number;
  nonzero: number;
  prunableParams: number;
  prunableNonzero: number;
  /** zeros / prunable weights. */
  prunableSparsity: number;
  /** Sum over layers whose MACs are known. */
  macs: number;
  nonzeroMacs: number;
  /** Paths of layers whose MACs could not be computed (dynamic shapes, unsupported wrappers). */
  unknownMacs: string[];
}

export interface ModelCounts {
  layers: LayerCount[];
  totals: CountTotals;
}

/** Uses per weight for each prunable kernel of one layer application, plus MACs not tied to weights. */
export function kernelUses(node: GraphNode, g: LayerGraph): MacUses {
  return layerRule(node.className).macs(node, g);
}

/** Counts for every layer of the model (nested models included) and in total. Reads weight values. */
export async function countModel(model: tf.LayersModel, graph: LayerGraph = buildLayerGraph(model)): Promise<ModelCounts> {
  const nodesByPath = new Map<string, GraphNode[]>();
  for (const n of graph.nodes) nodesByPath.set(n.path, [...(nodesByPath.get(n.path) ?? []), n]);
  const layers: LayerCount[] = [];
  for (const { path, layer } of walkLayers(model)) {
    const names = prunableNamesOf(layer);
    let params = 0;
    let nonzero = 0;
    let prunableParams = 0;
    let prunableNonzero = 0;
    for (const v of layer.weights) {
      const values = (await v.read().data()) as Float32Array;
      let nz = 0;
      for (let i = 0; i < values.length; i++) if (values[i] !== 0) nz++;
      params += values.length;
      nonzero += nz;
      const suffix = weightSuffix(layer, v);
      if (names.includes(weightBaseName(suffix))) {
        prunableParams += values.length;
        prunableNonzero += nz;
      }
    }
    let macs: number | null = 0;
    let nonzeroMacs: number | null = 0;
    const nodes = nodesByPath.get(path) ?? [];
    if (nodes.length === 0) macs = nonzeroMacs = null;
    for (const node of nodes) {
      const { uses, extra } = kernelUses(node, graph);
      if (uses === null || extra === null || macs === null || nonzeroMacs === null) {
        macs = nonzeroMacs = null;
        break;
      }
      macs += uses * prunableParams + extra;
      nonzeroMacs += uses * prunableNonzero + extra;
    }
    layers.push({ path, className: layer.getClassName(), params, nonzero, prunableParams, prunableNonzero, macs, nonzeroMacs });
  }
  const sum = (f: (l: LayerCount) => number) => layers.reduce((n, l) => n + f(l), 0);
  const prunableParams = sum((l) => l.prunableParams);
  const prunableNonzero = sum((l) => l.prunableNonzero);
  return {
    layers,
    totals: {
      params: sum((l) => l.params),
      nonzero: sum((l) => l.nonzero),
      prunableParams,
      prunableNonzero,
      prunableSparsity: prunableParams ? 1 - prunableNonzero / prunableParams : 0,
      macs: sum((l) => l.macs ?? 0),
      nonzeroMacs: sum((l) => l.nonzeroMacs ?? 0),
      unknownMacs: layers.filter((l) => l.macs === null).map((l) => l.path),
    },
  };
}
