// Physically removes channels: rebuilds a smaller LayersModel from an edited config (fewer filters or
// units, Reshape targets and nested-model input shapes updated) and sliced weights. Works on
// Sequential, functional and nested models because it edits the model's own JSON and reloads it with
// tf.models.modelFromJSON; layer names, and so weight keys, stay the same.
//
// Constants. A removed channel whose producer kernel slice is all zero still outputs a constant:
// act(bias) after its producer, then BN(x) = gamma*(x - mean)/sqrt(var + eps) + beta, activations,
// merges... This module propagates that constant through the graph and, where a kept layer reads it,
// folds it into that layer's bias (bias[o] += constant x the sum of the removed input slice of the
// kernel), so removing the channel changes nothing. With the studio's structured masks (scope
// 'group') the consumers' input slices are already zero and nothing needs folding.
// Exactness of the fold:
//   - Dense consumers (also after Flatten) and 'valid' convolutions: exact.
//   - 'same' / 'causal' convolutions with kernels larger than 1: exact away from the borders only,
//     because the zero padding does not carry the constant; listed in report.approximate.
//   - Conv2DTranspose consumers: the constant's contribution depends on the output position; the fold
//     uses the mean contribution (tap sum / stride area) and is listed as approximate.
//   - A constant that crossed a ZeroPadding layer or a 'same' depthwise conv: approximate as well.
// A removed channel whose kernel slice is not zero carries a varying signal: removing it changes the
// outputs, as any pruning does; report.varyingChannels counts them.
import * as tf from '@tensorflow/tfjs';
import { reduceAlongAxis, sumToAxes, takeAlongAxis } from './axisSlices';
import { layoutLength, type ChannelPlan, type DependencyGraph, type Layout } from './dependencyGraph';
import { findLayerConfig, type GraphNode, type JsonObject, type JsonValue } from './layerGraph';
import { walkLayers, weightKey, weightSuffix } from './layerPaths';

export interface SurgeryReport {
  /** Group id -> channels removed. */
  removed: Record<string, number>;
  /** Kept layers whose bias absorbed the constant output of removed channels. */
  folded: { path: string; channels: number }[];
  /** Folds that are exact only away from borders, with the reason. */
  approximate: string[];
  /** Removed channels that carried a varying (non-constant) signal into a kept layer. */
  varyingChannels: number;
  paramsBefore: number;
  paramsAfter: number;
}

export interface SurgeryResult {
  model: tf.LayersModel;
  report: SurgeryReport;
}

interface Described {
  full: number;
  /** Full entry -> channel entry (positions of a Flatten share channel entries). */
  chanOf: Int32Array;
  /** Channel entry -> source, channel. */
  srcs: Int32Array;
  chs: Int32Array;
  chanCount: number;
}

function describe(layout: Layout): Described {
  const full = layoutLength(layout);
  const chanOf = new Int32Array(full);
  const srcs: number[] = [];
  const chs: number[] = [];
  let fo = 0;
  let co = 0;
  for (const b of layout) {
    const per = b.segs.reduce((n, s) => n + s.count * s.width, 0);
    for (const s of b.segs) for (let c = 0; c < s.count; c++) for (let j = 0; j < s.width; j++) {
      srcs.push(s.src);
      chs.push(c);
    }
    for (let p = 0; p < b.repeat; p++) for (let i = 0; i < per; i++) chanOf[fo + p * per + i] = co + i;
    fo += b.repeat * per;
    co += per;
  }
  return { full, chanOf, srcs: Int32Array.from(srcs), chs: Int32Array.from(chs), chanCount: co };
}

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const softplus = (x: number) => Math.log1p(Math.exp(x));

/** Scalar version of a Keras/tfjs activation, or null when unknown (no fold then). */
export function activationFn(name: JsonValue | undefined): ((x: number) => number) | null {
  switch (name ?? 'linear') {
    case 'linear':
      return (x) => x;
    case 'relu':
      return (x) => Math.max(0, x);
    case 'relu6':
      return (x) => Math.min(6, Math.max(0, x));
    case 'elu':
      return (x) => (x > 0 ? x : Math.expm1(x));
    case 'selu':
      return (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x));
    case 'sigmoid':
      return sigmoid;
    case 'hard_sigmoid':
    case 'hardSigmoid':
      return (x) => Math.min(1, Math.max(0, 0.2 * x + 0.5));
    case 'tanh':
      return Math.tanh;
    case 'softplus':
      return softplus;
    case 'softsign':
      return (x) => x / (1 + Math.abs(x));
    case 'swish':
      return (x) => x * sigmoid(x);
    case 'mish':
      return (x) => x * Math.tanh(softplus(x));
    default:
      return null;
  }
}

function num(v: JsonValue | undefined, fallback: number): number {
  return typeof v === 'number' ? v : fallback;
}

function taps(shape: readonly number[], spatialAxes: number): number {
  return shape.slice(0, spatialAxes).reduce((a, b) => a * b, 1);
}

interface Weights {
  values: Float32Array;
  shape: number[];
}

/**
 * Removes the channels a plan marks 0 and returns a new, smaller model (the given model is left as it
 * is; the caller owns both). Throws an Error with a clear message when the plan does not fit the
 * graph (unknown or locked group, wrong length, no channel kept).
 */
export async function removeChannels(model: tf.LayersModel, dep: DependencyGraph, plan: ChannelPlan): Promise<SurgeryResult> {
  const g = dep.layers;
  const removedCount: Record<string, number> = {};
  const keepOfGroup: (Uint8Array | null)[] = dep.groups.map(() => null);
  for (const [id, keep] of Object.entries(plan)) {
    const gi = dep.groups.findIndex((x) => x.id === id);
    if (gi < 0) throw new Error(`channel plan: no group "${id}"`);
    const grp = dep.groups[gi];
    if (keep.length !== grp.channels) throw new Error(`channel plan: group "${id}" has ${grp.channels} channels, the plan ${keep.length}`);
    const kept = keep.reduce((n, k) => n + (k ? 1 : 0), 0);
    if (kept === grp.channels) continue;
    if (grp.locked) throw new Error(`channel plan: group "${id}" is locked (${grp.locked})`);
    if (kept === 0) throw new Error(`channel plan: group "${id}" would keep no channel`);
    keepOfGroup[gi] = keep;
    removedCount[id] = grp.channels - kept;
  }
  const isRemoved = (src: number, c: number) => {
    const gi = dep.sources[src]?.group ?? -1;
    const keep = gi >= 0 ? keepOfGroup[gi] : null;
    return keep ? keep[c] === 0 : false;
  };
  const keptCount = (src: number, count: number) => {
    const gi = dep.sources[src]?.group ?? -1;
    const keep = gi >= 0 ? keepOfGroup[gi] : null;
    return keep ? keep.reduce((n, k) => n + (k ? 1 : 0), 0) : count;
  };
  const newLength = (layout: Layout) => layout.reduce((n, b) => n + b.repeat * b.segs.reduce((m, s) => m + keptCount(s.src, s.count) * s.width, 0), 0);

  // Current weight values of every layer.
  const vals = new Map<string, Weights>();
  for (const { path, layer } of walkLayers(model)) {
    for (const v of layer.weights) {
      vals.set(weightKey(path, weightSuffix(layer, v)), { values: Float32Array.from((await v.read().data()) as Float32Array), shape: v.shape.map((d) => d ?? 0) });
    }
  }
  const w = (n: GraphNode, suffix: string) => vals.get(weightKey(n.path, suffix));

  // --- constant propagation (channel entries; NaN = varies) -------------------------------------------
  const desc: (Described | null)[] = dep.layouts.map((l) => (l ? describe(l) : null));
  const consts: (Float64Array | null)[] = new Array(g.tensors.length).fill(null);
  const approx: (Uint8Array | null)[] = new Array(g.tensors.length).fill(null);
  for (const node of g.nodes) {
    const out = node.outputs[0];
    const d = out !== undefined ? desc[out] : null;
    if (!d || node.outputs.length !== 1) continue;
    const oc = new Float64Array(d.chanCount).fill(NaN);
    const oa = new Uint8Array(d.chanCount);
    consts[out] = oc;
    approx[out] = oa;
    const cls = node.className;
    const cfg = node.config;
    const inC = node.inputs.length ? consts[node.inputs[0]] : null;
    const inA = node.inputs.length ? approx[node.inputs[0]] : null;
    const sameInShape = inC && inC.length === oc.length;
    if (['Dense', 'Conv1D', 'Conv2D', 'Conv3D', 'Conv2DTranspose', 'SeparableConv2D'].includes(cls)) {
      const kernelName = cls === 'SeparableConv2D' ? 'pointwise_kernel' : 'kernel';
      const k = w(node, kernelName);
      const act = activationFn(cfg.activation);
      if (!k || !act) continue;
      const outAxis = cls === 'Conv2DTranspose' ? k.shape.length - 2 : k.shape.length - 1;
      const abs = reduceAlongAxis(k.values, k.shape, outAxis, Math.abs);
      const bias = w(node, 'bias');
      for (let c = 0; c < oc.length && c < abs.length; c++) if (abs[c] === 0) oc[c] = act(bias ? bias.values[c] : 0);
      continue;
    }
    if (cls === 'DepthwiseConv2D') {
      const k = w(node, 'depthwise_kernel');
      const act = activationFn(cfg.activation);
      if (!k || !act || !inC || !inA) continue;
      const mult = k.shape[3];
      const sums = sumToAxes(k.values, k.shape, 2, 3);
      const abs = sumToAxes(Array.from(k.values, Math.abs), k.shape, 2, 3);
      const bias = w(node, 'bias');
      const padded = cfg.padding !== 'valid' && taps(k.shape, 2) > 1;
      for (let e = 0; e < inC.length; e++) {
        for (let j = 0; j < mult; j++) {
          const o = e * mult + j;
          const b = bias ? bias.values[o] : 0;
          if (abs[o] === 0) oc[o] = act(b);
          else if (Number.isFinite(inC[e])) {
            oc[o] = act(inC[e] * sums[o] + b);
            oa[o] = inA[e] | (padded && inC[e] !== 0 ? 1 : 0);
          }
        }
      }
      continue;
    }
    if (cls === 'BatchNormalization') {
      if (!inC || !inA || !sameInShape) continue;
      const eps = num(cfg.epsilon, 1e-3);
      const gamma = w(node, 'gamma');
      const beta = w(node, 'beta');
      const mean = w(node, 'moving_mean');
      const variance = w(node, 'moving_variance');
      if (!mean || !variance) continue;
      for (let e = 0; e < oc.length; e++) {
        const gm = gamma ? gamma.values[e] : 1;
        const bt = beta ? beta.values[e] : 0;
        if (gm === 0) oc[e] = bt;
        else if (Number.isFinite(inC[e])) {
          oc[e] = (gm * (inC[e] - mean.values[e])) / Math.sqrt(variance.values[e] + eps) + bt;
          oa[e] = inA[e];
        }
      }
      continue;
    }
    let f: ((x: number) => number) | null = (x) => x;
    let padding = false;
    if (cls === 'Activation') f = activationFn(cfg.activation);
    else if (cls === 'ReLU') {
      const max = typeof cfg.max_value === 'number' ? cfg.max_value : Infinity;
      f = (x) => Math.min(max, Math.max(0, x));
    } else if (cls === 'LeakyReLU') {
      const alpha = num(cfg.alpha, 0.3);
      f = (x) => (x >= 0 ? x : alpha * x);
    } else if (cls === 'ELU') {
      const alpha = num(cfg.alpha, 1);
      f = (x) => (x > 0 ? x : alpha * Math.expm1(x));
    } else if (cls === 'ThresholdedReLU') {
      const theta = num(cfg.theta, 1);
      f = (x) => (x > theta ? x : 0);
    } else if (cls === 'ZeroPadding1D' || cls === 'ZeroPadding2D') padding = true;
    const merge = ['Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum'].includes(cls);
    if (cls === 'Concatenate' && oc.length === node.inputs.reduce((n, t) => n + (consts[t]?.length ?? -1e9), 0)) {
      let o = 0;
      for (const t of node.inputs) {
        const c = consts[t] as Float64Array;
        const a = approx[t] as Uint8Array;
        oc.set(c, o);
        oa.set(a, o);
        o += c.length;
      }
      continue;
    }
    if (merge || cls === 'Concatenate') {
      const ins = node.inputs.map((t) => consts[t]);
      const ias = node.inputs.map((t) => approx[t]);
      if (ins.some((c) => !c || c.length !== oc.length)) continue;
      for (let e = 0; e < oc.length; e++) {
        const xs = ins.map((c) => (c as Float64Array)[e]);
        const a = ias.reduce((m, x) => m | (x as Uint8Array)[e], 0);
        if (cls === 'Multiply' && xs.some((x) => x === 0)) {
          oc[e] = 0;
          continue;
        }
        if (xs.some((x) => !Number.isFinite(x))) continue;
        let v: number;
        if (cls === 'Add') v = xs.reduce((s, x) => s + x, 0);
        else if (cls === 'Subtract') v = xs[0] - xs[1];
        else if (cls === 'Multiply') v = xs.reduce((s, x) => s * x, 1);
        else if (cls === 'Average') v = xs.reduce((s, x) => s + x, 0) / xs.length;
        else if (cls === 'Maximum') v = Math.max(...xs);
        else if (cls === 'Minimum') v = Math.min(...xs);
        else v = xs.every((x) => x === xs[0]) ? xs[0] : NaN;
        oc[e] = v;
        oa[e] = a;
      }
      continue;
    }
    // Pass-through layers (and Flatten, Reshape): same channel entries, element-wise function.
    if (!f || !inC || !inA || !sameInShape) continue;
    for (let e = 0; e < oc.length; e++) {
      if (!Number.isFinite(inC[e])) continue;
      oc[e] = f(inC[e]);
      oa[e] = inA[e] | (padding && inC[e] !== 0 ? 1 : 0);
    }
  }

  // --- folds into the biases of kept consumers ------------------------------------------------------
  const folds = new Map<string, Float64Array>();
  const foldedChannels = new Map<string, number>();
  const approximate: string[] = [];
  const varying = new Set<string>();
  for (const node of g.nodes) {
    const cls = node.className;
    if (!['Dense', 'Conv1D', 'Conv2D', 'Conv3D', 'Conv2DTranspose', 'SeparableConv2D'].includes(cls)) continue;
    if ((g.applications.get(node.path) ?? 1) > 1 || node.inputs.length !== 1) continue;
    const t = node.inputs[0];
    const d = desc[t];
    const c = consts[t];
    const a = approx[t];
    if (!d || !c || !a) continue;
    const kernel = w(node, cls === 'SeparableConv2D' ? 'pointwise_kernel' : 'kernel');
    if (!kernel) continue;
    const rank = kernel.shape.length;
    const outCount = cls === 'Conv2DTranspose' ? kernel.shape[rank - 2] : kernel.shape[rank - 1];
    let fold: Float64Array | null = null;
    let count = 0;
    let inexact = '';
    // Tap sums, computed on first use.
    let tapSums: Float64Array | null = null;
    let dwSums: Float64Array | null = null;
    for (let e = 0; e < d.full; e++) {
      const ce = d.chanOf[e];
      const src = d.srcs[ce];
      const ch = d.chs[ce];
      if (!isRemoved(src, ch)) continue;
      const k = c[ce];
      if (!Number.isFinite(k)) {
        varying.add(`${src}:${ch}`);
        continue;
      }
      if (k === 0) continue;
      fold ??= new Float64Array(outCount);
      count++;
      if (a[ce]) inexact = 'the constant crossed zero padding or a same-padded depthwise conv';
      if (cls === 'Dense') {
        for (let o = 0; o < outCount; o++) fold[o] += k * kernel.values[e * outCount + o];
      } else if (cls === 'SeparableConv2D') {
        const dw = w(node, 'depthwise_kernel') as Weights;
        const mult = dw.shape[3];
        dwSums ??= sumToAxes(dw.values, dw.shape, 2, 3);
        for (let j = 0; j < mult; j++) {
          const row = e * mult + j;
          for (let o = 0; o < outCount; o++) fold[o] += k * dwSums[row] * kernel.values[row * outCount + o];
        }
        if (node.config.padding !== 'valid' && taps(dw.shape, 2) > 1) inexact = `'${String(node.config.padding)}' padding: exact away from the borders only`;
      } else if (cls === 'Conv2DTranspose') {
        tapSums ??= sumToAxes(kernel.values, kernel.shape, rank - 1, rank - 2);
        const strides = Array.isArray(node.config.strides) ? (node.config.strides as number[]) : [1, 1];
        const area = strides.reduce((x, y) => x * y, 1);
        for (let o = 0; o < outCount; o++) fold[o] += (k * tapSums[e * outCount + o]) / area;
        if (taps(kernel.shape, rank - 2) > 1 || area > 1) inexact = 'transposed convolution: the constant contributes unevenly; the mean is folded';
      } else {
        tapSums ??= sumToAxes(kernel.values, kernel.shape, rank - 2, rank - 1);
        for (let o = 0; o < outCount; o++) fold[o] += k * tapSums[e * outCount + o];
        if (node.config.padding !== 'valid' && taps(kernel.shape, rank - 2) > 1) inexact = `'${String(node.config.padding)}' padding: exact away from the borders only`;
      }
    }
    if (fold) {
      const prev = folds.get(node.path);
      if (prev) for (let o = 0; o < outCount; o++) prev[o] += fold[o];
      else folds.set(node.path, fold);
      foldedChannels.set(node.path, (foldedChannels.get(node.path) ?? 0) + count);
      if (inexact) approximate.push(`${node.path}: ${inexact}`);
    }
  }

  // --- edited config ----------------------------------------------------------------------------------
  const topology = JSON.parse(JSON.stringify(g.topology)) as JsonObject;
  const configAt = (path: string) => {
    const entry = findLayerConfig(topology, path);
    if (!entry) throw new Error(`channel surgery: no config for layer ${path}`);
    return entry.config;
  };
  for (const src of dep.sources) {
    if (src.node === null || src.group < 0 || !keepOfGroup[src.group]) continue;
    const node = g.nodes[src.node];
    const cfg = configAt(node.path);
    const kept = keptCount(src.id, src.count);
    if (typeof cfg.units === 'number') cfg.units = kept;
    else if (typeof cfg.filters === 'number') cfg.filters = kept;
  }
  for (const id of dep.reshapes) {
    const node = g.nodes[id];
    const cfg = configAt(node.path);
    const target = cfg.target_shape;
    const layout = dep.layouts[node.inputs[0]];
    if (Array.isArray(target) && layout) target[target.length - 1] = newLength(layout);
  }
  for (const ni of g.nestedInputs) {
    const cfg = configAt(ni.path);
    const shape = cfg.batch_input_shape;
    const layout = dep.layouts[ni.tensor];
    if (Array.isArray(shape) && layout) shape[shape.length - 1] = newLength(layout);
  }
  for (const node of g.nodes) {
    // tfjs 4.22 leaves depth_multiplier out of SeparableConv2D's config: restore it from the weights.
    if (node.className !== 'SeparableConv2D') continue;
    const cfg = configAt(node.path);
    const dw = w(node, 'depthwise_kernel');
    if (cfg.depth_multiplier === undefined && dw) cfg.depth_multiplier = dw.shape[3];
  }
  for (const path of folds.keys()) {
    const cfg = configAt(path);
    if (cfg.use_bias === false) cfg.use_bias = true;
  }

  // --- sliced weights ---------------------------------------------------------------------------------
  const drops = new Map<string, Map<number, Set<number>>>();
  dep.groups.forEach((grp, gi) => {
    const keep = keepOfGroup[gi];
    if (!keep) return;
    for (const m of grp.members) {
      const key = weightKey(m.path, m.weight);
      const byAxis = drops.get(key) ?? new Map<number, Set<number>>();
      const set = byAxis.get(m.axis) ?? new Set<number>();
      keep.forEach((k, c) => {
        if (!k) for (const i of m.indices[c]) set.add(i);
      });
      byAxis.set(m.axis, set);
      drops.set(key, byAxis);
    }
  });
  const slice = (values: Float32Array, shape: number[], byAxis: Map<number, Set<number>> | undefined): Weights => {
    let cur: Weights = { values, shape };
    for (const [axis, set] of byAxis ?? []) {
      if (set.size === 0) continue;
      const keepIdx: number[] = [];
      for (let i = 0; i < cur.shape[axis]; i++) if (!set.has(i)) keepIdx.push(i);
      cur = takeAlongAxis(cur.values, cur.shape, axis, keepIdx);
    }
    return cur;
  };
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  const emit = (layer: tf.layers.Layer, suffix: string, wts: Weights) => {
    specs.push({ name: `${layer.name}/${suffix}`, shape: wts.shape, dtype: 'float32' });
    buffers.push(wts.values.slice().buffer);
  };
  for (const { path, layer } of walkLayers(model)) {
    const cls = layer.getClassName();
    const kernelName = cls === 'SeparableConv2D' ? 'pointwise_kernel' : 'kernel';
    const fold = folds.get(path);
    let hasBias = false;
    for (const v of layer.weights) {
      const suffix = weightSuffix(layer, v);
      const key = weightKey(path, suffix);
      const cur = vals.get(key) as Weights;
      let values = cur.values;
      if (suffix === 'bias' && fold) {
        hasBias = true;
        values = Float32Array.from(values);
        for (let o = 0; o < fold.length; o++) values[o] += fold[o];
      }
      emit(layer, suffix, slice(values, cur.shape, drops.get(key)));
    }
    if (fold && !hasBias) {
      // A bias switched on to absorb a constant: zeros plus the fold, sliced like the kernel's outputs.
      const kshape = vals.get(weightKey(path, kernelName))?.shape ?? [];
      const outAxis = cls === 'Conv2DTranspose' ? kshape.length - 2 : kshape.length - 1;
      const set = drops.get(weightKey(path, kernelName))?.get(outAxis);
      emit(layer, 'bias', slice(Float32Array.from(fold), [fold.length], set ? new Map([[0, set]]) : undefined));
    }
  }
  // Loading with weights skips the initializers (tfjs "fast weight init"): no slow orthogonal inits,
  // and the rebuilt model goes through the same path as a saved and reloaded one.
  let smaller: tf.LayersModel;
  try {
    smaller = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: topology, weightSpecs: specs, weightData: tf.io.concatenateArrayBuffers(buffers) }),
    );
  } catch (e) {
    throw new Error(`channel surgery: the smaller model could not be built: ${(e as Error).message}`);
  }

  return {
    model: smaller,
    report: {
      removed: removedCount,
      folded: [...foldedChannels].map(([path, channels]) => ({ path, channels })),
      approximate,
      varyingChannels: varying.size,
      paramsBefore: model.countParams(),
      paramsAfter: smaller.countParams(),
    },
  };
}
