// The layer-rule registry: one entry per Keras layer class, saying everything the studio knows about
// it (like Torch-Pruning's one pruner per layer type). Who reads what:
//   prunable weights      graph/prunable.ts (listPrunableTensors), graph/macs.ts (prunable counts)
//   channels.analyse      graph/dependencyGraph.ts: sources, slices, couplings, locks
//   channels.constant     graph/surgery/constants.ts: what a removed channel carries through the layer
//   channels.source       graph/surgery/*: kernel and out axis, the bias fold, the count field
//   repairConfig          graph/surgery/topologyEdit.ts
//   macs                  graph/macs.ts (kernelUses)
//   prunable[].nm         prune/nm.ts (nmAxis)
//   prunable[].outAxes    train/regularizers.ts (groupLasso); scales: bnGammaL1
// Adding a layer kind is one entry here (in the family module it belongs to) and its case in
// rules.test.ts.
import type * as tf from '@tensorflow/tfjs';
import { DEPTHWISE_RULE } from './depthwise';
import { DEFAULT_RULE, LOCKED_RULES } from './lockedChannels';
import { MERGING_RULES } from './merging';
import { BATCH_NORM_RULE } from './normalization';
import { PASS_THROUGH_RULES } from './passThrough';
import { RESHAPING_RULES } from './reshaping';
import { SOURCE_RULES } from './sources';
import type { LayerRule, PrunableWeightRule } from './types';

export type * from './types';
export { DEFAULT_RULE };
export { inputAxisNM } from './weightAxes';

function buildTable(rules: readonly LayerRule[]): ReadonlyMap<string, LayerRule> {
  const table = new Map<string, LayerRule>();
  for (const r of rules) {
    if (table.has(r.className)) throw new Error(`layer rules: two entries for ${r.className}`);
    table.set(r.className, r);
  }
  return table;
}

/** Keras class name -> its rule. */
export const LAYER_RULES: ReadonlyMap<string, LayerRule> = buildTable([
  ...SOURCE_RULES,
  DEPTHWISE_RULE,
  BATCH_NORM_RULE,
  ...PASS_THROUGH_RULES,
  ...RESHAPING_RULES,
  ...MERGING_RULES,
  ...LOCKED_RULES,
]);

/** The rule of a class: its entry, or DEFAULT_RULE (opaque, nothing prunable, no MACs). */
export function layerRule(className: string): LayerRule {
  return LAYER_RULES.get(className) ?? DEFAULT_RULE;
}

/** The last segment of a weight suffix: "forward_lstm/kernel" -> "kernel". */
export function weightBaseName(weight: string): string {
  return weight.slice(weight.lastIndexOf('/') + 1);
}

/** The rule of one prunable weight of a class, or undefined when the class does not list it. */
export function prunableWeightRule(className: string, weight: string): PrunableWeightRule | undefined {
  const name = weightBaseName(weight);
  return layerRule(className).prunable.find((w) => w.name === name);
}

/** Prunable weight names of a live layer, looking through a wrapper (TimeDistributed) to the layer inside. */
export function prunableNamesOf(layer: tf.layers.Layer): readonly string[] {
  const rule = layerRule(layer.getClassName());
  if (rule.wrapsLayer) {
    const inner = (layer as unknown as { layer?: tf.layers.Layer }).layer;
    return inner ? layerRule(inner.getClassName()).prunable.map((w) => w.name) : [];
  }
  return rule.prunable.map((w) => w.name);
}
