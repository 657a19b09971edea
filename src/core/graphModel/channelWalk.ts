// The walk behind channel groups (channelGroups.ts): from a layer's output, every op its channels go
// through and every constant slice that goes with each channel, on the rule that a channel may go only
// when the rest of the network then sees exactly what it saw when the channel was masked (zeroed).
//
// The walk follows the tensor through ops that keep the channel axis last and map 0 to 0:
//   - bias, scale and other constants, per channel or scalar: BiasAdd, Add, AddV2, Sub, Mul, Maximum,
//     Minimum (sliced with the channel);
//   - FusedBatchNorm / V2 / V3 (scale, offset, mean, variance sliced);
//   - activations that keep zeros: Relu, Relu6, Elu, Selu, LeakyRelu, Prelu (alpha sliced), Tanh,
//     Softsign, Neg, Abs, Square, Identity;
//   - per-channel spatial ops: MaxPool, AvgPool, Pad / PadV2 / MirrorPad (not on the channel axis),
//     ResizeBilinear, ResizeNearestNeighbor, SpaceToBatchND, BatchToSpaceND;
//   - reductions over other axes (Mean, Max, Min, Sum), Squeeze / ExpandDims of other axes;
//   - a depthwise convolution: its kernel (and fused bias) are sliced with the channel, each channel
//     widened by the depth multiplier (channel c owns outputs c*m .. c*m+m-1);
// and ends at consumers whose kernels lose the matching input slices: Conv2D / _FusedConv2D /
// Conv3D (input axis), MatMul / _FusedMatMul / BatchMatMul (rows, or columns when transposed),
// Conv2DBackpropInput (its last kernel axis). It stops at a sum of two non-constant tensors (Add,
// AddV2, Sub, Mul, Maximum, Minimum, AddN) and records it: channelGroups.ts couples what meets there.
// Anything else locks, with the reason: a model output, a Reshape or Concat (the channel count is
// written elsewhere), control flow (a loop or conditional), an op that maps 0 to a nonzero value
// (Sigmoid, Softplus, Exp, fused Sigmoid: a removed channel would still contribute), Softmax over the
// channels, or an op the walk does not know.
import { isControlFlowOp } from './graphCheck';
import { attrBool, attrInt, attrInts, attrString, attrStrings, dataInputs, throughIdentity, type GraphIndex, type NodeDef } from './graphDef';
import type { GraphWeight } from './graphWeights';

export interface ChannelMember {
  /** The constant's name. */
  weight: string;
  axis: number;
  /** Consecutive entries per channel along `axis` (a depth multiplier widens it). */
  width: number;
  /** out: the producer's kernel; in: a consumer's kernel; through: everything sliced in between. */
  role: 'out' | 'in' | 'through';
  /** A kernel slice: counts for magnitude importance (biases and statistics do not). */
  kernel: boolean;
  /** Whether masking writes zeros here; false for batch-norm mean and variance (zeros there could divide by 0). */
  zero: boolean;
}

const ZERO_UNARY = new Set(['Identity', 'Relu', 'Relu6', 'Elu', 'Selu', 'LeakyRelu', 'Tanh', 'Softsign', 'Neg', 'Abs', 'Square']);
const NONZERO_UNARY = new Set(['Sigmoid', 'Softplus', 'Exp', 'Cos', 'Cosh', 'Erf', 'Rsqrt', 'Reciprocal', 'Sqrt', 'Log', 'Log1p', 'Round', 'Sign', 'Floor', 'Ceil']);
const ELEMENTWISE = new Set(['BiasAdd', 'Add', 'AddV2', 'Sub', 'Mul', 'Maximum', 'Minimum']);
/** Elementwise ops that couple two non-constant tensors channel by channel (0 with 0 gives 0). */
const MERGES = new Set(['Add', 'AddV2', 'Sub', 'Mul', 'Maximum', 'Minimum', 'AddN']);
const BATCH_NORM = new Set(['FusedBatchNorm', 'FusedBatchNormV2', 'FusedBatchNormV3']);
const SPATIAL = new Set(['MaxPool', 'AvgPool', 'ResizeBilinear', 'ResizeNearestNeighbor', 'SpaceToBatchND', 'BatchToSpaceND']);
const PADS = new Set(['Pad', 'PadV2', 'MirrorPad']);
const REDUCTIONS = new Set(['Mean', 'Max', 'Min', 'Sum']);
export const CONVS = new Set(['Conv2D', '_FusedConv2D', 'Conv3D']);
export const MATMULS = new Set(['MatMul', '_FusedMatMul', 'BatchMatMul', 'BatchMatMulV2']);
const DEPTHWISE = new Set(['DepthwiseConv2dNative', 'FusedDepthwiseConv2dNative']);
const ZERO_FUSED = new Set(['BiasAdd', 'FusedBatchNorm', 'Relu', 'Relu6', 'Elu', 'LeakyRelu', 'Prelu']);

/** Thrown by lock(): the walk stops and its group is locked with the message. */
export class Locked extends Error {}
export const lock = (reason: string): never => {
  throw new Locked(reason);
};

export function isNchw(node: NodeDef): boolean {
  return (attrString(node, 'data_format') ?? 'NHWC').startsWith('NC');
}

export interface Walk {
  index: GraphIndex;
  weights: Map<string, GraphWeight>;
  outputs: Set<string>;
  channels: number;
  members: ChannelMember[];
  consumers: string[];
  /** Nodes the walk went through, with the width they saw. */
  visited: Map<string, number>;
  /** Sums the walk reached and stopped at: where its channels couple with others. */
  merges: { node: string; slot: number; rank: number }[];
}

export function newWalk(index: GraphIndex, weights: Map<string, GraphWeight>, outputs: Set<string>, channels: number, start: string): Walk {
  return { index, weights, outputs, channels, members: [], consumers: [], visited: new Map([[start, 1]]), merges: [] };
}

function constOf(w: Walk, node: NodeDef, slot: number): GraphWeight | undefined {
  const ref = dataInputs(node)[slot];
  const src = ref ? throughIdentity(w.index, ref.node) : undefined;
  return src?.op === 'Const' ? w.weights.get(src.name) : undefined;
}

export const describe = (n: NodeDef) => `${n.op} "${n.name}"`;

/** A per-channel constant slice (last axis, length channels x width, other dims 1); null for a scalar. */
function vectorMember(w: Walk, c: GraphWeight, width: number, at: NodeDef, zero = true): ChannelMember | null {
  const size = c.values.length;
  if (size === 1) return null;
  const last = c.shape.length - 1;
  if (last < 0 || c.shape[last] !== w.channels * width || size !== c.shape[last]) {
    return lock(`${describe(at)} uses the constant ${c.name} of shape [${c.shape.join(',')}], which does not follow the channels`);
  }
  return { weight: c.name, axis: last, width, role: 'through', kernel: false, zero };
}

export function addMember(w: Walk, m: ChannelMember | null): void {
  if (m && !w.members.some((x) => x.weight === m.weight && x.axis === m.axis)) w.members.push(m);
}

/** Fused arguments (bias, batch norm, Prelu alpha) of a fused op: sliced with the channel; a fused activation must keep zeros. */
export function fusedArgs(w: Walk, node: NodeDef, width: number): void {
  const fused = attrStrings(node, 'fused_ops');
  const bad = fused.find((f) => !ZERO_FUSED.has(f));
  if (bad) lock(`${describe(node)} applies ${bad}, which maps 0 to a nonzero value, so a removed channel would still contribute`);
  const numArgs = attrInt(node, 'num_args') ?? Math.max(0, dataInputs(node).length - 2);
  for (let k = 0; k < numArgs; k++) {
    const c = constOf(w, node, 2 + k);
    if (!c) lock(`${describe(node)} takes a fused argument that is not a constant`);
    const isStat = fused[0] === 'FusedBatchNorm' && (k === 2 || k === 3);
    addMember(w, vectorMember(w, c as GraphWeight, width, node, !isStat));
  }
}

/** A consumer's kernel: the input slices of every channel. */
function kernelMember(w: Walk, node: NodeDef, slot: number, axis: number, width: number): void {
  const k = constOf(w, node, slot);
  if (!k) lock(`${describe(node)} multiplies the channels by something that is not a constant kernel`);
  const kernel = k as GraphWeight;
  const ax = axis < 0 ? kernel.shape.length + axis : axis;
  if (kernel.shape[ax] !== w.channels * width) lock(`${describe(node)} has a kernel of shape [${kernel.shape.join(',')}] that does not line up with the channels`);
  addMember(w, { weight: kernel.name, axis: ax, width, role: 'in', kernel: true, zero: true });
  if (!w.consumers.includes(node.name)) w.consumers.push(node.name);
}

function intConst(w: Walk, node: NodeDef, slot: number): number[] | null {
  const c = constOf(w, node, slot);
  return c && c.dtype === 'int32' ? Array.from(c.values) : null;
}

/** Follows one tensor (output 0 of `name`): every reader either passes the channels on, consumes them, or locks the group. */
export function follow(w: Walk, name: string, width: number, rank: number): void {
  if (w.outputs.has(name)) lock(`its channels reach the model output "${name}"`);
  for (const { node, slot, index } of w.index.consumers.get(name) ?? []) {
    if (index !== 0) lock(`${describe(node)} reads another output of "${name}"`);
    if (isMerge(w, node)) {
      if (width !== 1) lock(`its channels, widened by a depth multiplier, meet another tensor in ${describe(node)}`);
      w.merges.push({ node: node.name, slot, rank });
      continue;
    }
    const seen = w.visited.get(node.name);
    if (seen !== undefined) {
      if (seen !== width) lock(`${describe(node)} is reached twice with different channel layouts`);
      continue;
    }
    w.visited.set(node.name, width);
    step(w, node, slot, width, rank);
  }
}

/** A sum of non-constant tensors (a residual connection): the walk stops and the channels couple there. */
function isMerge(w: Walk, node: NodeDef): boolean {
  if (!MERGES.has(node.op)) return false;
  const inputs = dataInputs(node);
  if (node.op === 'AddN') {
    if (inputs.some((_, k) => constOf(w, node, k))) lock(`${describe(node)} adds a constant to a sum, which the studio does not slice`);
    return true;
  }
  return inputs.length === 2 && !constOf(w, node, 0) && !constOf(w, node, 1);
}

function step(w: Walk, node: NodeDef, slot: number, width: number, rank: number): void {
  const op = node.op;
  const inputs = dataInputs(node);
  if (ZERO_UNARY.has(op)) return follow(w, node.name, width, rank);
  if (NONZERO_UNARY.has(op)) lock(`${describe(node)} maps 0 to a nonzero value, so a removed channel would still contribute`);
  if (op === 'Prelu' && slot === 0) {
    const alpha = constOf(w, node, 1);
    if (!alpha) lock(`${describe(node)} has an alpha that is not a constant`);
    addMember(w, vectorMember(w, alpha as GraphWeight, width, node));
    return follow(w, node.name, width, rank);
  }
  if (ELEMENTWISE.has(op) && inputs.length === 2 && !(op === 'BiasAdd' && slot !== 0)) {
    const other = constOf(w, node, 1 - slot);
    if (!other) lock(`${describe(node)} adds a tensor that is not a constant as a bias`);
    if (isNchw(node)) lock(`${describe(node)} is channels-first (NCHW)`);
    addMember(w, vectorMember(w, other as GraphWeight, width, node));
    return follow(w, node.name, width, rank);
  }
  if (BATCH_NORM.has(op) && slot === 0) {
    if (isNchw(node)) lock(`${describe(node)} is channels-first (NCHW)`);
    for (let k = 1; k <= 4; k++) {
      const c = constOf(w, node, k);
      if (!c) lock(`${describe(node)} has statistics that are not constants`);
      addMember(w, vectorMember(w, c as GraphWeight, width, node, k <= 2));
    }
    return follow(w, node.name, width, rank);
  }
  if (SPATIAL.has(op) && slot === 0) {
    if (isNchw(node)) lock(`${describe(node)} is channels-first (NCHW)`);
    return follow(w, node.name, width, rank);
  }
  if (PADS.has(op) && slot === 0) {
    const pads = intConst(w, node, 1);
    if (!pads || pads.length !== rank * 2) lock(`${describe(node)} has paddings the studio cannot read`);
    if ((pads as number[])[rank * 2 - 2] !== 0 || (pads as number[])[rank * 2 - 1] !== 0) lock(`${describe(node)} pads the channel axis`);
    if (op === 'PadV2') {
      const value = constOf(w, node, 2);
      if (!value || value.values.length !== 1 || value.values[0] !== 0) lock(`${describe(node)} pads with a nonzero value`);
    }
    return follow(w, node.name, width, rank);
  }
  if (REDUCTIONS.has(op) && slot === 0) {
    const axes = intConst(w, node, 1);
    if (!axes) lock(`${describe(node)} reduces over axes the studio cannot read`);
    const norm = (axes as number[]).map((a) => (a < 0 ? a + rank : a));
    if (norm.includes(rank - 1)) lock(`${describe(node)} reduces over the channels`);
    return follow(w, node.name, width, attrBool(node, 'keep_dims') ? rank : rank - new Set(norm).size);
  }
  if (op === 'Squeeze') {
    const dims = attrInts(node, 'squeeze_dims').map((a) => (a < 0 ? a + rank : a));
    if (dims.length === 0 || dims.includes(rank - 1)) lock(`${describe(node)} may squeeze the channel axis`);
    return follow(w, node.name, width, rank - dims.length);
  }
  if (op === 'ExpandDims' && slot === 0) {
    const axis = intConst(w, node, 1);
    if (!axis || axis.length !== 1 || axis[0] < 0 || axis[0] >= rank) lock(`${describe(node)} may move the channel axis`);
    return follow(w, node.name, width, rank + 1);
  }
  if (DEPTHWISE.has(op) && slot === 0) {
    if (isNchw(node)) lock(`${describe(node)} is channels-first (NCHW)`);
    const k = constOf(w, node, 1);
    if (!k || k.shape.length !== 4 || k.shape[2] !== w.channels * width) lock(`${describe(node)} has a kernel that does not line up with the channels`);
    const kernel = k as GraphWeight;
    addMember(w, { weight: kernel.name, axis: 2, width, role: 'through', kernel: true, zero: true });
    const wider = width * kernel.shape[3];
    if (op === 'FusedDepthwiseConv2dNative') fusedArgs(w, node, wider);
    return follow(w, node.name, wider, rank);
  }
  if (CONVS.has(op) && slot === 0) {
    if (isNchw(node)) lock(`${describe(node)} is channels-first (NCHW)`);
    kernelMember(w, node, 1, -2, width);
    return;
  }
  if (MATMULS.has(op) && slot === 0) {
    const batch = op.startsWith('BatchMatMul');
    if (attrBool(node, batch ? 'adj_x' : 'transpose_a')) lock(`${describe(node)} transposes its input`);
    kernelMember(w, node, 1, attrBool(node, batch ? 'adj_y' : 'transpose_b') ? -1 : -2, width);
    return;
  }
  if (op === 'Conv2DBackpropInput' && slot === 2) {
    kernelMember(w, node, 1, 3, width);
    return;
  }
  if (isControlFlowOp(op)) lock(`its channels are carried into ${describe(node)} (control flow), which the studio does not follow`);
  if (op === 'Reshape') lock(`${describe(node)} depends on the channel count`);
  if (op === 'ConcatV2' || op === 'Concat' || op === 'Pack') lock(`its channels are joined with other tensors in ${describe(node)}`);
  if (op === 'Softmax') lock(`${describe(node)} normalises over the channels`);
  lock(`its channels feed ${describe(node)}, which the studio cannot prove safe to shrink`);
}
