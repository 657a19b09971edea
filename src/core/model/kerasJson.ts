// Keras JSON as TF.js reads and writes it: the `modelTopology` of a model.json, or what
// model.toJSON(null, false) returns. Keys are snake_case, as stored (tfjs-layers' keras_format).
// One reader for the whole studio: the import checks (topologyCheck.ts, keras3.ts), the flat layer
// graph (graph/layerGraph.ts) and the channel surgery's config edits all go through it.
//
// The typed views name the fields the studio reads or writes. They describe what TF.js writes; a
// user's file is checked (isLayerEntry, the import checks) before code trusts the types.

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A shape as Keras stores it: the batch dimension first, null where a dimension is not fixed. */
export type KerasShape = (number | null)[];

/** A layer's `config`: the fields the studio reads or edits. Every other field passes through untouched. */
export type KerasLayerConfig = JsonObject & {
  /** The layer's own name: what TF.js names the built layer and its weights by. */
  name?: string;
  /** A model input's shape (Keras 3 writes `batch_shape`; keras3.ts renames it). */
  batch_input_shape?: KerasShape;
  activation?: string;
  data_format?: string;
  padding?: string;
  strides?: number[];
  axis?: number | number[];
  groups?: number;
  units?: number;
  filters?: number;
  depth_multiplier?: number;
  use_bias?: boolean;
  target_shape?: number[];
  /** A model's layers. */
  layers?: JsonValue[];
  /** A functional model's inputs and outputs: [layer name, node index, tensor index] each. */
  input_layers?: JsonValue[];
  output_layers?: JsonValue[];
  /** A wrapper's (TimeDistributed, Bidirectional) wrapped layer entry. */
  layer?: JsonValue;
};

/** One entry of a model's layer list; the model itself has the same form. */
export type KerasLayerEntry = JsonObject & {
  class_name: string;
  config: KerasLayerConfig;
  /** Functional models repeat the layer's name here; the inbound nodes of other layers refer to it. */
  name?: string;
  /** Functional models: one entry per call of the layer, each a list of input references. */
  inbound_nodes?: JsonValue[];
};

/** An entry TF.js can deserialise: a class name and a config object (or a legacy Sequential's list). */
export function isLayerEntry(v: unknown): v is KerasLayerEntry {
  return isObject(v) && typeof v.class_name === 'string' && (isObject(v.config) || Array.isArray(v.config));
}

const MODEL_CLASSES = new Set(['Sequential', 'Model', 'Functional']);

/** Sequential, Model or Functional: an entry whose config lists layers. */
export function isModelClass(className: unknown): boolean {
  return typeof className === 'string' && MODEL_CLASSES.has(className);
}

/**
 * The name of the layer an entry builds, or null when it has none. `config.name` wins: TF.js and
 * Keras construct the layer from its config, so that is the name the built layer, its weights and
 * model.getLayer use. The entry-level `name` is a copy that functional models keep for wiring (the
 * key their inbound nodes refer to) and the only name a few hand-made files carry.
 */
export function entryName(entry: JsonObject): string | null {
  if (isObject(entry.config) && typeof entry.config.name === 'string') return entry.config.name;
  if (typeof entry.name === 'string') return entry.name;
  return null;
}

/** `modelTopology.model_config` (converter output) or the topology itself (tfjs model.save). */
export function modelConfigOf(topology: JsonObject): JsonValue {
  return topology.model_config ?? topology;
}

/** The layers a model config lists: a legacy Sequential's config is the list itself; otherwise `layers`. */
export function modelLayers(config: JsonValue | undefined): JsonValue[] {
  if (Array.isArray(config)) return config;
  return isObject(config) && Array.isArray(config.layers) ? config.layers : [];
}

/** The layer entries of a model entry, non-objects left out. */
export function layerList(model: JsonObject): KerasLayerEntry[] {
  return modelLayers(model.config).filter(isObject) as KerasLayerEntry[];
}

/**
 * The entries nested in an entry: a model's layers, a wrapper's layer(s), an RNN's cell(s). Only the
 * classes TF.js deserialises children for are looked into, so a field that happens to be called
 * "layer" in some other class is never mistaken for a layer.
 */
export function childEntries(entry: JsonObject): JsonValue[] {
  const config = entry.config;
  if (Array.isArray(config)) return config; // legacy Sequential: the config is the list of layers
  if (!isObject(config)) return [];
  const pick = (...keys: string[]) => keys.flatMap((k) => (Array.isArray(config[k]) ? (config[k] as JsonValue[]) : config[k] === undefined || config[k] === null ? [] : [config[k]]));
  switch (entry.class_name) {
    case 'Sequential':
    case 'Model':
    case 'Functional':
      return modelLayers(config);
    case 'Bidirectional':
      return pick('layer', 'backward_layer');
    case 'TimeDistributed':
      return pick('layer');
    case 'RNN':
      return pick('cell');
    case 'StackedRNNCells':
      return pick('cells');
    default:
      return [];
  }
}

/** Where a walked entry sits: null for the root, else its parent entry and its index among the parent's children. */
export interface EntryPlace {
  parent: KerasLayerEntry;
  index: number;
}

/**
 * Every entry under `root`, depth first, the root included. A value that is not a layer entry is
 * passed to `malformed` (which may throw) and not descended into.
 */
export function walkLayerEntries(
  root: JsonValue,
  visit: (entry: KerasLayerEntry, place: EntryPlace | null) => void,
  malformed: (value: JsonValue, place: EntryPlace | null) => void = () => {},
): void {
  const go = (v: JsonValue, place: EntryPlace | null): void => {
    if (!isLayerEntry(v)) {
      malformed(v, place);
      return;
    }
    visit(v, place);
    childEntries(v).forEach((child, index) => go(child, { parent: v, index }));
  };
  go(root, null);
}

/** Finds an entry by layer path ("features/conv_1": names of nested models, then the layer's). */
export function findLayerEntry(topology: JsonObject, path: string): KerasLayerEntry | null {
  let entry = topology as KerasLayerEntry;
  for (const name of path.split('/')) {
    const next = layerList(entry).find((e) => entryName(e) === name);
    if (!next) return null;
    entry = next;
  }
  return entry;
}

/** A model input's shape from its config (InputLayer, or a Sequential's first layer), or null. */
export function batchInputShape(config: JsonObject | undefined): KerasShape | null {
  const shape = config?.batch_input_shape;
  return Array.isArray(shape) && shape.every((d) => d === null || typeof d === 'number') ? [...(shape as KerasShape)] : null;
}

/** A reference to one output of one call of a layer: inbound nodes and a model's inputs and outputs hold them. */
export interface NodeRef {
  layer: string;
  /** Which call of the layer (0 when not given). */
  node: number;
  /** Which output of that call (0 when not given). */
  tensor: number;
}

/** Reads a Keras 2 reference [layer name, node index, tensor index, kwargs?]; null when it is not one. */
export function nodeRef(v: JsonValue): NodeRef | null {
  if (!Array.isArray(v) || typeof v[0] !== 'string') return null;
  return { layer: v[0], node: typeof v[1] === 'number' ? v[1] : 0, tensor: typeof v[2] === 'number' ? v[2] : 0 };
}

/** A functional model's `input_layers` or `output_layers` (empty when absent or not a list). */
export function modelPorts(config: JsonObject, key: 'input_layers' | 'output_layers'): JsonValue[] {
  const v = config[key];
  return Array.isArray(v) ? v : [];
}

/** A layer entry's calls (functional models); empty when absent. */
export function inboundNodes(entry: JsonObject): JsonValue[] {
  return Array.isArray(entry.inbound_nodes) ? entry.inbound_nodes : [];
}

/** A config number Keras may also write as a one-element list (BatchNormalization's axis: -1 or [3]); null otherwise. */
export function singleNumber(v: JsonValue | undefined): number | null {
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'number') return v[0];
  return null;
}
