// Layers, read back from a graph: a graph model has no layers, only ops and constants. A weighted op
// (a convolution or a matrix product with a constant kernel) becomes a layer together with the nodes
// that finish it, in the order TensorFlow writes them: a bias, a batch norm (or the Mul + Add a folded
// batch norm leaves), an activation. Fused ops carry them in their own arguments.
//
// Weighted ops (LAYER_OPS): Conv2D, _FusedConv2D, Conv3D, DepthwiseConv2dNative,
// FusedDepthwiseConv2dNative, Conv2DBackpropInput (a transposed convolution), MatMul, _FusedMatMul,
// BatchMatMul, BatchMatMulV2.
// Absorbed after them, each at most once and only while the chain has a single reader:
//   bias         BiasAdd, Add, AddV2 of a constant
//   scale        Mul by a constant (a batch norm folded to y = x * s + b)
//   batch norm   FusedBatchNorm, FusedBatchNormV2, FusedBatchNormV3 with constant statistics
//   activation   Relu, Relu6, Elu, Selu, LeakyRelu, Prelu, Sigmoid, Tanh, Softplus, Softmax (ends the chain)
// Fused ops' `fused_ops`: BiasAdd, FusedBatchNorm, and the activations Relu, Relu6, Elu, LeakyRelu,
// Prelu, Sigmoid, Tanh.
//
// Every other constant is listed too, never prunable, with the reason: constants used inside or by
// control flow (loop bodies and conditions, the tensors a StatelessWhile carries: an LSTM's kernels),
// int32 / bool constants (shapes, axes, indices: not weights), and float constants of ops that are
// not layers (an Add after a residual sum, a lookup table).
import { isControlFlowOp } from './graphCheck';
import { attrBool, attrInt, attrStrings, dataInputs, indexGraph, throughIdentity, type GraphDef, type GraphIndex, type NodeDef } from './graphDef';
import type { GraphWeight } from './graphWeights';

export const LAYER_OPS = [
  'Conv2D', '_FusedConv2D', 'Conv3D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2dNative', 'Conv2DBackpropInput',
  'MatMul', '_FusedMatMul', 'BatchMatMul', 'BatchMatMulV2',
] as const;
export const BIAS_OPS = ['BiasAdd', 'Add', 'AddV2'] as const;
export const SCALE_OPS = ['Mul'] as const;
export const BATCH_NORM_OPS = ['FusedBatchNorm', 'FusedBatchNormV2', 'FusedBatchNormV3'] as const;
export const ACTIVATION_OPS = ['Relu', 'Relu6', 'Elu', 'Selu', 'LeakyRelu', 'Prelu', 'Sigmoid', 'Tanh', 'Softplus', 'Softmax'] as const;
export const FUSED_ARGS = ['BiasAdd', 'FusedBatchNorm'] as const;
export const FUSED_ACTIVATIONS = ['Relu', 'Relu6', 'Elu', 'LeakyRelu', 'Prelu', 'Sigmoid', 'Tanh'] as const;

export type LayerKind = 'conv' | 'depthwise' | 'transposeConv' | 'matmul';
export type WeightRole = 'kernel' | 'bias' | 'scale' | 'batchNorm' | 'alpha';

export interface LayerWeight {
  name: string;
  role: WeightRole;
  shape: number[];
}

export interface GraphLayer {
  /** The weighted op node's name: unique, and what the graph view shows. */
  name: string;
  op: string;
  kind: LayerKind;
  /** The ops of the layer in order, e.g. ['Conv2D', 'BiasAdd', 'Relu'] or ['_FusedConv2D']. */
  ops: string[];
  /** Node names of the layer, the weighted op first. */
  nodes: string[];
  /** The last node of the layer: its output is the layer's output. */
  output: string;
  /** The kernel first, then bias, scale, batch-norm and alpha constants. */
  weights: LayerWeight[];
  kernel: LayerWeight;
  /** Which input of the weighted op the kernel is (1, or 0 for a constant left operand of a product). */
  kernelInput: number;
  /** Kernel axis that is summed over (the input channels / features). */
  inAxis: number;
  /** Kernel axis of the output channels; for a depthwise kernel, the channel axis (2). */
  outAxis: number;
  activation: string | null;
  /** Unstructured and N:M pruning may change the kernel. */
  prunable: boolean;
  /** Why not, when not prunable. */
  reason: string | null;
}

export type ConstantRole = 'control-flow' | 'non-weight' | 'other';

export interface GraphConstant {
  name: string;
  dtype: string;
  shape: number[];
  role: ConstantRole;
  /** Why it is never pruned. */
  reason: string;
}

export interface GraphAnalysis {
  layers: GraphLayer[];
  constants: GraphConstant[];
  /** Control-flow nodes of the top-level graph (loops, conditionals, tensor lists). */
  controlFlow: { name: string; op: string }[];
  index: GraphIndex;
}

const has = (list: readonly string[], op: string) => list.includes(op);

function kindOf(op: string): LayerKind {
  if (op.includes('Depthwise')) return 'depthwise';
  if (op === 'Conv2DBackpropInput') return 'transposeConv';
  if (op.includes('Conv')) return 'conv';
  return 'matmul';
}

/** Which input holds the kernel constant, and its in / out axes; null when the op has no constant kernel. */
function kernelOf(index: GraphIndex, node: NodeDef, weights: Map<string, GraphWeight>): { input: number; weight: GraphWeight; inAxis: number; outAxis: number; reason: string | null } | null {
  const inputs = dataInputs(node);
  const constAt = (k: number) => {
    const src = inputs[k] ? throughIdentity(index, inputs[k].node) : undefined;
    return src && src.op === 'Const' ? weights.get(src.name) : undefined;
  };
  const kind = kindOf(node.op);
  if (kind === 'transposeConv') {
    const w = constAt(1);
    return w ? { input: 1, weight: w, inAxis: 3, outAxis: 2, reason: null } : null;
  }
  if (kind !== 'matmul') {
    const w = constAt(1);
    if (!w) return null;
    const rank = w.shape.length;
    return { input: 1, weight: w, inAxis: rank - 2, outAxis: kind === 'depthwise' ? rank - 2 : rank - 1, reason: null };
  }
  const batch = node.op.startsWith('BatchMatMul');
  const [ta, tb] = batch ? [attrBool(node, 'adj_x'), attrBool(node, 'adj_y')] : [attrBool(node, 'transpose_a'), attrBool(node, 'transpose_b')];
  const b = constAt(1);
  if (b && b.shape.length >= 2) {
    const r = b.shape.length;
    return { input: 1, weight: b, inAxis: tb ? r - 1 : r - 2, outAxis: tb ? r - 2 : r - 1, reason: null };
  }
  const a = constAt(0);
  if (a && a.shape.length >= 2) {
    const r = a.shape.length;
    return { input: 0, weight: a, inAxis: ta ? r - 2 : r - 1, outAxis: ta ? r - 1 : r - 2, reason: 'the constant is the left operand of the product' };
  }
  return null;
}

interface Chain {
  ops: string[];
  nodes: string[];
  weights: LayerWeight[];
  activation: string | null;
  output: string;
}

function lw(w: GraphWeight, role: WeightRole): LayerWeight {
  return { name: w.name, role, shape: [...w.shape] };
}

/** The constant feeding input `slot` of `node` (through Identity), or undefined. */
function constInput(index: GraphIndex, node: NodeDef, slot: number, weights: Map<string, GraphWeight>): GraphWeight | undefined {
  const ref = dataInputs(node)[slot];
  const src = ref ? throughIdentity(index, ref.node) : undefined;
  return src && src.op === 'Const' ? weights.get(src.name) : undefined;
}

/** The fused arguments of _FusedConv2D / _FusedMatMul / FusedDepthwiseConv2dNative, by role. */
function fusedWeights(index: GraphIndex, node: NodeDef, weights: Map<string, GraphWeight>): { weights: LayerWeight[]; activation: string | null } {
  const fused = attrStrings(node, 'fused_ops');
  const numArgs = attrInt(node, 'num_args') ?? Math.max(0, dataInputs(node).length - 2);
  const args = Array.from({ length: numArgs }, (_, k) => constInput(index, node, 2 + k, weights));
  const out: LayerWeight[] = [];
  let k = 0;
  if (fused[0] === 'BiasAdd' && args[k]) out.push(lw(args[k++] as GraphWeight, 'bias'));
  else if (fused[0] === 'FusedBatchNorm') for (let j = 0; j < 4 && args[k]; j++) out.push(lw(args[k++] as GraphWeight, 'batchNorm'));
  const act = fused.find((f) => has(FUSED_ACTIVATIONS, f)) ?? null;
  if (act === 'Prelu' && args[k]) out.push(lw(args[k] as GraphWeight, 'alpha'));
  return { weights: out, activation: act };
}

/** The single data reader of output 0 of `name`, or null when there are none, several, or other outputs are read. */
function onlyConsumer(index: GraphIndex, name: string): { node: NodeDef; slot: number } | null {
  const readers = index.consumers.get(name) ?? [];
  if (readers.length !== 1 || readers[0].index !== 0) return null;
  return { node: readers[0].node, slot: readers[0].slot };
}

/** The bias / scale / batch-norm / activation nodes that follow a weighted op. */
function absorb(index: GraphIndex, start: NodeDef, weights: Map<string, GraphWeight>, chain: Chain, outputs: ReadonlySet<string>): void {
  const seen = new Set<WeightRole>(chain.weights.map((w) => w.role));
  for (let cur = start; chain.activation === null && !outputs.has(cur.name); ) {
    const next = onlyConsumer(index, cur.name);
    if (!next) return;
    const n = next.node;
    const other = dataInputs(n).length === 2 ? constInput(index, n, 1 - next.slot, weights) : undefined;
    if (has(BIAS_OPS, n.op) && other && !seen.has('bias') && (n.op !== 'BiasAdd' || next.slot === 0)) {
      chain.weights.push(lw(other, 'bias'));
      seen.add('bias');
    } else if (has(SCALE_OPS, n.op) && other && !seen.has('scale') && !seen.has('bias') && !seen.has('batchNorm')) {
      chain.weights.push(lw(other, 'scale'));
      seen.add('scale');
    } else if (has(BATCH_NORM_OPS, n.op) && next.slot === 0 && !seen.has('batchNorm') && !attrBool(n, 'is_training')) {
      const stats = [1, 2, 3, 4].map((k) => constInput(index, n, k, weights));
      if (stats.some((w) => !w)) return;
      for (const w of stats) chain.weights.push(lw(w as GraphWeight, 'batchNorm'));
      seen.add('batchNorm');
    } else if (has(ACTIVATION_OPS, n.op) && next.slot === 0) {
      if (n.op === 'Prelu') {
        const alpha = constInput(index, n, 1, weights);
        if (!alpha) return;
        chain.weights.push(lw(alpha, 'alpha'));
      }
      chain.activation = n.op;
    } else return;
    chain.ops.push(n.op);
    chain.nodes.push(n.name);
    chain.output = n.name;
    cur = n;
  }
}

/** The top-level nodes that are model outputs (their values must not change shape). */
export function outputNodes(outputs: readonly { node: string }[]): Set<string> {
  return new Set(outputs.map((o) => o.node));
}

/**
 * Groups the graph's nodes into layers and lists every other constant, in graph order.
 * `outputs`: the model's output nodes (a layer's chain stops at one).
 */
export function groupLayers(def: GraphDef, weightList: readonly GraphWeight[], outputs: readonly { node: string }[]): GraphAnalysis {
  const index = indexGraph(def);
  const weights = new Map(weightList.map((w) => [w.name, w]));
  const outs = outputNodes(outputs);
  const layers: GraphLayer[] = [];
  const owner = new Map<string, string>();
  for (const node of index.order) {
    if (!has(LAYER_OPS, node.op)) continue;
    const k = kernelOf(index, node, weights);
    if (!k) continue;
    const fused = node.op.startsWith('_Fused') || node.op.startsWith('FusedDepthwise') ? fusedWeights(index, node, weights) : { weights: [], activation: null };
    const chain: Chain = { ops: [node.op], nodes: [node.name], weights: [lw(k.weight, 'kernel'), ...fused.weights], activation: fused.activation, output: node.name };
    absorb(index, node, weights, chain, outs);
    let reason: string | null = null;
    if (k.weight.dtype !== 'float32') reason = `its kernel is ${k.weight.dtype}, not float32`;
    else if (owner.has(k.weight.name)) reason = `it shares its kernel ${k.weight.name} with ${owner.get(k.weight.name)}, which prunes it`;
    if (!owner.has(k.weight.name)) owner.set(k.weight.name, node.name);
    layers.push({
      name: node.name,
      op: node.op,
      kind: kindOf(node.op),
      ops: chain.ops,
      nodes: chain.nodes,
      output: chain.output,
      weights: chain.weights,
      kernel: chain.weights[0],
      kernelInput: k.input,
      inAxis: k.inAxis,
      outAxis: k.outAxis,
      activation: chain.activation,
      prunable: reason === null,
      reason,
    });
  }
  const inLayers = new Set(layers.flatMap((l) => l.weights.map((w) => w.name)));
  const functionNames = (def.library?.function ?? []).map((f) => f.signature.name);
  const constants: GraphConstant[] = [];
  for (const w of weightList) {
    if (inLayers.has(w.name)) continue;
    constants.push({ name: w.name, dtype: w.dtype, shape: [...w.shape], ...constantRole(index, w, functionNames) });
  }
  const controlFlow = index.order.filter((n) => isControlFlowOp(n.op)).map((n) => ({ name: n.name, op: n.op }));
  return { layers, constants, controlFlow, index };
}

/** Readers of a constant, looking through Identity nodes. */
function readersOf(index: GraphIndex, name: string, depth = 0): NodeDef[] {
  return (index.consumers.get(name) ?? []).flatMap((c) => (c.node.op === 'Identity' && depth < 16 ? readersOf(index, c.node.name, depth + 1) : [c.node]));
}

function constantRole(index: GraphIndex, w: GraphWeight, functionNames: string[]): { role: ConstantRole; reason: string } {
  const fn = functionNames.find((f) => w.name.startsWith(`${f}/`));
  if (fn) return { role: 'control-flow', reason: `a constant inside the function "${fn}" (a loop body or condition); the studio does not prune inside control flow` };
  const readers = readersOf(index, w.name);
  const flow = readers.find((r) => isControlFlowOp(r.op));
  if (flow) return { role: 'control-flow', reason: `carried into ${flow.op} "${flow.name}" (control flow); the studio does not prune weights used inside loops or conditionals` };
  if (w.dtype !== 'float32') return { role: 'non-weight', reason: `${w.dtype === 'int32' ? 'an int32' : 'a bool'} constant (shapes, axes, indices), not a weight` };
  if (readers.length === 0) return { role: 'other', reason: 'no node reads it' };
  const r = readers[0];
  return { role: 'other', reason: `read by ${r.op} "${r.name}", which does not directly follow a weighted op, so it belongs to no layer; kept as it is` };
}
