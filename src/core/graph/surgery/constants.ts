// The second phase of the channel surgery: the constant each channel entry carries, where it is
// constant. A removed channel whose producer kernel slice is all zero still outputs act(bias); each
// layer's rule (channels.constant) says what a constant becomes through it: BatchNorm's affine map,
// an activation, a merge... A layer without a constant rule gives a varying output.
import { channelEntries, type ChannelEntries } from '../channelLayout';
import type { DependencyGraph } from '../dependencyGraph';
import { layerRule } from '../rules';
import { weightsOf, type WeightValues } from './weightValues';

export interface Constants {
  /** Per tensor: the channel entries of its layout; null when the layout is unknown. */
  entries: (ChannelEntries | null)[];
  /** Per tensor: the constant on each channel entry (NaN where it varies). */
  values: (Float64Array | null)[];
  /** Per tensor: 1 where the constant is exact only away from the borders (zero padding). */
  approx: (Uint8Array | null)[];
}

export function propagateConstants(dep: DependencyGraph, weights: WeightValues): Constants {
  const g = dep.layers;
  const entries = dep.layouts.map((l) => (l ? channelEntries(l) : null));
  const values: (Float64Array | null)[] = new Array(g.tensors.length).fill(null);
  const approx: (Uint8Array | null)[] = new Array(g.tensors.length).fill(null);
  for (const node of g.nodes) {
    const out = node.outputs[0];
    const d = out !== undefined ? entries[out] : null;
    if (!d || node.outputs.length !== 1) continue;
    const oc = new Float64Array(d.chanCount).fill(NaN);
    const oa = new Uint8Array(d.chanCount);
    values[out] = oc;
    approx[out] = oa;
    layerRule(node.className).channels.constant?.(node, {
      inputs: node.inputs.map((t) => values[t]),
      inputApprox: node.inputs.map((t) => approx[t]),
      out: oc,
      outApprox: oa,
      weight: weightsOf(weights, node),
    });
  }
  return { entries, values, approx };
}
