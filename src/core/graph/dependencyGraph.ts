// Channel dependency groups for structured pruning, as Torch-Pruning builds them, on the flat layer
// graph (nested models inlined).
//
// Every layer that creates channels (Dense units, Conv1D/2D/3D, Conv2DTranspose and SeparableConv2D
// filters) is a *source*. Each tensor's last axis gets a *layout*: which source channel sits at each
// index. Layers then act on layouts:
//   - pass-through (activations, dropout, pooling, padding, cropping, upsampling, global pooling,
//     RepeatVector, Reshape that keeps the last dim): same layout;
//   - BatchNormalization (last axis): same layout; its gamma, beta, moving mean and variance are sliced
//     with the channel;
//   - DepthwiseConv2D: same channels, each widened by the depth multiplier (channel c of the producer
//     owns outputs c*m .. c*m+m-1); its kernel and bias are sliced with the producer's channel;
//   - Flatten: a channel maps to H*W positions, NHWC order: flattened index = (h*W + w)*C + c;
//   - Concatenate (last axis): layouts are joined, each input keeping its offset;
//   - Add, Subtract, Multiply, Average, Maximum, Minimum (and Concatenate on another axis): the inputs
//     are coupled channel by channel: their sources join one group, pruned together;
//   - Dense / Conv / SeparableConv2D consume a layout (their kernel's input slices belong to the
//     channels' groups) and start a new source.
// A group is the set of coupled sources; its members are every weight slice that belongs to one of
// its channels. Removing a channel removes all of them, so the rest of the network sees exactly what
// it saw when the channel was masked.
//
// Locking (never throwing): a group is locked, with the reason, when its channels reach a model
// output, feed a layer the engine cannot re-slice (LSTM, Embedding, LayerNormalization, Softmax over
// channels, Permute, wrappers, custom layers, shared layers...), are coupled with channels that do not
// line up (broadcast Add, mismatched concatenations), or when the config could not be fully read.
import type * as tf from '@tensorflow/tfjs';
import { buildLayerGraph, type GraphNode, type JsonValue, type LayerGraph } from './layerGraph';
import { weightSuffix } from './layerPaths';

export interface Seg {
  /** Source id. */
  src: number;
  /** Channels of the source in this segment (all of them: segments are whole sources). */
  count: number;
  /** Consecutive entries per channel (depth multipliers multiply it). */
  width: number;
}

/** `repeat` positions (after Flatten), each holding the segments in order. */
export interface Block {
  repeat: number;
  segs: Seg[];
}

export type Layout = Block[];

export interface GroupMember {
  path: string;
  node: number;
  className: string;
  /** Weight suffix: "kernel", "bias", "gamma", "depthwise_kernel", ... */
  weight: string;
  axis: number;
  /** out: the producer's own channels; in: a consumer's input slices; through: BatchNorm / depthwise slices. */
  role: 'out' | 'in' | 'through';
  /** indices[c]: indices along `axis` that belong to channel c of the group. */
  indices: number[][];
}

export interface ChannelGroup {
  /** Stable id: path of the group's first producer layer, e.g. "conv1" or "features/conv_1". */
  id: string;
  channels: number;
  /** Layer paths whose filters or units this group removes (more than one when coupled by Add etc.). */
  producers: string[];
  members: GroupMember[];
  /** Why the group cannot be pruned; null when it can. */
  locked: string | null;
}

/** Group id -> keep mask over the group's channels (1 = keep). Plain data, as stored in snapshots. */
export type ChannelPlan = Record<string, Uint8Array>;

export interface SourceInfo {
  id: number;
  /** Producer node, or null for model inputs. */
  node: number | null;
  count: number;
  lock: string | null;
  /** Output of a layer channel pruning does not handle: never a group's producer. */
  opaque: boolean;
  /** Index into DependencyGraph.groups; -1 when the source belongs to no listed group. */
  group: number;
}

export interface DependencyGraph {
  layers: LayerGraph;
  groups: ChannelGroup[];
  /** Layers that carry prunable weights but whose channels cannot be removed, with the reason. */
  locked: { path: string; reason: string }[];
  /** Internal, for the channel surgery: the layout of every tensor (null when unknown). */
  layouts: (Layout | null)[];
  sources: SourceInfo[];
  /** Nodes whose config repeats a channel count: Reshape target_shape. */
  reshapes: number[];
}

// Layers that leave the channel axis alone and have no weights.
const PASS_THROUGH = new Set([
  'Activation', 'ReLU', 'LeakyReLU', 'ELU', 'ThresholdedReLU', 'Dropout', 'SpatialDropout1D', 'SpatialDropout2D',
  'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D',
  'AveragePooling1D', 'AveragePooling2D', 'AveragePooling3D', 'GlobalAveragePooling1D', 'GlobalAveragePooling2D',
  'GlobalMaxPooling1D', 'GlobalMaxPooling2D', 'GlobalMaxPool1D', 'GlobalMaxPool2D', 'GlobalAvgPool1D', 'GlobalAvgPool2D',
  'MaxPool1D', 'MaxPool2D', 'AvgPool1D', 'AvgPool2D', 'ZeroPadding1D', 'ZeroPadding2D', 'Cropping1D', 'Cropping2D',
  'UpSampling1D', 'UpSampling2D', 'RepeatVector',
]);
const MERGE = new Set(['Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum']);
const SOURCES = new Set(['Dense', 'Conv1D', 'Conv2D', 'Conv3D', 'Conv2DTranspose', 'SeparableConv2D']);

export function layoutLength(layout: Layout): number {
  return layout.reduce((n, b) => n + b.repeat * b.segs.reduce((m, s) => m + s.count * s.width, 0), 0);
}

function lastDim(shape: (number | null)[] | null | undefined): number | null {
  if (!shape || shape.length === 0) return null;
  const d = shape[shape.length - 1];
  return typeof d === 'number' ? d : null;
}

function configNumber(v: JsonValue | undefined): number | null {
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'number') return v[0];
  return null;
}

function weightShapes(layer: tf.layers.Layer | null): Map<string, number[]> {
  const map = new Map<string, number[]>();
  if (!layer) return map;
  for (const v of layer.weights) map.set(weightSuffix(layer, v), v.shape.map((d) => d ?? 0));
  return map;
}

class UnionFind {
  parent: number[] = [];
  add(): number {
    this.parent.push(this.parent.length);
    return this.parent.length - 1;
  }
  find(x: number): number {
    while (this.parent[x] !== x) {
      this.parent[x] = this.parent[this.parent[x]];
      x = this.parent[x];
    }
    return x;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

interface SliceUse {
  node: number;
  weight: string;
  axis: number;
  /** Tensor whose layout indexes the axis. */
  tensor: number;
  stride: number;
  role: 'in' | 'through';
}

/** Channel entries of a layout: for each entry index, its source and channel. */
export function forEachEntry(layout: Layout, fn: (entry: number, src: number, channel: number) => void): void {
  let offset = 0;
  for (const b of layout) {
    const per = b.segs.reduce((m, s) => m + s.count * s.width, 0);
    for (let p = 0; p < b.repeat; p++) {
      let e = offset + p * per;
      for (const s of b.segs) {
        for (let c = 0; c < s.count; c++) for (let j = 0; j < s.width; j++) fn(e++, s.src, c);
      }
    }
    offset += b.repeat * per;
  }
}

function sameStructure(a: Layout, b: Layout): boolean {
  if (a.length !== b.length) return false;
  return a.every((blk, i) => {
    const o = b[i];
    return blk.repeat === o.repeat && blk.segs.length === o.segs.length && blk.segs.every((s, j) => s.count === o.segs[j].count && s.width === o.segs[j].width);
  });
}

export function buildDependencyGraph(model: tf.LayersModel, layers: LayerGraph = buildLayerGraph(model)): DependencyGraph {
  const g = layers;
  const uf = new UnionFind();
  const sources: SourceInfo[] = [];
  const layouts: (Layout | null)[] = new Array(g.tensors.length).fill(null);
  const uses: SliceUse[] = [];
  const reshapes: number[] = [];
  const lockedLayers = new Map<string, string>();

  const newSource = (node: number | null, count: number, lock: string | null = null, opaque = false): number => {
    const id = uf.add();
    sources.push({ id, node, count, lock, opaque, group: -1 });
    return id;
  };
  const lockSrc = (src: number, reason: string) => {
    if (!sources[src].lock) sources[src].lock = reason;
  };
  const srcsOf = (l: Layout | null) => (l ? l.flatMap((b) => b.segs.map((s) => s.src)) : []);
  const single = (count: number | null, src: number): Layout => [{ repeat: 1, segs: [{ src, count: count ?? 0, width: 1 }] }];
  const flatOnly = (l: Layout) => l.every((b) => b.repeat === 1);

  const opaque = (node: GraphNode, reason: string) => {
    for (const t of node.inputs) for (const s of srcsOf(layouts[t])) lockSrc(s, reason);
    for (const t of node.outputs) {
      const count = lastDim(g.tensors[t].shape);
      layouts[t] = single(count, newSource(node.id, count ?? 0, `comes out of ${node.path} (${node.className}), which channel pruning does not handle`, true));
    }
  };

  for (const node of g.nodes) {
    try {
      analyse(node);
    } catch (e) {
      // Never crash on a layer: treat it as one channel pruning does not handle.
      opaque(node, `feeds ${node.path} (${node.className}), which could not be analysed: ${(e as Error).message}`);
    }
  }

  function analyse(node: GraphNode): void {
    const cls = node.className;
    const inL = node.inputs.length ? layouts[node.inputs[0]] : null;
    const inShape = node.inputs.length ? g.tensors[node.inputs[0]].shape : null;
    const outShape = node.outputs.length ? g.tensors[node.outputs[0]].shape : null;
    const cfg = node.config;
    const shared = (g.applications.get(node.path) ?? 1) > 1;
    const feeds = `feeds ${node.path} (${cls}), which channel pruning cannot re-slice`;
    const dataFormat = cfg.data_format;
    if (cls === 'InputLayer') {
      const count = lastDim(g.tensors[node.outputs[0]].shape);
      layouts[node.outputs[0]] = single(count, newSource(null, count ?? 0, `coupled with the model input ${node.path}, which cannot be pruned`));
      return;
    }
    if (node.inputs.some((t) => !layouts[t])) {
      opaque(node, `${feeds}: unknown input layout`);
      return;
    }
    if (dataFormat !== undefined && dataFormat !== null && dataFormat !== 'channels_last') {
      opaque(node, `${feeds}: data_format ${String(dataFormat)}`);
      return;
    }
    if (shared && !PASS_THROUGH.has(cls)) {
      opaque(node, `${feeds}: the layer is applied ${g.applications.get(node.path)} times (shared weights)`);
      if (SOURCES.has(cls)) lockedLayers.set(node.path, 'the layer is applied more than once (shared weights)');
      return;
    }
    if (node.outputs.length !== 1 || (node.inputs.length !== 1 && !MERGE.has(cls) && cls !== 'Concatenate')) {
      opaque(node, `${feeds}: ${node.inputs.length} inputs, ${node.outputs.length} outputs`);
      return;
    }
    const out = node.outputs[0];
    const shapes = weightShapes(node.layer);

    if (SOURCES.has(cls)) {
      const L = inL as Layout;
      const kernelName = cls === 'SeparableConv2D' ? 'pointwise_kernel' : 'kernel';
      const kernel = shapes.get(kernelName);
      const rank = kernel?.length ?? 0;
      const groups = configNumber(cfg.groups) ?? 1;
      let inDim: number | null = null;
      let outAxis = rank - 1;
      let mult = 1;
      if (cls === 'SeparableConv2D') {
        const dw = shapes.get('depthwise_kernel');
        inDim = dw ? dw[2] : null;
        mult = dw ? dw[3] : 1;
      } else if (cls === 'Conv2DTranspose') {
        inDim = kernel ? kernel[rank - 1] : null;
        outAxis = rank - 2;
      } else if (cls === 'Dense') {
        inDim = kernel ? kernel[0] : null;
      } else {
        inDim = kernel ? kernel[rank - 2] : null;
      }
      const count = kernel ? kernel[outAxis] : null;
      if (!kernel || count === null || inDim === null || groups !== 1) {
        opaque(node, `${feeds}: unexpected weights or grouped convolution`);
        lockedLayers.set(node.path, groups !== 1 ? 'grouped convolution' : 'unexpected weights');
        return;
      }
      if (layoutLength(L) !== inDim || (cls !== 'Dense' && !flatOnly(L))) {
        for (const s of srcsOf(L)) lockSrc(s, `${feeds}: its ${inDim} input channels do not line up with the producers'`);
      } else if (cls === 'SeparableConv2D') {
        uses.push({ node: node.id, weight: 'depthwise_kernel', axis: 2, tensor: node.inputs[0], stride: 1, role: 'in' });
        uses.push({ node: node.id, weight: 'pointwise_kernel', axis: 2, tensor: node.inputs[0], stride: mult, role: 'in' });
      } else {
        uses.push({ node: node.id, weight: 'kernel', axis: cls === 'Conv2DTranspose' ? rank - 1 : rank - 2, tensor: node.inputs[0], stride: 1, role: 'in' });
      }
      const src = newSource(node.id, count);
      if (cfg.activation === 'softmax') lockSrc(src, `${node.path} applies softmax across its channels`);
      layouts[out] = single(count, src);
      return;
    }

    const L = inL as Layout;
    if (cls === 'DepthwiseConv2D') {
      const k = shapes.get('depthwise_kernel');
      if (!k || k[2] !== layoutLength(L) || !flatOnly(L)) {
        opaque(node, `${feeds}: its channels do not line up with the producers'`);
        lockedLayers.set(node.path, 'depthwise channels do not line up with the producer');
        return;
      }
      const mult = k[3];
      uses.push({ node: node.id, weight: 'depthwise_kernel', axis: 2, tensor: node.inputs[0], stride: 1, role: 'through' });
      if (shapes.has('bias')) uses.push({ node: node.id, weight: 'bias', axis: 0, tensor: node.inputs[0], stride: mult, role: 'through' });
      layouts[out] = L.map((b) => ({ repeat: b.repeat, segs: b.segs.map((s) => ({ ...s, width: s.width * mult })) }));
      return;
    }
    if (cls === 'BatchNormalization') {
      const rank = inShape?.length ?? 0;
      const axis = configNumber(cfg.axis) ?? -1;
      if ((axis !== -1 && axis !== rank - 1) || !flatOnly(L)) {
        opaque(node, `${feeds}: normalizes axis ${axis}, not the channel axis`);
        return;
      }
      for (const w of ['gamma', 'beta', 'moving_mean', 'moving_variance']) {
        if (shapes.has(w)) uses.push({ node: node.id, weight: w, axis: 0, tensor: node.inputs[0], stride: 1, role: 'through' });
      }
      layouts[out] = L;
      return;
    }
    if (PASS_THROUGH.has(cls)) {
      if (cls === 'Activation' && cfg.activation === 'softmax') {
        opaque(node, `${feeds}: softmax mixes the channels`);
        return;
      }
      layouts[out] = L;
      return;
    }
    if (cls === 'Flatten') {
      if (!inShape || inShape.length <= 2) {
        layouts[out] = L;
        return;
      }
      const positions = inShape.slice(1, -1).reduce<number | null>((p, d) => (p === null || d === null ? null : p * d), 1);
      if (positions === null || !flatOnly(L)) {
        opaque(node, `${feeds}: unknown spatial size`);
        return;
      }
      layouts[out] = [{ repeat: positions, segs: L.flatMap((b) => b.segs) }];
      return;
    }
    if (cls === 'Reshape') {
      const a = lastDim(inShape);
      const b = lastDim(outShape);
      if (a === null || a !== b || !flatOnly(L) || (inShape?.length ?? 0) < 2) {
        opaque(node, `${feeds}: it changes the last axis`);
        return;
      }
      reshapes.push(node.id);
      layouts[out] = L;
      return;
    }
    if (cls === 'Concatenate') {
      const rank = outShape?.length ?? 0;
      const axis = configNumber(cfg.axis) ?? -1;
      const ins = node.inputs.map((t) => layouts[t] as Layout);
      if (axis === -1 || axis === rank - 1) {
        const joined: Layout = [];
        for (const l of ins) {
          for (const b of l) {
            const prev = joined[joined.length - 1];
            if (prev && prev.repeat === 1 && b.repeat === 1) prev.segs = [...prev.segs, ...b.segs];
            else joined.push({ repeat: b.repeat, segs: [...b.segs] });
          }
        }
        layouts[out] = joined;
        return;
      }
      // Concatenating along another axis: channel c of every input lands on channel c.
    }
    if (MERGE.has(cls) || cls === 'Concatenate') {
      const ins = node.inputs.map((t) => layouts[t] as Layout);
      if (!ins.every((l) => sameStructure(l, ins[0]))) {
        opaque(node, `${feeds}: its inputs do not line up channel by channel (broadcast or different concatenations)`);
        return;
      }
      for (const l of ins.slice(1)) {
        l.forEach((b, i) => b.segs.forEach((s, j) => uf.union(ins[0][i].segs[j].src, s.src)));
      }
      layouts[out] = ins[0];
      return;
    }
    opaque(node, feeds);
    if (['LSTM', 'GRU', 'SimpleRNN', 'Bidirectional'].includes(cls)) lockedLayers.set(node.path, 'recurrent units are not channel-prunable here (unstructured and N:M pruning still apply)');
    else if (cls === 'Embedding') lockedLayers.set(node.path, 'embedding width is not channel-prunable here (unstructured pruning still applies)');
    else if (shapes.size > 0) lockedLayers.set(node.path, `${cls} is not supported by channel pruning`);
  }

  // Model outputs are never pruned.
  for (const t of g.outputs) {
    const producer = g.nodes[g.tensors[t].producer];
    // Overrides earlier reasons: "it is the output" is the one a user needs to read.
    for (const s of srcsOf(layouts[t])) sources[s].lock = `reaches the model output (${producer.path}): output layers are never pruned`;
  }
  if (g.problems.length > 0) {
    for (const s of sources) lockSrc(s.id, `the model config could not be fully read: ${g.problems[0]}`);
  }

  // Components -> groups (only components with a real producer layer).
  const byRoot = new Map<number, number[]>();
  for (const s of sources) byRoot.set(uf.find(s.id), [...(byRoot.get(uf.find(s.id)) ?? []), s.id]);
  const groups: ChannelGroup[] = [];
  for (const ids of byRoot.values()) {
    const producers = ids.filter((i) => sources[i].node !== null && !sources[i].opaque);
    if (producers.length === 0) continue;
    const lock = ids.map((i) => sources[i].lock).find((r) => r) ?? null;
    const counts = new Set(ids.map((i) => sources[i].count));
    const index = groups.length;
    ids.forEach((i) => (sources[i].group = index));
    const first = g.nodes[sources[producers[0]].node as number];
    const channels = sources[producers[0]].count;
    const members: GroupMember[] = [];
    for (const i of producers) {
      const n = g.nodes[sources[i].node as number];
      const shapes = weightShapes(n.layer);
      const ident = Array.from({ length: channels }, (_, c) => [c]);
      const kernelName = n.className === 'SeparableConv2D' ? 'pointwise_kernel' : 'kernel';
      const kr = shapes.get(kernelName)?.length ?? 2;
      members.push({ path: n.path, node: n.id, className: n.className, weight: kernelName, axis: n.className === 'Conv2DTranspose' ? kr - 2 : kr - 1, role: 'out', indices: ident });
      if (shapes.has('bias')) members.push({ path: n.path, node: n.id, className: n.className, weight: 'bias', axis: 0, role: 'out', indices: ident.map((x) => [...x]) });
    }
    groups.push({
      id: first.path,
      channels,
      producers: producers.map((i) => g.nodes[sources[i].node as number].path),
      members,
      locked: lock ?? (counts.size > 1 ? 'coupled layers have different channel counts' : channels < 2 ? 'a single channel: nothing to remove' : null),
    });
  }
  // Consumer and pass-through slices, attached to the groups of the channels they read.
  for (const u of uses) {
    const node = g.nodes[u.node];
    const perGroup = new Map<number, GroupMember>();
    forEachEntry(layouts[u.tensor] as Layout, (entry, src, channel) => {
      const gi = sources[src].group;
      if (gi < 0) return;
      let m = perGroup.get(gi);
      if (!m) {
        m = { path: node.path, node: node.id, className: node.className, weight: u.weight, axis: u.axis, role: u.role, indices: Array.from({ length: groups[gi].channels }, () => []) };
        perGroup.set(gi, m);
      }
      for (let j = 0; j < u.stride; j++) m.indices[channel].push(entry * u.stride + j);
    });
    for (const [gi, m] of perGroup) groups[gi].members.push(m);
  }
  for (const grp of groups) {
    if (grp.locked) for (const p of grp.producers) if (!lockedLayers.has(p)) lockedLayers.set(p, grp.locked);
  }
  if (g.problems.length > 0 && g.nodes.length === 0) lockedLayers.set('(model)', `channel pruning is unavailable: ${g.problems[0]}`);
  return {
    layers: g,
    groups,
    locked: [...lockedLayers].map(([path, reason]) => ({ path, reason })),
    layouts,
    sources,
    reshapes,
  };
}
