// Fine-tuning that keeps the weight sharing (TFMOT's cluster-preserving training): the shared values
// are what trains. A trainSteps / runPruningSchedule gradient transform (train/maskedTrainer.ts):
//
//   await trainSteps(model, { ..., masks, gradientTransform: clusterGradients(clusters) });
//
// - Each weight's gradient is replaced by its cluster's summed gradient (unsortedSegmentSum, then
//   gather back). Every member of a cluster then gets the same gradient at every step, so any
//   element-wise optimizer (SGD, momentum, Adam, ...) moves all of them identically, and the shared
//   value moves exactly as a parameter whose gradient is the sum of its members' gradients would
//   (the chain rule for a shared weight). The zero cluster's gradient is 0: it stays exactly 0.
// - After each update every weight is set to its cluster's representative (its first member), a
//   no-op when the members moved together, and a guarantee when they could not (an optimizer whose
//   slots differed from before the clustering): every tensor keeps at most its codebook's size of
//   distinct values, and no weight changes cluster. Re-clustering is a new clusterModel call.
// - When a run starts, each cluster's members are set to their current mean (exactly their value
//   when they are equal, as after clusterModel), zero cluster to +0, so the run starts on the clusters.
// Masks are applied after the transform (they win): prune first, then cluster.
// Backends: unsortedSegmentSum exists on cpu, webgl and webgpu; on wasm call core/backend's
// registerMissingKernels() first (it registers the project's own wasm kernel).
import * as tf from '@tensorflow/tfjs';
import type { GradientTransform, GradientTransformRun } from '../train/maskedTrainer';
import { findVariable } from '../prune/masks';
import type { ClusterSet, TensorClusters } from './clusterModel';
import type { MaskSet } from '../prune/masks';

interface ClusterTensors {
  variable: tf.Variable;
  shape: number[];
  /** Each weight's cluster, int32. */
  indices: tf.Tensor1D;
  /** Each cluster's first member, int32 (0 for a cluster with no member: never gathered). */
  representatives: tf.Tensor1D;
  /** 1 per cluster, 0 for the zero cluster. */
  keep: tf.Tensor1D;
  clusters: number;
}

/** Mean of each cluster's members (float64, then float32: exact when they are equal); the zero cluster 0. */
function clusterMeans(values: Float32Array, c: TensorClusters): Float32Array {
  const sums = new Float64Array(c.codebook.length);
  const counts = new Float64Array(c.codebook.length);
  for (let i = 0; i < values.length; i++) {
    sums[c.indices[i]] += values[i];
    counts[c.indices[i]]++;
  }
  return Float32Array.from(sums, (s, j) => (j === c.zeroIndex ? 0 : counts[j] ? Math.fround(s / counts[j]) : c.codebook[j]));
}

function checked(model: tf.LayersModel, c: TensorClusters): tf.Variable {
  const lv = findVariable(model, c.layerPath, c.weight);
  if (!lv) throw new Error(`clusters ${c.key}: the model has no such weight`);
  const size = lv.shape.reduce((a: number, b) => a * (b ?? 0), 1);
  if (c.indices.length !== size) throw new Error(`clusters ${c.key}: ${c.indices.length} indices for a weight of ${size} values`);
  for (let i = 0; i < c.indices.length; i++) {
    if (c.indices[i] >= c.codebook.length) throw new Error(`clusters ${c.key}: index ${c.indices[i]} at ${i} is outside the codebook of ${c.codebook.length}`);
  }
  return lv.read() as tf.Variable;
}

/** A gradient transform that trains the shared values of `clusters`; see the header. */
export function clusterGradients(clusters: ClusterSet): GradientTransform {
  return {
    async start(model: tf.LayersModel): Promise<GradientTransformRun> {
      const entries = Object.values(clusters).map((c) => [c, checked(model, c)] as const);
      const byName = new Map<string, ClusterTensors>();
      try {
        for (const [c, variable] of entries) {
          const means = clusterMeans((await variable.data()) as Float32Array, c);
          const reps = new Int32Array(c.codebook.length).fill(-1);
          for (let i = 0; i < c.indices.length; i++) if (reps[c.indices[i]] < 0) reps[c.indices[i]] = i;
          const shape = variable.shape.map((d) => d ?? 0);
          const t: ClusterTensors = {
            variable,
            shape,
            indices: tf.tensor1d(Int32Array.from(c.indices), 'int32'),
            representatives: tf.tensor1d(reps.map((r) => Math.max(0, r)), 'int32'),
            keep: tf.tensor1d(Float32Array.from(c.codebook, (_, j) => (j === c.zeroIndex ? 0 : 1))),
            clusters: c.codebook.length,
          };
          byName.set(variable.name, t);
          tf.tidy(() => variable.assign(tf.gather(tf.tensor1d(means), t.indices).reshape(shape)));
        }
      } catch (e) {
        for (const t of byName.values()) tf.dispose([t.indices, t.representatives, t.keep]);
        throw e;
      }
      return {
        gradients(grads) {
          const out: tf.NamedTensorMap = { ...grads };
          for (const [name, g] of Object.entries(grads)) {
            const t = byName.get(name);
            if (!t) continue;
            const summed = tf.mul(tf.unsortedSegmentSum(tf.reshape(g, [-1]), t.indices, t.clusters), t.keep);
            out[name] = tf.reshape(tf.gather(summed, t.indices), t.shape);
          }
          return out;
        },
        afterUpdate() {
          for (const t of byName.values()) {
            const shared = tf.mul(tf.gather(tf.reshape(t.variable, [-1]), t.representatives), t.keep);
            t.variable.assign(tf.reshape(tf.gather(shared, t.indices), t.shape));
          }
        },
        dispose() {
          for (const t of byName.values()) tf.dispose([t.indices, t.representatives, t.keep]);
        },
      };
    },
  };
}

/**
 * `clusters` after a pruning event: every weight `masks` removes joins the zero cluster, so the
 * sharing holds through a schedule (a pruned weight left in its old cluster would drag that cluster's
 * shared value to 0, or lose its zero to the shared value). A codebook without a zero gains one, at
 * its sorted place; a full one (256 values) has its value nearest to 0 become the zero. Returns new
 * objects; `clusters` is not changed.
 */
export function clustersWithPruned(clusters: ClusterSet, masks: MaskSet): ClusterSet {
  const out: ClusterSet = {};
  for (const [key, c] of Object.entries(clusters)) {
    const keep = masks[key]?.keep;
    if (!keep || !keep.includes(0)) {
      out[key] = c;
      continue;
    }
    if (keep.length !== c.indices.length) throw new Error(`clusters ${key}: a mask of ${keep.length} values for ${c.indices.length} weights`);
    let { codebook, zeroIndex } = c;
    let indices = Uint8Array.from(c.indices);
    if (zeroIndex < 0) {
      if (codebook.length < 256) {
        // Insert 0 at its sorted place: indices at or after it move up by one.
        const at = codebook.findIndex((v) => v > 0);
        zeroIndex = at < 0 ? codebook.length : at;
        codebook = Float32Array.from([...codebook.slice(0, zeroIndex), 0, ...codebook.slice(zeroIndex)]);
        indices = indices.map((j) => (j >= zeroIndex ? j + 1 : j));
      } else {
        zeroIndex = codebook.reduce((best, v, j) => (Math.abs(v) < Math.abs(codebook[best]) ? j : best), 0);
        codebook = Float32Array.from(codebook, (v, j) => (j === zeroIndex ? 0 : v));
      }
    }
    for (let i = 0; i < keep.length; i++) if (!keep[i]) indices[i] = zeroIndex;
    out[key] = { ...c, codebook, indices, zeroIndex };
  }
  return out;
}
