// The fourth phase of the channel surgery: the model's config with the new channel counts. Sources
// get their kept count (units or filters, as their rule says), Reshape targets and the input shapes
// nested models repeat get the new width, layers whose bias absorbs a constant get one, and config
// fields TF.js drops on save are restored (the rule's repairConfig). Layer names, and so weight
// keys, stay the same.
import type { DependencyGraph } from '../dependencyGraph';
import { findLayerEntry, type JsonObject, type KerasLayerConfig } from '../../model/kerasJson';
import { layerRule } from '../rules';
import type { KeepPlan } from './keepPlan';
import { weightsOf, type WeightValues } from './weightValues';

/** An edited deep copy of the graph's topology; the graph is left as it is. */
export function editTopology(dep: DependencyGraph, keep: KeepPlan, weights: WeightValues, biasAdded: Iterable<string>): JsonObject {
  const g = dep.layers;
  const topology = structuredClone(g.topology);
  const configAt = (path: string): KerasLayerConfig => {
    const entry = findLayerEntry(topology, path);
    if (!entry) throw new Error(`channel surgery: no config for layer ${path}`);
    return entry.config;
  };
  for (const src of dep.sources) {
    if (src.node === null || src.group < 0 || !keep.keepOfGroup[src.group]) continue;
    const node = g.nodes[src.node];
    const field = layerRule(node.className).channels.source?.countField;
    const cfg = configAt(node.path);
    if (field && typeof cfg[field] === 'number') cfg[field] = keep.keptCount(src.id, src.count);
  }
  for (const id of dep.reshapes) {
    const node = g.nodes[id];
    const target = configAt(node.path).target_shape;
    const layout = dep.layouts[node.inputs[0]];
    if (Array.isArray(target) && layout) target[target.length - 1] = keep.newLength(layout);
  }
  for (const ni of g.nestedInputs) {
    const shape = configAt(ni.path).batch_input_shape;
    const layout = dep.layouts[ni.tensor];
    if (Array.isArray(shape) && layout) shape[shape.length - 1] = keep.newLength(layout);
  }
  for (const node of g.nodes) {
    const repair = layerRule(node.className).repairConfig;
    if (repair) repair(configAt(node.path), weightsOf(weights, node));
  }
  for (const path of biasAdded) {
    const cfg = configAt(path);
    if (cfg.use_bias === false) cfg.use_bias = true;
  }
  return topology;
}
