// Weight clustering of a model's kernels (kmeans1d.ts on live tfjs variables). Clusters are plain
// data like masks: a codebook and one index per weight, keyed by the weight's stable key, so the engine
// can keep them in snapshots or send them across the worker boundary.
//
//   clusterModel(model, { k, init?, seed?, zeros?, codebook?, scope?, keys?, perKey? }) -> ClusterSet
//       clusters every prunable kernel (or `keys`) and writes the shared values into the model;
//       scope 'perLayer' (default): a codebook per kernel, `perKey` overriding k / init / zeros per
//       kernel; 'global': one codebook over all of them. Biases and BatchNorm stay as they are.
//   applyClusters(model, clusters)        writes codebook[indices] into the weights again
//   distinctCounts(model, keys?)          distinct values per prunable kernel
//   distinctUpTo(values, limit)           distinct values, or null past `limit` (stops early: the layer table's count)
//   clusterIndexBits(clusters[key])       ceil(log2(codebook size)): the bits per index
import * as tf from '@tensorflow/tfjs';
import { listPrunableTensors, type PrunableTensor } from '../graph/prunable';
import { findVariable } from '../prune/masks';
import { clusteredValues, clusterJointly, distinctValues, type KMeansOptions } from './kmeans1d';

export interface TensorClusters {
  /** Layer path + '/' + weight suffix, e.g. "fc1/kernel". Same as the ClusterSet key. */
  key: string;
  layerPath: string;
  weight: string;
  shape: number[];
  /** Shared values, ascending and distinct. */
  codebook: Float32Array;
  /** Row-major like the tensor: each weight's index into the codebook. */
  indices: Uint8Array;
  /** Index of the exact 0 in the codebook (the pruned weights), -1 when none. */
  zeroIndex: number;
}

export type ClusterSet = Record<string, TensorClusters>;

export type ClusterScope = 'perLayer' | 'global';

export interface ClusterModelOptions extends Omit<KMeansOptions, 'what'> {
  /** Default 'perLayer'. */
  scope?: ClusterScope;
  /** Weight keys to cluster; default every prunable kernel. */
  keys?: readonly string[];
  /** perLayer only: per-key k / init / zeros / codebook. */
  perKey?: Readonly<Record<string, Partial<Pick<KMeansOptions, 'k' | 'init' | 'zeros' | 'codebook'>>>>;
}

function variableOf(model: tf.LayersModel, t: Pick<TensorClusters, 'key' | 'layerPath' | 'weight'>): tf.LayerVariable {
  const v = findVariable(model, t.layerPath, t.weight);
  if (!v) throw new Error(`${t.key}: the model has no such weight`);
  return v;
}

/** The kernels named by `keys` (all prunable kernels by default); a key that is no kernel throws. */
export function clusterTargets(model: tf.LayersModel, keys?: readonly string[]): PrunableTensor[] {
  const all = listPrunableTensors(model);
  if (!keys) return all;
  const byKey = new Map(all.map((t) => [t.key, t]));
  return keys.map((key) => {
    const t = byKey.get(key);
    if (!t) throw new Error(`clusterModel: ${key} is not a prunable kernel of this model (biases and BatchNorm stay as they are)`);
    return t;
  });
}

/** Writes each tensor's codebook[indices] into the model's weights (live variables, never disposed). */
export function applyClusters(model: tf.LayersModel, clusters: ClusterSet): void {
  const targets = Object.values(clusters).map((c) => {
    const v = variableOf(model, c);
    const size = v.shape.reduce((a: number, b) => a * (b ?? 0), 1);
    if (c.indices.length !== size) throw new Error(`${c.key}: ${c.indices.length} cluster indices for a weight of ${size} values`);
    return [v, c] as const;
  });
  for (const [v, c] of targets) {
    const t = tf.tensor(clusteredValues(c.codebook, c.indices), c.shape);
    v.write(t);
    t.dispose();
  }
}

/** Clusters the model's kernels in place (see the header) and returns the clusters. */
export async function clusterModel(model: tf.LayersModel, options: ClusterModelOptions): Promise<ClusterSet> {
  const scope = options.scope ?? 'perLayer';
  if (scope !== 'perLayer' && scope !== 'global') throw new Error(`clusterModel: scope must be perLayer or global, got ${String(scope)}`);
  const targets = clusterTargets(model, options.keys);
  for (const key of Object.keys(options.perKey ?? {})) {
    if (scope === 'global') throw new Error('clusterModel: perKey settings need scope perLayer (global clustering shares one codebook)');
    if (!targets.some((t) => t.key === key)) throw new Error(`clusterModel: perKey names ${key}, which is not being clustered`);
  }
  const values = await Promise.all(targets.map(async (t) => (await variableOf(model, t).read().data()) as Float32Array));
  const { scope: _scope, keys: _keys, perKey, ...kmeans } = options;
  const results =
    scope === 'global'
      ? (() => {
          const joint = clusterJointly(values, { ...kmeans, what: `clusterModel (global over ${targets.length} kernels)` });
          return joint.indices.map((indices) => ({ codebook: joint.codebook, indices, zeroIndex: joint.zeroIndex }));
        })()
      : targets.map((t, i) => {
          const { indices, ...rest } = clusterJointly([values[i]], { ...kmeans, ...perKey?.[t.key], what: t.key });
          return { ...rest, indices: indices[0] };
        });
  const set: ClusterSet = {};
  targets.forEach((t, i) => {
    const r = results[i];
    set[t.key] = { key: t.key, layerPath: t.layerPath, weight: t.weight, shape: [...t.shape], codebook: r.codebook, indices: r.indices, zeroIndex: r.zeroIndex };
  });
  applyClusters(model, set);
  return set;
}

/** Distinct values of each prunable kernel (or of `keys`), by key. */
export async function distinctCounts(model: tf.LayersModel, keys?: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of clusterTargets(model, keys)) out[t.key] = distinctValues((await variableOf(model, t).read().data()) as Float32Array);
  return out;
}

/** Bits per cluster index: ceil(log2(codebook size)), 0 for a codebook of one value. */
export function clusterIndexBits(c: Pick<TensorClusters, 'codebook'>): number {
  return c.codebook.length <= 1 ? 0 : Math.ceil(Math.log2(c.codebook.length));
}

/**
 * Distinct values of `values`, or null when there are more than `limit`. Stops reading as soon as the
 * limit is passed, so an unclustered kernel costs a few thousand reads, a clustered one a single pass.
 * +0 and -0 count as one value (as in distinctValues' sort).
 */
export function distinctUpTo(values: ArrayLike<number>, limit: number): number | null {
  const seen = new Set<number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (seen.has(v)) continue;
    seen.add(v);
    if (seen.size > limit) return null;
  }
  return seen.size;
}
