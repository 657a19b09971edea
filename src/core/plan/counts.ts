// What an allocation (unit id -> sparsity) leaves of a model, computed from plain data the scan
// recorded, without touching the model: nonzero prunable weights and nonzero MACs. The allocator asks
// this hundreds of times per plan, so it is arithmetic only.
//
// Counts follow the pruning code exactly for a dense starting point:
//   unstructured  a unit (one layer) at sparsity s prunes round(s * n) of its n prunable weights, pooled
//                 over the layer's kernels (unstructuredMasks, perLayer). When the starting point already
//                 has zeros (a fine-tuned pruned model), magnitude and Taylor rank them first (score 0),
//                 so the layer keeps n - max(round(s * n), zeros) nonzero; random picks blindly, so the
//                 count is the expected one.
//   channels      a group at ratio r removes k = min(C - 1, round(r * C)) channels (selectChannels,
//                 perGroup). Its masks zero whole slices along one axis of each member kernel, so a
//                 kernel touched by several groups (fc1: its input rows belong to conv2's group, its
//                 columns to its own) keeps size * prod over axes (1 - removed indices / axis length):
//                 exact, overlaps counted once. Zeros already in the kernel are assumed spread evenly.
// MACs use graph/macs.ts rules: a kernel weight is used `macsPerWeight` times per example (output
// positions, time steps...), so nonzero MACs drop by macsPerWeight per removed nonzero weight; layers
// whose MACs are unknown (dynamic shapes) save nothing. BatchNorm's per-element MACs are not kernel
// MACs and do not change under masks (as countModel counts a masked model).

/** One prunable kernel as the scan saw it. */
export interface TensorCost {
  key: string;
  layerPath: string;
  shape: number[];
  size: number;
  /** Nonzero weights at the starting point. */
  nonzero: number;
  /** MACs per weight per example (graph/macs.ts); null when the layer's MACs are unknown. */
  macsPerWeight: number | null;
}

export type UnitCost =
  /** Unstructured: the unit's layer, pruned as one pool over its kernels. */
  | { kind: 'weights'; keys: string[]; size: number; zeros: number; macsPerWeight: number | null; zerosFirst: boolean }
  /**
   * Channels: a dependency group. `slices` are its prunable-kernel members: along `axis` of kernel
   * `key`, each channel owns `perChannel` consecutive-or-not indices (1 for a conv's own filters, H*W
   * for a Dense layer after Flatten, the depth multiplier for a depthwise kernel).
   */
  | { kind: 'channels'; channels: number; slices: { key: string; axis: number; perChannel: number }[] };

/** Model totals at the starting point (countModel). */
export interface CostTotals {
  prunableParams: number;
  prunableNonzero: number;
  /** Dense MACs of the model (known layers). */
  macs: number;
  /** Nonzero MACs of the model at the starting point (known layers, BatchNorm included). */
  nonzeroMacs: number;
  /** Layers whose MACs are unknown (dynamic shapes): not in the MAC figures. */
  unknownMacs: string[];
}

export interface CostModel {
  totals: CostTotals;
  tensors: Record<string, TensorCost>;
  units: { id: string; cost: UnitCost }[];
}

export interface AllocationCounts {
  /** Nonzero prunable weights left. */
  params: number;
  /** Fraction of prunable weights that are zero: 1 - params / prunableParams. */
  sparsity: number;
  /** Nonzero MACs per example left (whole model, known layers). */
  macs: number;
}

/** Channels a group of C channels loses at ratio r, as selectChannels counts them (keeps at least one). */
export function removedChannels(channels: number, ratio: number): number {
  const r = Math.max(0, Math.min(1, ratio));
  return Math.min(channels - 1, Math.round(r * channels));
}

/** Weights an unstructured unit prunes at sparsity s, as unstructuredMasks counts them. */
export function prunedWeights(size: number, sparsity: number): number {
  return Math.round(Math.max(0, Math.min(1, sparsity)) * size);
}

function weightsNonzero(c: Extract<UnitCost, { kind: 'weights' }>, s: number): number {
  const pruned = prunedWeights(c.size, s);
  if (c.zerosFirst) return c.size - Math.max(pruned, c.zeros);
  // Random: the pruned set is drawn independently of where the zeros are.
  return Math.max(0, c.size - pruned - c.zeros * (1 - pruned / Math.max(1, c.size)));
}

/**
 * Nonzero prunable weights and MACs left when each unit is pruned to its sparsity (units not listed
 * stay as they are).
 */
export function countAllocation(model: CostModel, perUnit: Readonly<Record<string, number>>): AllocationCounts {
  let removedWeights = 0;
  let removedMacs = 0;
  // Channels: indices removed along each (kernel, axis), summed over the groups that own them.
  const removedAlong = new Map<string, number[]>();
  for (const u of model.units) {
    const s = perUnit[u.id];
    if (s === undefined || s <= 0) continue;
    const c = u.cost;
    if (c.kind === 'weights') {
      const before = c.size - c.zeros;
      const gone = Math.max(0, before - weightsNonzero(c, s));
      removedWeights += gone;
      removedMacs += gone * (c.macsPerWeight ?? 0);
      continue;
    }
    const k = removedChannels(c.channels, s);
    if (k === 0) continue;
    for (const sl of c.slices) {
      const t = model.tensors[sl.key];
      let along = removedAlong.get(sl.key);
      if (!along) {
        along = new Array<number>(t.shape.length).fill(0);
        removedAlong.set(sl.key, along);
      }
      along[sl.axis] += sl.perChannel * k;
    }
  }
  for (const [key, along] of removedAlong) {
    const t = model.tensors[key];
    let kept = 1;
    along.forEach((r, axis) => {
      kept *= Math.max(0, 1 - r / t.shape[axis]);
    });
    const gone = t.nonzero - t.nonzero * kept;
    removedWeights += gone;
    removedMacs += gone * (t.macsPerWeight ?? 0);
  }
  const { prunableParams, prunableNonzero, nonzeroMacs } = model.totals;
  // Products of fractions can land a hair off an integer; counts are integers.
  const params = Math.round(prunableNonzero - removedWeights);
  return {
    params,
    // zeros / total rather than 1 - nonzero / total: 600 / 3000 is exactly 0.2, 1 - 2400 / 3000 is not.
    sparsity: prunableParams ? (prunableParams - params) / prunableParams : 0,
    macs: Math.round(nonzeroMacs - removedMacs),
  };
}
