// Checks of a model topology (the `model_config` of a model JSON) that must pass before TF.js
// deserialises it, and the weight check that needs the layers TF.js would build.
//
// Order matters, because TF.js deserialisation has two failure modes worse than an error:
// - a layer class it does not know fails with a multi-line "Unknown layer" error; we name the layer
//   and say why (Lambda: Python code; anything else: not a TF.js class) from the class registry;
// - a functional model whose layers reference a layer or node that never exists makes
//   Container.fromConfig loop forever (it re-queues the unready call and tries again, with no
//   progress check). simulateGraph replays that loop on names and counts first, so a damaged file
//   gets a message instead of a frozen worker.
// Only then buildTopology asks TF.js to build the layers (synchronously, with zeros instead of the
// initialisers, as tf.loadLayersModel does when weights follow) so that matchWeights can compare the
// manifest with the variables TF.js will look for, by TF.js's own matching rule.
import * as tf from '@tensorflow/tfjs';
import { disposeModel } from '../graph/disposeModel';
import { withoutModelPrefix } from './keras3';
import { entryName, isModelClass, isObject, walkLayerEntries, type EntryPlace, type JsonObject, type JsonValue } from './kerasJson';

/** Thrown with a finished user message; importFiles turns it into an ImportError. */
export class TopologyProblem extends Error {}

export interface CheckedEntry {
  className: string;
  /** The layer's name, or a positional description when it has none. */
  name: string;
  entry: JsonObject;
}

/** Every layer entry, depth first, the model itself included. Throws on an entry without a class. */
export function layerEntries(file: string, modelConfig: JsonValue): CheckedEntry[] {
  const out: CheckedEntry[] = [];
  const names = new Map<JsonObject, string>();
  const where = (place: EntryPlace | null) => (place ? `layer ${place.index + 1} of "${names.get(place.parent)}"` : 'the modelTopology');
  walkLayerEntries(
    modelConfig,
    (entry) => {
      const name = entryName(entry) ?? `(unnamed ${entry.class_name})`;
      names.set(entry, name);
      out.push({ className: entry.class_name, name, entry });
    },
    (_, place) => {
      throw new TopologyProblem(`${file}: ${where(place)} has no class_name and config, so TF.js cannot build it. Export the model again.`);
    },
  );
  return out;
}

type Registry = Record<string, [unknown, unknown]>;

function registry(): Registry {
  return tf.serialization.SerializationMap.getMap().classNameMap as unknown as Registry;
}

function isRegisteredLayer(className: string): boolean {
  const cls = registry()[className]?.[0];
  return typeof cls === 'function' && (cls === tf.layers.Layer || cls.prototype instanceof tf.layers.Layer);
}

/** Why a class cannot be built in the browser, or null when TF.js has it. */
function unsupportedReason(className: string): string | null {
  if (isRegisteredLayer(className)) return null;
  if (className === 'Lambda') return 'is a Lambda layer, which holds Python code that cannot run in the browser';
  if (className === 'TFOpLambda' || className === 'SlicingOpLambda') {
    return `is a ${className} (a TensorFlow function called inside the Keras model), which is stored as Python and cannot run in the browser`;
  }
  return `has class ${className}, which TF.js does not provide (a custom layer, or a Keras layer TF.js lacks)`;
}

export function checkModelClass(file: string, modelConfig: JsonValue): void {
  const className = isObject(modelConfig) ? modelConfig.class_name : undefined;
  if (!isModelClass(className)) {
    const what = typeof className === 'string' ? `a ${className}` : 'nothing TF.js can build';
    throw new TopologyProblem(`${file}: the modelTopology holds ${what}, not a Sequential or functional model. Export the whole model again.`);
  }
}

/** Names every layer whose class TF.js cannot build; throws with the first, counting the others. */
export function checkLayerClasses(file: string, entries: CheckedEntry[]): void {
  const bad = entries.map((e) => ({ e, reason: unsupportedReason(e.className) })).filter((x) => x.reason !== null);
  if (bad.length === 0) return;
  const [first, ...rest] = bad;
  const others = rest.length === 0 ? '' : ` (${rest.length} more: ${rest.map((x) => `"${x.e.name}" (${x.e.className})`).join(', ')})`;
  const hint =
    first.e.className === 'Lambda' || first.e.className.endsWith('OpLambda')
      ? 'Replace it with standard Keras layers and export the model again.'
      : 'Rebuild the model with standard layers and export it again.';
  throw new TopologyProblem(`${file}: layer "${first.e.name}" ${first.reason}${others}. ${hint}`);
}

type Ref = [string, number, number];

function asRef(v: JsonValue): Ref | null {
  if (!Array.isArray(v) || v.length < 3) return null;
  const [layer, node, tensor] = v;
  if (typeof layer !== 'string' || !Number.isInteger(node) || !Number.isInteger(tensor) || (node as number) < 0 || (tensor as number) < 0) return null;
  return [layer, node as number, tensor as number];
}

/**
 * Replays TF.js's Container.fromConfig on names and node counts: every layer call must find its
 * inputs (an existing layer, a node it will have), or TF.js loops forever. An InputLayer and a
 * nested model start with one node (the one they create for themselves); other layers gain one
 * per call. Throws a TopologyProblem naming the first call that can never run.
 */
export function simulateGraph(file: string, config: JsonObject): void {
  const modelName = typeof config.name === 'string' ? config.name : 'the model';
  const layers = (config.layers as JsonValue[]).map((l, k) => {
    if (!isObject(l) || typeof l.name !== 'string') {
      throw new TopologyProblem(`${file}: layer ${k + 1} of "${modelName}" has no name, so its connections cannot be followed. Export the model again.`);
    }
    return l;
  });
  const names = new Set<string>();
  for (const l of layers) {
    const name = l.name as string;
    if (names.has(name)) throw new TopologyProblem(`${file}: two layers of "${modelName}" are named "${name}"; layer names must be unique. Export the model again.`);
    names.add(name);
  }
  const nodes = new Map<string, number>();
  const pending = new Map<string, Ref[][]>();
  for (const l of layers) {
    const name = l.name as string;
    nodes.set(name, l.class_name === 'InputLayer' || isModelClass(l.class_name) ? 1 : 0);
    const inbound = l.inbound_nodes ?? [];
    if (!Array.isArray(inbound)) throw new TopologyProblem(malformedNode(file, name));
    pending.set(
      name,
      inbound.map((node) => {
        if (!Array.isArray(node)) throw new TopologyProblem(malformedNode(file, name));
        return node.map((input) => asRef(input) ?? fail(malformedNode(file, name)));
      }),
    );
  }
  const ready = (node: Ref[]) => node.every(([layer, index]) => (nodes.get(layer) ?? -1) > index);
  for (;;) {
    let progress = false;
    let left = 0;
    for (const l of layers) {
      const name = l.name as string;
      const queue = pending.get(name) ?? [];
      const waiting = queue.filter((node) => {
        if (!ready(node)) return true;
        nodes.set(name, (nodes.get(name) ?? 0) + 1);
        progress = true;
        return false;
      });
      pending.set(name, waiting);
      left += waiting.length;
    }
    if (left === 0) break;
    if (!progress) {
      for (const [name, queue] of pending) {
        for (const node of queue) {
          for (const [layer, index] of node) {
            if (!names.has(layer)) {
              throw new TopologyProblem(`${file}: layer "${name}" takes its input from "${layer}", which is not in the model. The topology is damaged: export the model again.`);
            }
            if ((nodes.get(layer) ?? 0) <= index) {
              throw new TopologyProblem(
                `${file}: layer "${name}" takes its input from call ${index} of "${layer}", which the model never makes (a damaged or circular topology). Export the model again.`,
              );
            }
          }
        }
      }
    }
  }
  for (const [key, what] of [['input_layers', 'inputs'], ['output_layers', 'outputs']] as const) {
    const refs = config[key];
    if (!Array.isArray(refs) || refs.length === 0) {
      throw new TopologyProblem(`${file}: "${modelName}" lists no ${what} (${key}). Export the model again.`);
    }
    for (const v of refs) {
      const ref = asRef(v);
      if (!ref) throw new TopologyProblem(`${file}: the ${what} of "${modelName}" (${key}) are malformed. Export the model again.`);
      if (!names.has(ref[0]) || (nodes.get(ref[0]) ?? 0) <= ref[1]) {
        throw new TopologyProblem(`${file}: the ${what} of "${modelName}" name "${ref[0]}", which is not in the model. The topology is damaged: export the model again.`);
      }
    }
  }
}

function malformedNode(file: string, layer: string): string {
  return `${file}: layer "${layer}" has malformed inbound nodes, so its inputs cannot be followed. Export the model again.`;
}

function fail(message: string): never {
  throw new TopologyProblem(message);
}

// --- building ------------------------------------------------------------------------------

/**
 * A copy of tfjs-layers' convertPythonicToTs (utils/serialization_utils, not exported): snake_case
 * keys and string values become camelCase, except `name` values and the layer names that open
 * inbound-node and input/output entries. It must stay identical to what tf.loadLayersModel does,
 * so that the model built here has the variables the real load will have.
 */
function pythonicToTs(v: JsonValue, key?: string): JsonValue {
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'string') return toCamelCase(v);
  if (Array.isArray(v)) {
    return v.map((item, k) =>
      (key === 'inboundNodes' || key === 'outputLayers' || key === 'inputLayers') && k === 0 && typeof item === 'string' ? item : pythonicToTs(item, key),
    );
  }
  const out: JsonObject = {};
  for (const [k, value] of Object.entries(v)) {
    if (k === 'name' && typeof value === 'string') out[k] = value;
    else {
      const tsKey = toCamelCase(k);
      out[tsKey] = pythonicToTs(value, tsKey);
    }
  }
  return out;
}

function toCamelCase(s: string): string {
  if (s.length <= 1 || !s.includes('_')) return s;
  return s.replace(/[_]+(\w|$)/g, (_m, c: string) => c.toUpperCase());
}

type FromConfig = (cls: unknown, config: JsonValue, customObjects: object, fastWeightInit: boolean) => unknown;

/**
 * Builds the model's layers the way tf.loadLayersModel does (same deserialiser, zeros instead of
 * initialisers), synchronously. The caller disposes it. Run checkModelClass, checkLayerClasses and
 * simulateGraph first: they turn the failures TF.js reports badly, or not at all, into messages.
 */
export function buildTopology(file: string, modelConfig: JsonObject): tf.LayersModel {
  const ts = pythonicToTs(modelConfig) as JsonObject;
  const [cls, fromConfig] = registry()[ts.className as string];
  try {
    return (fromConfig as FromConfig)(cls, ts.config, {}, true) as tf.LayersModel;
  } catch (e) {
    throw new TopologyProblem(`${file}: TF.js cannot build the model: ${firstLine(e)}. Export the model again, or rebuild it from standard layers.`);
  }
}

/** The first sentence of an error message (TF.js appends paragraphs of generic advice). */
export function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0].split(/\.\s/)[0].trim().replace(/[.:]$/, '');
}

// --- weights -------------------------------------------------------------------------------

export interface WeightSpecLike {
  name: string;
  shape: number[];
}

export interface WeightMatch {
  /** Variables of the layers that no manifest entry fills, by their TF.js names. */
  missing: string[];
  /** Manifest names that fill no variable. */
  unused: string[];
  /** Matched pairs whose shapes differ. */
  shapes: { name: string; manifest: number[]; layer: number[] }[];
  /** Variables the layers need. */
  needed: number;
  /** Manifest names that matched only without leading model names: old name -> new name. */
  renamed: Map<string, string>;
}

/**
 * Matches manifest names to the model's variables exactly as LayersModel.loadWeights does in
 * tfjs 4.22: by the variable's original name, or else with the second-to-last path segment dropped
 * (TF 2.2+ writes RNN weights as "lstm/lstm_cell/kernel"); when the first name ends in a number,
 * by "layer path/index" (the Keras 3 SavedModel naming).
 *
 * A name that matches nothing is tried again without the leading model names Keras 3 writes
 * (keras3.ts withoutModelPrefix, `modelNames` being the models in the topology). Such names are
 * reported in `renamed`, for the caller to rewrite before TF.js sees them (keras3.ts weightPrefixFix).
 */
export function matchWeights(model: tf.LayersModel, specs: WeightSpecLike[], modelNames: ReadonlySet<string> = new Set()): WeightMatch {
  const byName = new Map<string, tf.LayerVariable>();
  const first = specs[0]?.name.split('/') ?? [];
  const indexNames = specs.length > 0 && !Number.isNaN(parseInt(first[first.length - 1], 10));
  for (const layer of model.layers) {
    layer.weights.forEach((w, index) => byName.set(indexNames ? `${w.name.split('/').slice(0, -1).join('/')}/${index}` : w.originalName, w));
  }
  const needed = byName.size;
  const lookup = (name: string): string | null => {
    if (byName.has(name)) return name;
    const tokens = name.split('/');
    const short = [...tokens.slice(0, -2), tokens[tokens.length - 1]].join('/');
    return byName.has(short) ? short : null;
  };
  const unused: string[] = [];
  const shapes: WeightMatch['shapes'] = [];
  const renamed = new Map<string, string>();
  for (const spec of specs) {
    let name = spec.name;
    let key = lookup(name);
    const unprefixed = key === null ? withoutModelPrefix(name, modelNames, (n) => lookup(n) !== null) : null;
    if (unprefixed !== null) {
      name = unprefixed;
      key = lookup(unprefixed);
    }
    const variable = key === null ? undefined : byName.get(key);
    if (!variable || key === null) {
      unused.push(spec.name);
      continue;
    }
    if (name !== spec.name) renamed.set(spec.name, name);
    byName.delete(key);
    const layerShape = variable.shape as number[];
    if (layerShape.length !== spec.shape.length || layerShape.some((d, k) => d !== spec.shape[k])) {
      shapes.push({ name: spec.name, manifest: spec.shape, layer: layerShape });
    }
  }
  return { missing: [...byName.keys()], unused, shapes, needed, renamed };
}

export function problemCount(m: WeightMatch): number {
  return m.missing.length + m.unused.length + m.shapes.length;
}

/** Builds, matches and frees: the weight check without keeping a model around. */
export function withBuiltModel<T>(file: string, modelConfig: JsonObject, use: (model: tf.LayersModel) => T): T {
  const model = buildTopology(file, modelConfig);
  try {
    return use(model);
  } finally {
    disposeModel(model);
  }
}
