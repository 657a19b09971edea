// A flat graph of layer applications, read from the model's own config (model.toJSON), with nested
// models inlined: a Sequential inside a Sequential (Teachable Machine) or a model inside a functional
// model becomes its inner layers, named by path ("features/conv_1"). Nodes come in topological order.
// Structured pruning (dependencyGraph.ts), MAC counts (macs.ts) and the channel surgery all walk it.
import * as tf from '@tensorflow/tfjs';
import {
  batchInputShape,
  entryName,
  inboundNodes,
  isModelClass,
  layerList,
  modelPorts,
  nodeRef,
  type JsonObject,
  type JsonValue,
  type KerasLayerConfig,
  type KerasLayerEntry,
} from '../model/kerasJson';

export interface GraphTensor {
  id: number;
  /** Node that produces it. */
  producer: number;
  outputIndex: number;
  /** Shape with the batch dimension as null; null when unknown. */
  shape: (number | null)[] | null;
}

export interface GraphNode {
  id: number;
  /** Layer path, e.g. "conv1" or "features/conv_1". */
  path: string;
  /** Keras class name, e.g. "Conv2D". Model inputs are "InputLayer" nodes. */
  className: string;
  /** The layer's config (snake_case) inside LayerGraph.topology. */
  config: KerasLayerConfig;
  /** The live layer; null for a synthetic input node. */
  layer: tf.layers.Layer | null;
  inputs: number[];
  outputs: number[];
  /** Paths of the nested models that contain this layer, outermost first. */
  parents: string[];
}

export interface NestedInput {
  /** Path of the config entry that declares the nested model's input shape (an InputLayer or a first layer). */
  path: string;
  /** The outer tensor that feeds it. */
  tensor: number;
}

export interface LayerGraph {
  /** Deep copy of model.toJSON(null, false): node configs point into it. */
  topology: JsonObject;
  nodes: GraphNode[];
  tensors: GraphTensor[];
  /** Model input and output tensors. */
  inputs: number[];
  outputs: number[];
  /** Inputs of nested models whose config repeats the input shape (batch_input_shape). */
  nestedInputs: NestedInput[];
  /** How many nodes apply each layer path (more than 1: weights shared between applications). */
  applications: Map<string, number>;
  /** Parts of the config this reader did not understand; the graph is partial when non-empty. */
  problems: string[];
}

/**
 * A layer's output shape(s). tfjs refuses `outputShape` when a layer has several inbound nodes with
 * different shapes, which a nested Sequential has once loaded (Teachable Machine exports): its own
 * build call and the outer model's call. The outer model's call is the latest node.
 */
export function layerOutputShape(layer: tf.layers.Layer): tf.Shape | tf.Shape[] {
  try {
    return layer.outputShape;
  } catch (e) {
    const node = layer.inboundNodes[layer.inboundNodes.length - 1];
    if (!node) throw e;
    return node.outputShapes;
  }
}

function liveShape(layer: tf.layers.Layer | null, outputIndex: number): (number | null)[] | null {
  if (!layer) return null;
  try {
    const s = layerOutputShape(layer) as unknown;
    if (Array.isArray(s) && Array.isArray(s[0])) return [...(s[outputIndex] as (number | null)[])];
    return Array.isArray(s) ? [...(s as (number | null)[])] : null;
  } catch {
    return null;
  }
}

function outputCount(layer: tf.layers.Layer | null): number {
  if (!layer) return 1;
  try {
    const s = layerOutputShape(layer) as unknown;
    return Array.isArray(s) && Array.isArray(s[0]) ? s.length : 1;
  } catch {
    return 1;
  }
}

function getLive(model: tf.LayersModel | null, name: string): tf.layers.Layer | null {
  if (!model) return null;
  return model.layers.find((l) => l.name === name) ?? null;
}

/** Builds the flat layer graph of a LayersModel. Never throws on odd configs: it records problems. */
export function buildLayerGraph(model: tf.LayersModel): LayerGraph {
  let topology: JsonObject = {};
  let unreadable: string | null = null;
  try {
    topology = JSON.parse(JSON.stringify(model.toJSON(null, false))) as JsonObject;
  } catch (e) {
    unreadable = `the model config could not be serialised: ${(e as Error).message}`;
  }
  const g: LayerGraph = { topology, nodes: [], tensors: [], inputs: [], outputs: [], nestedInputs: [], applications: new Map(), problems: [] };
  if (unreadable) {
    g.problems.push(unreadable);
    return g;
  }

  const addNode = (path: string, className: string, config: KerasLayerConfig, layer: tf.layers.Layer | null, inputs: number[], parents: string[], outputs = 1, shapes?: ((number | null)[] | null)[]): GraphNode => {
    const node: GraphNode = { id: g.nodes.length, path, className, config, layer, inputs, outputs: [], parents };
    for (let i = 0; i < outputs; i++) {
      const t: GraphTensor = { id: g.tensors.length, producer: node.id, outputIndex: i, shape: shapes?.[i] ?? liveShape(layer, i) };
      g.tensors.push(t);
      node.outputs.push(t.id);
    }
    g.nodes.push(node);
    g.applications.set(path, (g.applications.get(path) ?? 0) + 1);
    return node;
  };

  const addInput = (path: string, config: KerasLayerConfig, shape: (number | null)[] | null, parents: string[]): number => {
    const node = addNode(path, 'InputLayer', config, null, [], parents, 1, [shape]);
    g.inputs.push(node.outputs[0]);
    return node.outputs[0];
  };

  const visitModel = (entry: KerasLayerEntry, live: tf.LayersModel | null, prefix: string, parents: string[], given: number[] | null): number[] => {
    const entries = layerList(entry);
    if (entry.class_name === 'Sequential') {
      let current: number | null = given ? given[0] : null;
      entries.forEach((e, i) => {
        const name = entryName(e) ?? '';
        const path = prefix + name;
        const layer = getLive(live, name);
        if (e.class_name === 'InputLayer') {
          if (current === null) {
            current = addInput(path, e.config, batchInputShape(e.config), parents);
          } else if (given) g.nestedInputs.push({ path, tensor: current });
          return;
        }
        if (current === null) {
          // No InputLayer entry: the first layer carries batch_input_shape.
          const liveShape = live?.inputs?.[0]?.shape;
          current = addInput(`${path}:input`, {}, batchInputShape(e.config) ?? (liveShape ? [...liveShape] : null), parents);
        } else if (i === 0 || (i === 1 && entries[0].class_name === 'InputLayer')) {
          if (given && e.config.batch_input_shape) g.nestedInputs.push({ path, tensor: current });
        }
        if (isModelClass(e.class_name)) {
          const out = visitModel(e, layer as tf.LayersModel | null, `${path}/`, [...parents, path], [current]);
          if (out.length !== 1) g.problems.push(`${path}: a nested model with ${out.length} outputs inside a Sequential`);
          current = out[0];
        } else {
          current = addNode(path, e.class_name, e.config, layer, [current], parents, outputCount(layer)).outputs[0];
        }
      });
      return current === null ? [] : [current];
    }

    if (!isModelClass(entry.class_name)) {
      g.problems.push(`${prefix || '(model)'}: unknown model class ${entry.class_name}`);
      return [];
    }
    // Functional model: layers with inbound_nodes, input_layers, output_layers.
    const cfg = entry.config;
    // Layer name -> output tensors per application (node index). Each application is resolved on
    // its own, so a shared layer may feed itself (its second call reads its first call's output).
    const produced = new Map<string, number[][]>();
    const appCount = new Map<string, number>();
    for (const e of entries) appCount.set(entryName(e) ?? '', Math.max(1, inboundNodes(e).length));
    const refTensor = (v: JsonValue): number | null => {
      const ref = nodeRef(v);
      const apps = ref ? produced.get(ref.layer) : undefined;
      if (!ref || !apps) return null;
      // A nested model's node index may be offset by its own internal node: with a single
      // application, any index means that one.
      const app = apps[ref.node] ?? (appCount.get(ref.layer) === 1 ? apps[0] : undefined);
      return app?.[ref.tensor] ?? null;
    };
    modelPorts(cfg, 'input_layers').forEach((v, i) => {
      const name = nodeRef(v)?.layer;
      if (name === undefined) return;
      const e = entries.find((x) => entryName(x) === name);
      const path = prefix + name;
      if (given && given[i] !== undefined) {
        produced.set(name, [[given[i]]]);
        g.nestedInputs.push({ path, tensor: given[i] });
      } else {
        produced.set(name, [[addInput(path, e?.config ?? {}, batchInputShape(e?.config), parents)]]);
      }
    });
    let pending: { e: KerasLayerEntry; app: number }[] = [];
    for (const e of entries) {
      if (e.class_name !== 'InputLayer') inboundNodes(e).forEach((_, app) => pending.push({ e, app }));
    }
    while (pending.length > 0) {
      const next: typeof pending = [];
      for (const item of pending) {
        const { e, app } = item;
        const name = entryName(e) ?? '';
        // Keras 2: [[name, node, tensor, kwargs], ...]; other encodings are not understood.
        const node = inboundNodes(e)[app];
        const refs = (Array.isArray(node) ? node : []).map(refTensor);
        if (refs.length === 0 || refs.some((t) => t === null) || (app > 0 && !produced.get(name)?.[app - 1])) {
          next.push(item);
          continue;
        }
        const path = prefix + name;
        const layer = getLive(live, name);
        const outs = isModelClass(e.class_name)
          ? visitModel(e, layer as tf.LayersModel | null, `${path}/`, [...parents, path], refs as number[])
          : addNode(path, e.class_name, e.config, layer, refs as number[], parents, outputCount(layer)).outputs;
        const apps = produced.get(name) ?? [];
        apps[app] = outs;
        produced.set(name, apps);
      }
      if (next.length === pending.length) {
        for (const { e } of next) g.problems.push(`${prefix + (entryName(e) ?? '')}: its inputs could not be resolved from the config`);
        break;
      }
      pending = next;
    }
    const outs: number[] = [];
    for (const ref of modelPorts(cfg, 'output_layers')) {
      const t = refTensor(ref);
      if (t === null) g.problems.push(`${prefix || '(model)'}: output ${JSON.stringify(ref)} could not be resolved`);
      else outs.push(t);
    }
    return outs;
  };

  try {
    g.outputs = visitModel(topology as KerasLayerEntry, model, '', [], null);
  } catch (e) {
    g.problems.push(`the model config could not be read: ${(e as Error).message}`);
  }
  return g;
}
