// Fidelity of a pruned graph model to the original, for models the demo data does not fit: the ideas
// of metrics/fidelity.ts (seeded probe inputs from the input shapes, the original's outputs as the
// reference, top-1 agreement for a softmax classifier, else 1 - relative output error), run through
// the graph: execute, or executeAsync when it has control flow.
//
//   const spec = graphProbeSpec(model, data);                 // shapes, kinds, the batch the model takes
//   const probes = graphProbeInputs(spec, 32, seed);          // caller disposes
//   const ref = await graphReferenceOutputs(original, data.info, probes, spec.batch);
//   const kind = graphFidelityKind(data, ref.shapes);
//   const out = await graphReferenceOutputs(pruned, data.info, probes, spec.batch);
//   fidelityOf(kind, out.rows, ref.rows)                      // 0..1, metrics/fidelity.ts
import * as tf from '@tensorflow/tfjs';
import { DYNAMIC_DIM, fidelityOf, probeInputs, type FidelityKind, type ProbeSpec } from '../metrics/fidelity';
import { UNCONTROLLED, type JobControl } from '../job';
import { dataInputs, throughIdentity, type GraphIndex, indexGraph } from './graphDef';
import { loadGraphModelData, runGraph, type GraphModelData } from './graphModelData';

export { describeFidelity, fidelityOf } from '../metrics/fidelity';

export interface GraphProbeSpec extends ProbeSpec {
  /** tfjs dtype of each input (int32 inputs get whole numbers). */
  dtypes: string[];
  /** Examples per run: the input's fixed batch size, or null when the batch is open. */
  batch: number | null;
}

/** Readers of an input that look ids up in a constant table: the table's row count. */
function vocabularyOf(index: GraphIndex, data: GraphModelData, input: string): number | null {
  for (const c of index.consumers.get(input) ?? []) {
    if (!['GatherV2', 'Gather', 'ResourceGather'].includes(c.node.op) || c.slot !== 1) continue;
    const table = throughIdentity(index, dataInputs(c.node)[0]?.node ?? '');
    const w = table?.op === 'Const' ? data.weights.find((x) => x.name === table.name) : undefined;
    if (w && w.shape.length >= 1) return w.shape[0];
  }
  return null;
}

/** How to fill each input: ids for an int input (below the lookup table's size, or 0/1), [0, 1) for images, N(0, 1) otherwise. */
export function graphProbeSpec(model: tf.GraphModel, data: GraphModelData): GraphProbeSpec {
  const index = indexGraph(data.topology);
  const shapes: number[][] = [];
  const kinds: ProbeSpec['kinds'] = [];
  const dtypes: string[] = [];
  let batch: number | null = null;
  for (const input of model.inputs) {
    const full = input.shape ?? [];
    if (full.length > 0 && full[0] > 0) batch = full[0];
    const shape = full.slice(1).map((d) => (d > 0 ? d : DYNAMIC_DIM));
    shapes.push(shape);
    const dtype = input.dtype ?? 'float32';
    dtypes.push(dtype);
    if (dtype === 'int32') kinds.push({ kind: 'ids', vocabulary: vocabularyOf(index, data, input.name) ?? 2 });
    else if (shape.length === 3 && [1, 3, 4].includes(shape[2])) kinds.push({ kind: 'uniform' });
    else kinds.push({ kind: 'normal' });
  }
  return { shapes, kinds, dtypes, batch };
}

/** `count` seeded examples per input ([count, ...shape]; int inputs cast to int32); the caller disposes them. */
export function graphProbeInputs(spec: GraphProbeSpec, count: number, seed: number): tf.Tensor[] {
  return probeInputs(spec, count, seed).map((t, i) => {
    if (spec.dtypes[i] !== 'int32') return t;
    const ints = t.toInt();
    t.dispose();
    return ints;
  });
}

/**
 * The model's outputs on the probes, one row per example (outputs flattened and joined), and the
 * shape of each output for one example. `batch`: examples per run (the model's fixed batch, or any).
 */
export async function graphReferenceOutputs(
  model: tf.GraphModel,
  info: GraphModelData['info'],
  probes: tf.Tensor[],
  batch: number | null,
  control: JobControl = UNCONTROLLED,
): Promise<{ rows: Float32Array[]; shapes: number[][] }> {
  const count = probes[0].shape[0];
  const step = batch ?? Math.min(count, 16);
  const rows: Float32Array[] = [];
  let shapes: number[][] = [];
  for (let start = 0; start < count; start += step) {
    const size = Math.min(step, count - start);
    const xs = probes.map((p) => p.slice(start, size));
    const ys = await runGraph(model, info, xs);
    shapes = ys.map((y) => [1, ...y.shape.slice(1)]);
    const joined = tf.tidy(() => tf.concat(ys.map((y) => y.toFloat().reshape([size, -1])), 1));
    const values = (await joined.data()) as Float32Array;
    const width = joined.shape[1] as number;
    tf.dispose([...xs, ...ys, joined]);
    for (let r = 0; r < size; r++) rows.push(values.slice(r * width, (r + 1) * width));
    await control.checkpoint((start + size) / count, `Running ${start + size} / ${count} probe inputs`);
  }
  return { rows, shapes };
}

/** Top-1 agreement for one rank-2 output computed by a Softmax (through Identity); relative error otherwise. */
export function graphFidelityKind(data: GraphModelData, outputShapes: readonly number[][]): FidelityKind {
  if (data.info.outputs.length !== 1 || outputShapes.length !== 1 || outputShapes[0].length !== 2) return 'relativeError';
  const node = throughIdentity(indexGraph(data.topology), data.info.outputs[0].node);
  return node?.op === 'Softmax' ? 'agreement' : 'relativeError';
}

export interface GraphFidelityResult {
  kind: FidelityKind;
  value: number;
  count: number;
}

/** Fidelity of `pruned` to `original` on `count` seeded probes: loads both, runs both, frees both. */
export async function graphFidelity(original: GraphModelData, pruned: GraphModelData, count: number, seed = 1, control: JobControl = UNCONTROLLED): Promise<GraphFidelityResult> {
  const a = await loadGraphModelData(original);
  const b = await loadGraphModelData(pruned);
  const spec = graphProbeSpec(a, original);
  const probes = graphProbeInputs(spec, count, seed);
  try {
    const ref = await graphReferenceOutputs(a, original.info, probes, spec.batch, control);
    const out = await graphReferenceOutputs(b, pruned.info, probes, spec.batch, control);
    const kind = graphFidelityKind(original, ref.shapes);
    return { kind, value: fidelityOf(kind, out.rows, ref.rows), count };
  } finally {
    tf.dispose(probes);
    a.dispose();
    b.dispose();
  }
}
