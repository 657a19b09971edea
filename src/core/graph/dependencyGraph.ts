// Channel dependency groups for structured pruning, as Torch-Pruning builds them, on the flat layer
// graph (nested models inlined).
//
// Every layer that creates channels (Dense units, convolution filters) is a *source*. Each tensor's
// last axis gets a *layout* (channelLayout.ts): which source channel sits at each index. Each layer
// acts on layouts as its entry in the layer-rule registry says (rules/: sources, depthwise,
// normalization, passThrough, reshaping, merging, lockedChannels): it keeps, widens, repeats or joins
// its input's layout, couples its inputs' sources (Add...), slices its weights with the channels, or
// consumes a layout and starts a new source. This module runs the checks every layer shares (known
// input layouts, channels_last, shared weights, one output) and turns the result into groups.
// A group is the set of coupled sources; its members are every weight slice that belongs to one of
// its channels. Removing a channel removes all of them, so the rest of the network sees exactly what
// it saw when the channel was masked.
//
// Locking (never throwing): a group is locked, with the reason, when its channels reach a model
// output, feed a layer the engine cannot re-slice (LSTM, Embedding, LayerNormalization, Softmax over
// channels, Permute, wrappers, custom layers, shared layers...), are coupled with channels that do not
// line up (broadcast Add, mismatched concatenations), or when the config could not be fully read.
import type * as tf from '@tensorflow/tfjs';
import { forEachEntry, singleLayout, sourcesOf, lastDim, type Layout } from './channelLayout';
import { buildLayerGraph, type GraphNode, type LayerGraph } from './layerGraph';
import { weightSuffix } from './layerPaths';
import { layerRule, type AnalyseContext } from './rules';

export { forEachEntry, layoutLength } from './channelLayout';
export type { Block, Layout, Seg } from './channelLayout';

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

  const opaque = (node: GraphNode, reason: string) => {
    for (const t of node.inputs) for (const s of sourcesOf(layouts[t])) lockSrc(s, reason);
    for (const t of node.outputs) {
      const count = lastDim(g.tensors[t].shape);
      layouts[t] = singleLayout(count, newSource(node.id, count ?? 0, `comes out of ${node.path} (${node.className}), which channel pruning does not handle`, true));
    }
  };

  const contextFor = (node: GraphNode, feeds: string): AnalyseContext => {
    let shapes: Map<string, number[]> | null = null;
    const inputs = node.inputs.map((t) => layouts[t] as Layout);
    return {
      g,
      inputs,
      input: inputs[0],
      inputShape: node.inputs.length ? g.tensors[node.inputs[0]].shape : null,
      outputShape: node.outputs.length ? g.tensors[node.outputs[0]].shape : null,
      get shapes() {
        shapes ??= weightShapes(node.layer);
        return shapes;
      },
      feeds,
      setOutput: (layout) => {
        layouts[node.outputs[0]] = layout;
      },
      newSource: (count, options = {}) => newSource(options.modelInput ? null : node.id, count, options.lock ?? null),
      lockSource: lockSrc,
      opaque: (reason) => opaque(node, reason),
      lockLayer: (reason) => {
        lockedLayers.set(node.path, reason);
      },
      couple: (a, b) => uf.union(a, b),
      slice: (weight, axis, stride, role) => {
        uses.push({ node: node.id, weight, axis, tensor: node.inputs[0], stride, role });
      },
      repeatsChannelCount: () => {
        reshapes.push(node.id);
      },
    };
  };

  // The checks every layer shares, then the layer's own rule.
  const analyse = (node: GraphNode): void => {
    const cls = node.className;
    const channels = layerRule(cls).channels;
    const feeds = `feeds ${node.path} (${cls}), which channel pruning cannot re-slice`;
    if (channels.kind === 'input') {
      channels.analyse(node, contextFor(node, feeds));
      return;
    }
    const applications = g.applications.get(node.path) ?? 1;
    const dataFormat = node.config.data_format;
    if (node.inputs.some((t) => !layouts[t])) {
      opaque(node, `${feeds}: unknown input layout`);
      return;
    }
    if (dataFormat !== undefined && dataFormat !== null && dataFormat !== 'channels_last') {
      opaque(node, `${feeds}: data_format ${String(dataFormat)}`);
      return;
    }
    if (applications > 1 && !channels.shareable) {
      opaque(node, `${feeds}: the layer is applied ${applications} times (shared weights)`);
      if (channels.kind === 'source') lockedLayers.set(node.path, 'the layer is applied more than once (shared weights)');
      return;
    }
    if (node.outputs.length !== 1 || (node.inputs.length !== 1 && channels.kind !== 'merge')) {
      opaque(node, `${feeds}: ${node.inputs.length} inputs, ${node.outputs.length} outputs`);
      return;
    }
    channels.analyse(node, contextFor(node, feeds));
  };

  for (const node of g.nodes) {
    try {
      analyse(node);
    } catch (e) {
      // Never crash on a layer: treat it as one channel pruning does not handle.
      opaque(node, `feeds ${node.path} (${node.className}), which could not be analysed: ${(e as Error).message}`);
    }
  }

  // Model outputs are never pruned.
  for (const t of g.outputs) {
    const producer = g.nodes[g.tensors[t].producer];
    // Overrides earlier reasons: "it is the output" is the one a user needs to read.
    for (const s of sourcesOf(layouts[t])) sources[s].lock = `reaches the model output (${producer.path}): output layers are never pruned`;
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
      const spec = layerRule(n.className).channels.source;
      if (!spec) continue; // only source rules start non-opaque sources
      const shapes = weightShapes(n.layer);
      const ident = Array.from({ length: channels }, (_, c) => [c]);
      const axis = spec.outAxis(shapes.get(spec.kernel)?.length ?? 2);
      members.push({ path: n.path, node: n.id, className: n.className, weight: spec.kernel, axis, role: 'out', indices: ident });
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
