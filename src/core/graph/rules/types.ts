// The shape of one entry of the layer-rule registry: everything the studio knows about one Keras
// layer class. The registry (./index.ts) holds one entry per class; the dependency graph, the
// channel surgery, the prunable-tensor list, the MAC counts, N:M pruning and the regularisers read
// these entries instead of testing class names themselves.
import type { KerasLayerConfig } from '../../model/kerasJson';
import type { Layout } from '../channelLayout';
import type { GraphNode, LayerGraph } from '../layerGraph';

/** The input axis N:M groups run along, or why N:M does not apply. */
export type NMAxis = { axis: number } | { reason: string };

/** One weight the pruning engine may cut (biases and BatchNorm parameters never are). */
export interface PrunableWeightRule {
  /** The weight's own name, matched against the last segment of the suffix ("forward_lstm/kernel" -> "kernel"). */
  name: string;
  /** N:M axis (the input dimension) from the weight's rank, or the reason N:M does not apply. */
  nm(rank: number): NMAxis;
  /**
   * Axes that index the layer's output channels, from the weight's rank: group lasso takes one norm
   * per index over them. Absent when the weight has no output channels of its own (recurrent kernels,
   * embeddings, a separable conv's depthwise stage).
   */
  outAxes?(rank: number): number[];
}

/** Uses of every prunable weight per example, and MACs not tied to weights; null when unknown. */
export interface MacUses {
  uses: number | null;
  extra: number | null;
}

/** A tensor's values as flat row-major float32 data, with its shape. */
export interface FlatTensor {
  values: Float32Array;
  shape: number[];
}

/** The current values of one of the node's weights, by suffix ("kernel", "bias", ...). */
export type WeightLookup = (suffix: string) => FlatTensor | undefined;

/** What a channel rule may do while the dependency graph analyses one node. */
export interface AnalyseContext {
  readonly g: LayerGraph;
  /** Layouts of the node's inputs (all known once the common checks passed; none for an InputLayer). */
  readonly inputs: Layout[];
  /** inputs[0]. */
  readonly input: Layout;
  readonly inputShape: (number | null)[] | null;
  readonly outputShape: (number | null)[] | null;
  /** The node's weight shapes by suffix. */
  readonly shapes: ReadonlyMap<string, number[]>;
  /** "feeds conv1 (Conv2D), which channel pruning cannot re-slice": how lock reasons about this node start. */
  readonly feeds: string;
  setOutput(layout: Layout): void;
  /** A new channel source: produced by this node (`own`) or by the model input. Returns its id. */
  newSource(count: number, options?: { lock?: string; modelInput?: boolean }): number;
  lockSource(src: number, reason: string): void;
  /** The node is one channel pruning does not handle: its inputs are locked with `reason`, its outputs get fresh channels. */
  opaque(reason: string): void;
  /** Lists the layer as one whose channels cannot be removed (dep.locked). */
  lockLayer(reason: string): void;
  /** Couples two sources: their channels are removed together. */
  couple(a: number, b: number): void;
  /** Slices of a weight along `axis` that belong to the channels of the first input: `stride` entries per input entry. */
  slice(weight: string, axis: number, stride: number, role: 'in' | 'through'): void;
  /** The node's config repeats the channel count (Reshape target_shape): the surgery edits it. */
  repeatsChannelCount(): void;
}

/** What a channel rule may do while the surgery propagates the constants that removed channels carry. */
export interface ConstantContext {
  /** Per input tensor: the constant on each channel entry (NaN = varies), or null when unknown. */
  readonly inputs: (Float64Array | null)[];
  /** Per input tensor: 1 where the constant is exact only away from the borders. */
  readonly inputApprox: (Uint8Array | null)[];
  /** The output's constants to fill (NaN on entry) and its approximation flags (0 on entry). */
  readonly out: Float64Array;
  readonly outApprox: Uint8Array;
  readonly weight: WeightLookup;
}

/** A kept consumer's response to a constant input entry: what it adds to the consumer's bias. */
export interface ConstantFold {
  /** fold[o] += what the constant `k` on input entry `entry` contributes to output channel o. */
  add(fold: Float64Array, entry: number, k: number): void;
  /** Why the fold is exact only away from the borders (or on average); '' when exact. */
  inexact: string;
}

/** A layer whose filters or units are channels the studio can remove (Dense, convolutions). */
export interface SourceRule {
  /** The weight whose output axis holds the channels: "kernel", or "pointwise_kernel". */
  kernel: string;
  /** That axis, from the kernel's rank. */
  outAxis(rank: number): number;
  /** The config field that holds the channel count. */
  countField: 'units' | 'filters';
  /**
   * Weights whose slices along `axis` read the input channels; the first one's length along its axis
   * is the input width. `stride`: consecutive slices per input entry (1 when absent; a separable
   * conv's pointwise kernel has one per depth-multiplier entry).
   */
  inputs: readonly { weight: string; axis(rank: number): number; stride?(shapes: ReadonlyMap<string, number[]>): number }[];
  /** Reads inputs whose positions were flattened into the channel axis (Dense after Flatten). */
  readsFlattened: boolean;
  /** The response to constant inputs, for folding into the bias; built on first use. */
  fold(node: GraphNode, weight: WeightLookup, kernel: FlatTensor): ConstantFold;
}

/** How a layer class treats channels. */
export interface ChannelRule {
  /**
   * input: a model input. source: creates channels (SourceRule). follow: keeps its input's channels
   * (maybe widened or repeated). merge: several inputs coupled or joined. opaque: channel pruning
   * stops here.
   */
  kind: 'input' | 'source' | 'follow' | 'merge' | 'opaque';
  /** Has no weights, so applying it several times (shared) is harmless. */
  shareable?: boolean;
  /** Reads the input layouts, records weight slices, couplings and locks, sets the output layout. */
  analyse(node: GraphNode, ctx: AnalyseContext): void;
  /** The constants on the output, from the constants on the inputs; absent: the output varies. */
  constant?(node: GraphNode, ctx: ConstantContext): void;
  source?: SourceRule;
}

export interface LayerRule {
  /** Keras class name, as in a topology's class_name. */
  className: string;
  /** Weights the pruning engine may cut; empty when none. */
  prunable: readonly PrunableWeightRule[];
  /** A wrapper whose prunable weights are the wrapped layer's (TimeDistributed). */
  wrapsLayer?: boolean;
  /** Per-example MAC uses of one application of the layer. */
  macs(node: GraphNode, g: LayerGraph): MacUses;
  channels: ChannelRule;
  /** Per-channel scales the network-slimming penalty drives to zero (BatchNorm's gamma). */
  scales?: readonly string[];
  /** Restores config fields TF.js drops when it saves the layer, from its weights, before the surgery reloads. */
  repairConfig?(config: KerasLayerConfig, weight: WeightLookup): void;
}
