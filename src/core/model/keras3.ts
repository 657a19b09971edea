// Fixes for Keras exports that TF.js 4.22 (which reads the Keras 2 JSON schema) rejects as they are.
// Each fix is made on a copy of the topology and reported as a sentence the user sees.
//
// Keras 3 (keras_version 3.x, tensorflowjs_converter 4.20+):
// - InputLayer says `batch_shape` where Keras 2 said `batch_input_shape`: tfjs stops with "An
//   InputLayer should be passed either a `batchInputShape` or an `inputShape`". Renamed.
// - A layer's `dtype` is a `{class_name: 'DTypePolicy', config: {name: 'mixed_float16'}}` object
//   instead of a string. TF.js computes in float32 whatever the policy, so it becomes 'float32'.
//   (Keras 2's mixed-precision `Policy` objects get the same treatment.)
// - Functional models store each call as `{args: [{class_name: '__keras_tensor__', config:
//   {keras_history: [layer, node, tensor]}}], kwargs}` where Keras 2 stored
//   `[[layer, node, tensor, kwargs], ...]`, and may write `input_layers` / `output_layers` as one
//   flat [layer, node, tensor] triple (or a dict). Without conversion tfjs cannot connect the
//   layers. Keras 3 numbers a nested model's calls from 0; TF.js (like Keras 2) counts the node a
//   model creates for itself as node 0, so references to a nested model shift by one.
// - The activation Keras 3 calls "silu" is the one TF.js calls "swish" (x * sigmoid(x)).
// - Weight names carry the names of the models that hold the layer as a prefix
//   ("sequential_4/dense_8/kernel" for what TF.js calls "dense_8/kernel"). That fix needs the
//   layers' own weight names, so the weight check (topologyCheck.ts matchWeights) calls
//   withoutModelPrefix for each name that matches nothing, and the import reports the renames with
//   weightPrefixFix.

import { isModelClass, isObject, type JsonObject, type JsonValue } from './kerasJson';

export interface KerasFixResult {
  /** A fixed deep copy; the input is never changed. */
  topology: JsonObject;
  fixes: string[];
}

export function fixKerasTopology(topology: JsonObject): KerasFixResult {
  const fixed = structuredClone(topology);
  let batchShapes = 0;
  let silu = 0;
  const policies = new Map<string, Set<string>>(); // policy class -> policy names

  // One pass over every object: the quirks can sit at any depth (nested models, wrapped layers).
  const visit = (v: JsonValue): void => {
    if (Array.isArray(v)) {
      v.forEach(visit);
      return;
    }
    if (!isObject(v)) return;
    const dtype = v.dtype;
    if (isObject(dtype) && typeof dtype.class_name === 'string' && /^(\w*DTypePolicy|Policy)$/.test(dtype.class_name)) {
      const name = isObject(dtype.config) && typeof dtype.config.name === 'string' ? dtype.config.name : 'unnamed';
      const names = policies.get(dtype.class_name) ?? new Set<string>();
      names.add(name);
      policies.set(dtype.class_name, names);
      v.dtype = 'float32';
    }
    if (v.class_name === 'InputLayer' && isObject(v.config) && v.config.batch_shape !== undefined && v.config.batch_input_shape === undefined) {
      v.config.batch_input_shape = v.config.batch_shape;
      delete v.config.batch_shape;
      batchShapes++;
    }
    for (const key of ['activation', 'recurrent_activation']) {
      if (v[key] === 'silu') {
        v[key] = 'swish';
        silu++;
      }
    }
    Object.values(v).forEach(visit);
  };
  visit(fixed);

  let convertedLayers = 0;
  let convertedRefs = 0;
  forEachFunctional(fixed, (config) => {
    const r = convertKeras3Graph(config);
    convertedLayers += r.layers;
    convertedRefs += r.refs;
  });

  const fixes: string[] = [];
  if (batchShapes > 0) fixes.push(`Keras 3 export: renamed batch_shape to batch_input_shape in ${count(batchShapes, 'InputLayer')}`);
  for (const [cls, names] of policies) {
    const source = cls === 'Policy' ? 'Keras mixed precision' : 'Keras 3 export';
    fixes.push(`${source}: replaced the ${cls} dtype objects (${[...names].sort().join(', ')}) by float32, the dtype TF.js computes in`);
  }
  if (convertedLayers > 0 || convertedRefs > 0) {
    const parts = [convertedLayers > 0 ? `the inbound nodes of ${count(convertedLayers, 'layer')}` : '', convertedRefs > 0 ? 'the model inputs and outputs' : '']
      .filter(Boolean)
      .join(' and ');
    fixes.push(`Keras 3 export: rewrote ${parts} in the Keras 2 form TF.js reads`);
  }
  if (silu > 0) fixes.push(`Keras 3 export: renamed the activation silu to swish (the same function) in ${count(silu, 'place')}`);
  return { topology: fixed, fixes };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Calls `f` with the config of every functional model (top level or nested), outermost first. */
export function forEachFunctional(v: JsonValue, f: (config: JsonObject) => void): void {
  if (Array.isArray(v)) {
    v.forEach((x) => forEachFunctional(x, f));
    return;
  }
  if (!isObject(v)) return;
  if ((v.class_name === 'Model' || v.class_name === 'Functional') && isObject(v.config) && Array.isArray(v.config.layers)) f(v.config);
  Object.values(v).forEach((x) => forEachFunctional(x, f));
}

function isKerasTensor(v: JsonValue): v is JsonObject {
  return isObject(v) && v.class_name === '__keras_tensor__' && isObject(v.config) && Array.isArray(v.config.keras_history);
}

function containsKerasTensor(v: JsonValue): boolean {
  if (isKerasTensor(v)) return true;
  if (Array.isArray(v)) return v.some(containsKerasTensor);
  return isObject(v) && Object.values(v).some(containsKerasTensor);
}

/** Rewrites one functional config from the Keras 3 form to the Keras 2 form, in place. */
function convertKeras3Graph(config: JsonObject): { layers: number; refs: number } {
  const layers = (config.layers as JsonValue[]).filter(isObject);
  const isKeras3 = layers.some((l) => Array.isArray(l.inbound_nodes) && l.inbound_nodes.some((n) => isObject(n)));
  let refs = 0;
  // Keras 3 writes a single input or output as one flat triple, and named ones as a dict.
  for (const key of ['input_layers', 'output_layers']) {
    const v = config[key];
    if (Array.isArray(v) && typeof v[0] === 'string') {
      config[key] = [v];
      refs++;
    } else if (isObject(v)) {
      config[key] = Object.values(v);
      refs++;
    }
  }
  if (!isKeras3) return { layers: 0, refs };

  const nestedModels = new Set(layers.filter((l) => isModelClass(l.class_name)).map((l) => String(l.name)));
  const shift = (ref: JsonValue[]): JsonValue[] => {
    const [layer, node, tensor] = ref;
    return [layer, typeof node === 'number' && nestedModels.has(String(layer)) ? node + 1 : node, tensor];
  };
  let converted = 0;
  for (const layer of layers) {
    if (!Array.isArray(layer.inbound_nodes) || !layer.inbound_nodes.some((n) => isObject(n))) continue;
    layer.inbound_nodes = layer.inbound_nodes.map((node) => {
      if (!isObject(node)) return node;
      // Tensors passed by keyword (a rare `layer(inputs=x)`) are inputs too; other keyword
      // arguments (training=False...) go along as the call's kwargs, as in Keras 2.
      const kwargs: JsonObject = {};
      const tensors: JsonObject[] = [];
      const collect = (v: JsonValue): void => {
        if (isKerasTensor(v)) tensors.push(v);
        else if (Array.isArray(v)) v.forEach(collect);
        else if (isObject(v)) Object.values(v).forEach(collect);
      };
      collect(node.args ?? []);
      if (isObject(node.kwargs)) {
        for (const [k, v] of Object.entries(node.kwargs)) {
          if (containsKerasTensor(v)) collect(v);
          else kwargs[k] = v;
        }
      }
      return tensors.map((t) => [...shift((t.config as JsonObject).keras_history as JsonValue[]), kwargs]);
    });
    converted++;
  }
  for (const key of ['input_layers', 'output_layers']) {
    const v = config[key];
    if (Array.isArray(v)) config[key] = v.map((ref) => (Array.isArray(ref) ? shift(ref) : ref));
  }
  return { layers: converted, refs };
}

/**
 * `name` without as many leading model names (`modelNames`) as it takes for `matches` to accept it,
 * keeping at least "layer/weight"; null when no such name matches.
 */
export function withoutModelPrefix(name: string, modelNames: ReadonlySet<string>, matches: (name: string) => boolean): string | null {
  for (let tokens = name.split('/'); tokens.length > 2 && modelNames.has(tokens[0]); ) {
    tokens = tokens.slice(1);
    const candidate = tokens.join('/');
    if (matches(candidate)) return candidate;
  }
  return null;
}

/** The sentence that reports weight names renamed by withoutModelPrefix (old name -> new name). */
export function weightPrefixFix(renamed: ReadonlyMap<string, string>, kerasVersion: JsonValue | undefined): string {
  const prefixes = [...new Set([...renamed].map(([from, to]) => from.slice(0, from.length - to.length)))];
  const label = String(kerasVersion ?? '').startsWith('3.') ? 'Keras 3 export' : 'Keras export';
  const what = prefixes.length === 1 ? `the model-name prefix "${prefixes[0]}"` : `the model-name prefixes ${prefixes.map((p) => `"${p}"`).join(', ')}`;
  return `${label}: removed ${what} from ${count(renamed.size, 'weight name')}`;
}
