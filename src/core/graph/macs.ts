// Parameter, nonzero and MAC (multiply-accumulate) counts per layer and in total, for one example.
//
// Every kernel weight is used a fixed number of times per example ("uses"); a layer's MACs are
// sum(uses x kernel size), and its nonzero MACs sum(uses x nonzero kernel weights), which is what a
// sparse kernel would have to do. Uses per weight:
//   Dense                      product of the output dims before the last (1 for [batch, units])
//   Conv1D / Conv2D / Conv3D   output positions (strides and padding are in the output shape)
//   DepthwiseConv2D            output positions
//   SeparableConv2D            output positions, for the depthwise and the pointwise kernel
//   Conv2DTranspose            input positions (each input pixel is multiplied by the whole kernel)
//   LSTM / GRU / SimpleRNN     time steps, for the kernel and the recurrent kernel (gates included
//                              via the kernel width, 4u or 3u); Bidirectional: both directions
//   Embedding                  0 (a lookup, no multiply)
// BatchNormalization counts one MAC per output element (y = a*x + b at inference; 0 once folded
// into the previous conv, which the studio does not do). Bias adds, activations and pooling are not
// MACs. Unknown when a needed dimension is not fixed (e.g. an input of [null, null, null, 3]).
import type * as tf from '@tensorflow/tfjs';
import { buildLayerGraph, type GraphNode, type LayerGraph } from './layerGraph';
import { walkLayers, weightSuffix } from './layerPaths';
import { PRUNABLE_KERNELS } from './prunable';

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

type Shape = (number | null)[] | null;

function prod(dims: readonly (number | null)[]): number | null {
  let p = 1;
  for (const d of dims) {
    if (d === null || d === undefined || d < 0) return null;
    p *= d;
  }
  return p;
}

/** Dims without the batch and channel axes (positions), or null. */
function positions(shape: Shape): number | null {
  if (!shape || shape.length < 2) return shape ? 1 : null;
  return prod(shape.slice(1, -1));
}

/** Uses per weight for each prunable kernel of one layer application, plus MACs not tied to weights. */
export function kernelUses(node: GraphNode, g: LayerGraph): { uses: number | null; extra: number | null } {
  const outShape = g.tensors[node.outputs[0]]?.shape ?? null;
  const inShape = node.inputs.length ? (g.tensors[node.inputs[0]]?.shape ?? null) : null;
  switch (node.className) {
    case 'Dense':
    case 'Conv1D':
    case 'Conv2D':
    case 'Conv3D':
    case 'DepthwiseConv2D':
    case 'SeparableConv2D':
      return { uses: positions(outShape), extra: 0 };
    case 'Conv2DTranspose':
      return { uses: positions(inShape), extra: 0 };
    case 'LSTM':
    case 'GRU':
    case 'SimpleRNN':
    case 'Bidirectional':
      return { uses: inShape && inShape.length >= 3 ? (inShape[1] ?? null) : null, extra: 0 };
    case 'TimeDistributed': {
      const inner = (node.config.layer as { class_name?: string } | undefined)?.class_name;
      return inner === 'Dense' ? { uses: positions(outShape), extra: 0 } : { uses: null, extra: 0 };
    }
    case 'Embedding':
      return { uses: 0, extra: 0 };
    case 'BatchNormalization':
      return { uses: 0, extra: outShape ? prod(outShape.slice(1)) : null };
    default:
      return { uses: 0, extra: 0 };
  }
}

function prunableNames(layer: tf.layers.Layer): readonly string[] {
  const cls = layer.getClassName();
  if (cls === 'TimeDistributed') {
    const inner = (layer as unknown as { layer?: tf.layers.Layer }).layer;
    return inner ? (PRUNABLE_KERNELS[inner.getClassName()] ?? []) : [];
  }
  return PRUNABLE_KERNELS[cls] ?? [];
}

/** Counts for every layer of the model (nested models included) and in total. Reads weight values. */
export async function countModel(model: tf.LayersModel, graph: LayerGraph = buildLayerGraph(model)): Promise<ModelCounts> {
  const nodesByPath = new Map<string, GraphNode[]>();
  for (const n of graph.nodes) nodesByPath.set(n.path, [...(nodesByPath.get(n.path) ?? []), n]);
  const layers: LayerCount[] = [];
  for (const { path, layer } of walkLayers(model)) {
    const names = prunableNames(layer);
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
      if (names.includes(suffix.slice(suffix.lastIndexOf('/') + 1))) {
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
