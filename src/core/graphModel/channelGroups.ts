// Which output channels of a graph model's layers can be physically removed, and every constant slice
// that goes with each channel: the graph-side counterpart of graph/dependencyGraph.ts, on ops instead
// of Keras layers. Each layer that produces channels (Conv2D / _FusedConv2D / Conv3D in NHWC, MatMul /
// _FusedMatMul / BatchMatMul with a constant right operand) starts a walk (channelWalk.ts) that
// collects its slices or finds why it must be locked.
//
// Where two tensors meet channel by channel (Add, AddV2, Sub, Mul, Maximum, Minimum of two
// non-constants, AddN: a residual connection), their channels are coupled, as Torch-Pruning couples
// them: the layers feeding every input join one group (channel c goes from all of them at once), and
// a walk goes on from the sum. A sum one of whose inputs comes from no removable layer (a model input,
// a locked layer) locks the group; so does a constant that another part of the graph also reads.
import { CONVS, Locked, MATMULS, addMember, describe, follow, fusedArgs, isNchw, lock, newWalk, type ChannelMember, type Walk } from './channelWalk';
import { attrBool, dataInputs, type GraphIndex, type NodeDef } from './graphDef';
import type { GraphWeight } from './graphWeights';
import type { GraphAnalysis, GraphLayer } from './layerGrouping';

export type { ChannelMember };

export interface GraphChannelGroup {
  /** The first producer layer's name. */
  id: string;
  /** Layers whose output channels the group removes (several when a residual sum couples them). */
  producers: string[];
  channels: number;
  members: ChannelMember[];
  /** Layers whose kernels lose input slices. */
  consumers: string[];
  /** Why the group's channels cannot be removed; null when they can. */
  locked: string | null;
}

/** Readers of a constant through Identity nodes. */
function readers(index: GraphIndex, name: string, depth = 0): string[] {
  return (index.consumers.get(name) ?? []).flatMap((c) => (c.node.op === 'Identity' && depth < 16 ? readers(index, c.node.name, depth + 1) : [c.node.name]));
}

interface Source {
  /** The producer layer, or null for a sum the walk goes on from. */
  layer: GraphLayer | null;
  walk: Walk;
  locked: string | null;
}

function run(source: Source, walk: () => void): void {
  try {
    walk();
  } catch (e) {
    if (!(e instanceof Locked)) throw e;
    source.locked = e.message;
  }
}

function producerSource(index: GraphIndex, weights: Map<string, GraphWeight>, outputs: Set<string>, layer: GraphLayer): Source {
  const node = index.nodes.get(layer.name) as NodeDef;
  const source: Source = { layer, walk: newWalk(index, weights, outputs, layer.kernel.shape[layer.outAxis] ?? 0, layer.name), locked: null };
  const w = source.walk;
  run(source, () => {
    if (layer.kind === 'depthwise' || layer.kind === 'transposeConv') lock(`a ${layer.kind === 'depthwise' ? 'depthwise' : 'transposed'} convolution's channels follow its input`);
    if (!layer.prunable) lock(layer.reason ?? 'its kernel cannot be pruned');
    if (layer.kernelInput !== 1) lock("its constant is the left operand of the product, so its channels are not the output's last axis");
    if (CONVS.has(layer.op) && isNchw(node)) lock('it is channels-first (NCHW)');
    if (MATMULS.has(layer.op) && attrBool(node, layer.op.startsWith('BatchMatMul') ? 'adj_x' : 'transpose_a')) lock('it transposes its input');
    if (w.channels < 2) lock('it has a single output channel');
    addMember(w, { weight: layer.kernel.name, axis: layer.outAxis, width: 1, role: 'out', kernel: true, zero: true });
    if (layer.op.startsWith('_Fused')) fusedArgs(w, node, 1);
    follow(w, layer.name, 1, layer.kind === 'matmul' ? 2 : layer.kernel.shape.length);
  });
  return source;
}

class UnionFind {
  private parent: number[] = [];
  add(): number {
    this.parent.push(this.parent.length);
    return this.parent.length - 1;
  }
  find(x: number): number {
    while (this.parent[x] !== x) x = this.parent[x] = this.parent[this.parent[x]];
    return x;
  }
  union(a: number, b: number): void {
    const [ra, rb] = [this.find(a), this.find(b)];
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/**
 * Channel groups of the layers that produce channels (convolutions, products), in graph order: one
 * per layer, or one for all the layers a residual sum couples. Locked groups carry the reason.
 */
export function graphChannelGroups(analysis: GraphAnalysis, weightList: readonly GraphWeight[], outputs: readonly { node: string }[]): GraphChannelGroup[] {
  const index = analysis.index;
  const weights = new Map(weightList.map((x) => [x.name, x]));
  const outs = new Set(outputs.map((o) => o.node));
  const sets = new UnionFind();
  const sources: Source[] = [];
  const arrivals = new Map<string, { slot: number; source: number; rank: number }[]>();
  const addSource = (s: Source) => {
    const k = sets.add();
    sources.push(s);
    for (const m of s.walk.merges) arrivals.set(m.node, [...(arrivals.get(m.node) ?? []), { slot: m.slot, source: k, rank: m.rank }]);
    return k;
  };
  for (const l of analysis.layers) if (l.kind === 'conv' || l.kind === 'matmul') addSource(producerSource(index, weights, outs, l));

  // A sum whose every input is reached couples the sources that reach it, and its output walks on.
  const done = new Set<string>();
  for (let progress = true; progress; ) {
    progress = false;
    for (const [name, list] of [...arrivals]) {
      const node = index.nodes.get(name) as NodeDef;
      if (done.has(name) || new Set(list.map((a) => a.slot)).size < dataInputs(node).length) continue;
      done.add(name);
      progress = true;
      const coupled = [...new Set(list.map((a) => a.source))];
      const channels = sources[coupled[0]].walk.channels;
      const sum: Source = { layer: null, walk: newWalk(index, weights, outs, channels, name), locked: null };
      run(sum, () => {
        if (coupled.some((k) => sources[k].walk.channels !== channels)) lock(`${describe(node)} adds layers with different channel counts`);
        follow(sum.walk, name, 1, list[0].rank);
      });
      const k = addSource(sum);
      for (const c of coupled) sets.union(c, k);
    }
  }
  for (const [name, list] of arrivals) {
    if (done.has(name)) continue;
    const node = index.nodes.get(name) as NodeDef;
    for (const a of list) sources[a.source].locked ??= `its channels meet, in ${describe(node)}, a tensor that comes from no layer whose channels can be removed (a model input, or a locked layer)`;
  }

  const groups: GraphChannelGroup[] = [];
  const roots = [...new Set(sources.map((_, k) => sets.find(k)))];
  for (const root of roots) {
    const members = sources.filter((_, k) => sets.find(k) === root);
    const producers = members.filter((s) => s.layer).map((s) => (s.layer as GraphLayer).name);
    const walks = members.map((s) => s.walk);
    const all = { members: [] as ChannelMember[], consumers: [...new Set(walks.flatMap((w) => w.consumers))] };
    for (const m of walks.flatMap((w) => w.members)) if (!all.members.some((x) => x.weight === m.weight && x.axis === m.axis)) all.members.push(m);
    let locked = members.find((s) => s.locked)?.locked ?? null;
    if (!locked && all.consumers.length === 0) locked = 'its channels reach no layer that could lose them';
    if (!locked) {
      const walked = new Set(walks.flatMap((w) => [...w.visited.keys()]));
      for (const m of all.members) {
        const other = readers(index, m.weight).find((r) => !walked.has(r));
        if (other) {
          locked = `the constant ${m.weight} is also read by "${other}"`;
          break;
        }
      }
    }
    groups.push({ id: producers[0], producers, channels: walks[0].channels, members: locked ? [] : all.members, consumers: locked ? [] : all.consumers, locked });
  }
  return groups;
}
