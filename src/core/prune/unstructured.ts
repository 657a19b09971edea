// Unstructured (per-weight) pruning: a target sparsity per layer, or one global threshold across all
// selected tensors. Sparsity = pruned weights / prunable weights of the selection. Counts are exact:
// a target s over n weights prunes exactly round(s * n) of the lowest-scored ones; equal scores are
// broken by position (earlier tensor, then lower flat index, is pruned first).
import type { PrunableTensor } from '../graph/prunable';
import { selectSmallest, selectionMasks } from './globalThreshold';
import type { Scores } from './importance';
import type { MaskSet } from './masks';

export type SparsityTarget =
  /** One threshold across every given tensor: exactly round(s * N) pruned over the whole selection. */
  | { kind: 'global'; sparsity: number }
  /** Layer path -> sparsity; each layer exactly round(s * n) over its own prunable weights. Layers not listed are kept whole. */
  | { kind: 'perLayer'; sparsity: Readonly<Record<string, number>> };

function clamp01(s: number): number {
  if (!Number.isFinite(s)) throw new Error(`sparsity must be a number in [0, 1], got ${s}`);
  return Math.max(0, Math.min(1, s));
}

function scoresOf(scores: Scores, t: PrunableTensor): Float32Array {
  const a = scores.byKey[t.key];
  if (!a) throw new Error(`no scores for ${t.key}`);
  if (a.length !== t.size) throw new Error(`scores for ${t.key} have ${a.length} entries, the tensor ${t.size}`);
  return a;
}

function selectGroup(tensors: readonly PrunableTensor[], scores: Scores, sparsity: number, out: MaskSet): void {
  const arrays = tensors.map((t) => scoresOf(scores, t));
  const total = arrays.reduce((n, a) => n + a.length, 0);
  const sel = selectSmallest(arrays, Math.round(clamp01(sparsity) * total), { absolute: scores.absolute });
  const keeps = selectionMasks(arrays, sel);
  tensors.forEach((t, i) => {
    out[t.key] = { key: t.key, layerPath: t.layerPath, weight: t.weight, shape: [...t.shape], keep: keeps[i] };
  });
}

/** Masks for every given tensor (1 = keep). Tensors outside the target keep everything. */
export function unstructuredMasks(tensors: readonly PrunableTensor[], scores: Scores, target: SparsityTarget): MaskSet {
  const out: MaskSet = {};
  if (target.kind === 'global') {
    selectGroup(tensors, scores, target.sparsity, out);
    return out;
  }
  const byLayer = new Map<string, PrunableTensor[]>();
  for (const t of tensors) {
    const list = byLayer.get(t.layerPath) ?? [];
    list.push(t);
    byLayer.set(t.layerPath, list);
  }
  for (const [layerPath, list] of byLayer) selectGroup(list, scores, target.sparsity[layerPath] ?? 0, out);
  return out;
}

/** Zeros a per-layer target sparsity produces: round(s * n), as the studio promises. */
export function expectedPruned(n: number, sparsity: number): number {
  return Math.round(clamp01(sparsity) * n);
}
