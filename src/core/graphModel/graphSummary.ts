// The layer table of a graph model, in the spirit of the Layers summary (graph/summary.ts LayerStats,
// graph/macs.ts counts): one row per layer (a weighted op with its bias, batch norm and activation),
// then one row per other constant (never prunable, with the reason), and totals.
//
// Counts, for one example:
//   params         every value of the layer's constants (kernel, bias, batch norm, alpha)
//   prunable       the kernel only, when the layer is prunable (what sparsity is measured against)
//   MACs           uses x kernel size; uses = output positions for a convolution (output size divided
//                  by output channels), rows for a product (output size divided by its last dim).
//                  A transposed convolution uses each kernel weight once per input position. Unknown
//                  (null) when shapes could not be inferred, or the input has open dimensions.
//   nonzero MACs   uses x nonzero kernel weights: what a sparse kernel would have to do.
import type { CountTotals } from '../graph/macs';
import type { LayerStats } from '../graph/summary';
import { dataInputs } from './graphDef';
import type { GraphAnalysis, GraphLayer } from './layerGrouping';
import type { InferredShapes } from './graphShapes';
import { nonzerosOf, sizeOf, type GraphWeight } from './graphWeights';

export interface GraphLayerStats extends LayerStats {
  /** 'layer' for a weighted op; otherwise the constant's role. */
  kind: 'layer' | 'control-flow' | 'non-weight' | 'other';
  /** The ops of the layer joined, e.g. "Conv2D + BiasAdd + Relu"; "Const" for a constant. */
  ops: string;
  /** The kernel's weight name and shape (a constant: its own). */
  weight: string;
  weightShape: number[];
  prunableParams: number;
  prunableNonzero: number;
  macs: number | null;
  nonzeroMacs: number | null;
  /** Why it cannot be pruned; null when it can. */
  reason: string | null;
}

export interface GraphModelStats {
  inputShape: (number | null)[];
  outputShape: (number | null)[];
  layers: GraphLayerStats[];
  /** As the Layers counts (graph/macs.ts), with bytes (float32) and overall sparsity. */
  totals: CountTotals & { bytes: number; sparsity: number };
}

const BYTES = 4;

/** How many times each kernel weight is used for one example; null when the shapes are unknown. */
export function kernelUses(layer: GraphLayer, analysis: GraphAnalysis, shapes: InferredShapes | null): number | null {
  if (!shapes || shapes.dynamic) return null;
  if (layer.kind === 'transposeConv') {
    // Each input pixel meets the whole kernel: input positions = input size / input channels.
    const src = dataInputs(analysis.index.nodes.get(layer.name)!)[2];
    const inShape = src ? shapes.shapes.get(src.node) : undefined;
    return inShape ? sizeOf(inShape) / (inShape[inShape.length - 1] || 1) : null;
  }
  const out = shapes.shapes.get(layer.name);
  if (!out || out.length === 0) return null;
  return sizeOf(out) / (out[out.length - 1] || 1);
}

/** Output node names whose shapes graphModelStats needs (pass them to inferShapes). */
export function shapeNodes(analysis: GraphAnalysis): string[] {
  return analysis.layers.flatMap((l) => {
    if (l.kind !== 'transposeConv') return [l.name, l.output];
    const src = dataInputs(analysis.index.nodes.get(l.name)!)[2];
    return src ? [l.name, src.node] : [l.name];
  });
}

export function graphModelStats(analysis: GraphAnalysis, weights: readonly GraphWeight[], shapes: InferredShapes | null, io: { input: number[] | null; output: number[] | null }): GraphModelStats {
  const byName = new Map(weights.map((w) => [w.name, w]));
  const rows: GraphLayerStats[] = [];
  const unknownMacs: string[] = [];
  const toNull = (s: number[] | null | undefined) => (s ? s.map((d) => (d < 0 ? null : d)) : []);
  for (const layer of analysis.layers) {
    const ws = layer.weights.map((w) => byName.get(w.name) as GraphWeight);
    const params = ws.reduce((n, w) => n + w.values.length, 0);
    const nonzero = ws.reduce((n, w) => n + nonzerosOf(w), 0);
    const kernel = ws[0];
    const kernelNonzero = nonzerosOf(kernel);
    const uses = kernelUses(layer, analysis, shapes);
    if (uses === null) unknownMacs.push(layer.name);
    rows.push({
      name: layer.name,
      className: layer.op,
      kind: 'layer',
      ops: layer.ops.join(' + '),
      weight: kernel.name,
      weightShape: [...kernel.shape],
      outputShape: toNull(shapes?.shapes.get(layer.output)),
      params,
      nonzero,
      sparsity: params ? 1 - nonzero / params : 0,
      bytes: params * BYTES,
      prunable: layer.prunable,
      prunableParams: layer.prunable ? kernel.values.length : 0,
      prunableNonzero: layer.prunable ? kernelNonzero : 0,
      macs: uses === null ? null : uses * kernel.values.length,
      nonzeroMacs: uses === null ? null : uses * kernelNonzero,
      reason: layer.reason,
    });
  }
  for (const c of analysis.constants) {
    const w = byName.get(c.name) as GraphWeight;
    const nonzero = nonzerosOf(w);
    rows.push({
      name: c.name,
      className: 'Const',
      kind: c.role,
      ops: 'Const',
      weight: c.name,
      weightShape: [...c.shape],
      outputShape: [...c.shape],
      params: w.values.length,
      nonzero,
      sparsity: w.values.length ? 1 - nonzero / w.values.length : 0,
      bytes: w.values.length * BYTES,
      prunable: false,
      prunableParams: 0,
      prunableNonzero: 0,
      macs: 0,
      nonzeroMacs: 0,
      reason: c.reason,
    });
  }
  const sum = (f: (r: GraphLayerStats) => number) => rows.reduce((n, r) => n + f(r), 0);
  const params = sum((r) => r.params);
  const nonzero = sum((r) => r.nonzero);
  const prunableParams = sum((r) => r.prunableParams);
  const prunableNonzero = sum((r) => r.prunableNonzero);
  return {
    inputShape: toNull(io.input),
    outputShape: toNull(io.output),
    layers: rows,
    totals: {
      params,
      nonzero,
      bytes: params * BYTES,
      sparsity: params ? 1 - nonzero / params : 0,
      prunableParams,
      prunableNonzero,
      prunableSparsity: prunableParams ? 1 - prunableNonzero / prunableParams : 0,
      macs: sum((r) => r.macs ?? 0),
      nonzeroMacs: sum((r) => r.nonzeroMacs ?? 0),
      unknownMacs,
    },
  };
}
