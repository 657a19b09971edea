// MAC uses shared by several layer rules. Every prunable weight is used a fixed number of times per
// example; a layer's MACs are uses x its prunable weights (+ extra MACs not tied to weights). A use
// count is null when a dimension it needs is not fixed (an input of [null, null, null, 3]).
import type { GraphNode, LayerGraph } from '../layerGraph';
import type { MacUses } from './types';

type Shape = (number | null)[] | null;

export function product(dims: readonly (number | null)[]): number | null {
  let p = 1;
  for (const d of dims) {
    if (d === null || d === undefined || d < 0) return null;
    p *= d;
  }
  return p;
}

/** Dims without the batch and channel axes (positions), or null. */
export function positions(shape: Shape): number | null {
  if (!shape || shape.length < 2) return shape ? 1 : null;
  return product(shape.slice(1, -1));
}

export const outputShapeOf = (node: GraphNode, g: LayerGraph): Shape => g.tensors[node.outputs[0]]?.shape ?? null;
export const inputShapeOf = (node: GraphNode, g: LayerGraph): Shape => (node.inputs.length ? (g.tensors[node.inputs[0]]?.shape ?? null) : null);

/** Each weight is used once per output position (Dense: per leading output dim; convolutions: strides and padding are in the output shape). */
export function perOutputPosition(node: GraphNode, g: LayerGraph): MacUses {
  return { uses: positions(outputShapeOf(node, g)), extra: 0 };
}

/** Each weight is used once per input position (a transposed conv multiplies each input pixel by the whole kernel). */
export function perInputPosition(node: GraphNode, g: LayerGraph): MacUses {
  return { uses: positions(inputShapeOf(node, g)), extra: 0 };
}

/** Recurrent layers: once per time step, for the kernel and the recurrent kernel (gates are in the kernel width). */
export function perTimeStep(node: GraphNode, g: LayerGraph): MacUses {
  const inShape = inputShapeOf(node, g);
  return { uses: inShape && inShape.length >= 3 ? (inShape[1] ?? null) : null, extra: 0 };
}

/** No multiply: a lookup (Embedding), or a layer without weights. */
export function noMacs(): MacUses {
  return { uses: 0, extra: 0 };
}
