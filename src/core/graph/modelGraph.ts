// The model as a drawable graph: one node per layer application (nested models inlined, plus one node
// per nested model that a view may collapse its layers into), the tensors between them as edges, and
// the channel dependency groups. Plain data; the layout is the page's job.
import type * as tf from '@tensorflow/tfjs';
import { buildDependencyGraph, type DependencyGraph } from './dependencyGraph';
import { buildLayerGraph, layerOutputShape, type LayerGraph } from './layerGraph';
import { findLayer } from './layerPaths';
import { isPrunableClass } from './prunable';
import { layerParamCount } from './summary';

export type Shape = (number | null)[];

export interface ModelGraphNode {
  /** Unique: the layer path, with "#k" appended for the k-th further application of a shared layer. */
  id: string;
  /** Layer path ("conv1", "features/conv_1"); a nested model's own path for kind 'model'. */
  path: string;
  className: string;
  /** 'input': a model input; 'model': a nested model (its layers are nodes of their own too). */
  kind: 'input' | 'layer' | 'model';
  /** Paths of the nested models that contain it, outermost first. */
  parents: string[];
  /** The (first) output's shape, batch dimension null; null when unknown. */
  outputShape: Shape | null;
  params: number;
  prunable: boolean;
  /** The channel group whose channels its output carries (a producer, or BatchNorm / depthwise passing them through). */
  group: string | null;
  /** Why its channels cannot be removed, for a layer with prunable weights; null when they can (or it has none). */
  locked: string | null;
  /** Combines several tensors: a residual Add, a Concatenate, a Multiply. */
  join: boolean;
}

export interface ModelGraphEdge {
  from: string;
  to: string;
  /** The shape of the tensor it carries. */
  shape: Shape | null;
}

export interface ModelGraphGroup {
  id: string;
  channels: number;
  /** Layers whose filters or units the group removes together. */
  producers: string[];
  locked: string | null;
}

export interface ModelGraphData {
  nodes: ModelGraphNode[];
  edges: ModelGraphEdge[];
  groups: ModelGraphGroup[];
  /** Parts of the config that could not be read; the graph is partial when non-empty. */
  problems: string[];
}

function firstShape(shape: tf.Shape | tf.Shape[] | null): Shape | null {
  if (!shape) return null;
  return (Array.isArray(shape[0]) ? shape[0] : shape) as Shape;
}

/** The graph of `model`; pass the layer and dependency graphs when they are built already. */
export function modelGraphData(model: tf.LayersModel, layers: LayerGraph = buildLayerGraph(model), dep: DependencyGraph = buildDependencyGraph(model, layers)): ModelGraphData {
  const groupOf = new Map<string, string>();
  for (const grp of dep.groups) {
    for (const m of grp.members) if (m.role !== 'in' && !groupOf.has(m.path)) groupOf.set(m.path, grp.id);
  }
  const lockOf = new Map(dep.locked.map((l) => [l.path, l.reason]));
  const groupLock = new Map(dep.groups.map((grp) => [grp.id, grp.locked]));

  const nodes: ModelGraphNode[] = [];
  const seenModels = new Set<string>();
  const addModel = (path: string, parents: string[]) => {
    if (seenModels.has(path)) return;
    seenModels.add(path);
    const layer = findLayer(model, path);
    let shape: Shape | null = null;
    try {
      shape = layer ? firstShape(layerOutputShape(layer)) : null;
    } catch {
      shape = null;
    }
    nodes.push({
      id: path, path, className: layer?.getClassName() ?? 'Model', kind: 'model', parents, outputShape: shape,
      params: layer ? layerParamCount(layer) : 0, prunable: false, group: null, locked: null, join: false,
    });
  };

  const idOfNode: string[] = [];
  const applications = new Map<string, number>();
  for (const n of layers.nodes) {
    n.parents.forEach((p, i) => addModel(p, n.parents.slice(0, i)));
    const k = applications.get(n.path) ?? 0;
    applications.set(n.path, k + 1);
    const id = k === 0 ? n.path : `${n.path}#${k}`;
    idOfNode[n.id] = id;
    const prunable = isPrunableClass(n.className);
    const group = groupOf.get(n.path) ?? null;
    nodes.push({
      id,
      path: n.path,
      className: n.className,
      kind: n.className === 'InputLayer' ? 'input' : 'layer',
      parents: n.parents,
      outputShape: n.outputs.length ? layers.tensors[n.outputs[0]].shape : null,
      params: n.layer ? layerParamCount(n.layer) : 0,
      prunable,
      group,
      locked: prunable ? (lockOf.get(n.path) ?? (group ? (groupLock.get(group) ?? null) : null)) : null,
      join: n.inputs.length > 1,
    });
  }
  const edges: ModelGraphEdge[] = [];
  for (const n of layers.nodes) {
    for (const t of n.inputs) {
      const tensor = layers.tensors[t];
      edges.push({ from: idOfNode[tensor.producer], to: idOfNode[n.id], shape: tensor.shape });
    }
  }
  return {
    nodes,
    edges,
    groups: dep.groups.map((grp) => ({ id: grp.id, channels: grp.channels, producers: [...grp.producers], locked: grp.locked })),
    problems: [...layers.problems],
  };
}
