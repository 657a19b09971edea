// Fidelity: how closely a pruned model still does what the original did, for models the demo data
// does not fit (another input shape, other classes, regression, image-to-image). No labels needed.
//
// - Probe inputs are generated once per model, seeded, from its input shapes (see probeInputs).
// - The original model's outputs on them are the reference.
// - Classifiers (one output ending in softmax): top-1 agreement with the reference, 0..1.
// - Everything else: 1 − relative output error, ‖y − y₀‖₂ / ‖y₀‖₂ over all probes and outputs,
//   clipped to 0..1, so that 1 still means "identical" and the chart reads the same way.
//
// Random inputs are not the user's data: fidelity on them is a proxy that catches a model whose
// function changed, not a promise about accuracy on real inputs. The UI says so where it shows it.
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../data/seededRandom';
import { UNCONTROLLED, type JobControl } from '../job';
import { endsInSoftmax } from '../train/maskedTrainer';

/** Dimensions the model leaves open (height and width of a fully convolutional net, sequence length). */
export const DYNAMIC_DIM = 32;

export type FidelityKind = 'agreement' | 'relativeError';

export interface ProbeSpec {
  /** One per model input: the shape of one example, dynamic dimensions filled with DYNAMIC_DIM. */
  shapes: number[][];
  /** How each input's values are drawn. */
  kinds: ({ kind: 'uniform' } | { kind: 'normal' } | { kind: 'ids'; vocabulary: number })[];
}

/** How to fill each model input. Token ids for an input that feeds an Embedding; [0, 1) for images; N(0, 1) otherwise. */
export function probeSpec(model: tf.LayersModel): ProbeSpec {
  const shapes: number[][] = [];
  const kinds: ProbeSpec['kinds'] = [];
  model.inputs.forEach((input, i) => {
    const shape = input.shape.slice(1).map((d) => d ?? DYNAMIC_DIM);
    shapes.push(shape);
    const consumer = firstConsumer(model, i);
    const embedding = consumer?.getClassName() === 'Embedding' ? (consumer.getConfig().inputDim as number) : 0;
    if (embedding > 0) kinds.push({ kind: 'ids', vocabulary: embedding });
    else if (shape.length === 3 && [1, 3, 4].includes(shape[2])) kinds.push({ kind: 'uniform' });
    else kinds.push({ kind: 'normal' });
  });
  return { shapes, kinds };
}

/** The first layer that reads model input `inputIndex` (an explicit InputLayer holds the input itself, so it is skipped). */
function firstConsumer(model: tf.LayersModel, inputIndex: number): tf.layers.Layer | undefined {
  const input = model.inputs[inputIndex];
  return model.layers.find((l) => l.getClassName() !== 'InputLayer' && l.inboundNodes.some((n) => n.inputTensors.some((t) => t.id === input.id)));
}

/** `count` seeded examples for every input (each [count, ...shape]); the caller owns the tensors. */
export function probeInputs(spec: ProbeSpec, count: number, seed: number): tf.Tensor[] {
  const rnd = mulberry32(seed);
  const normal = () => {
    // Box-Muller on the seeded generator (tf.randomNormal's seed is not portable across backends).
    const u = Math.max(rnd(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
  };
  return spec.shapes.map((shape, i) => {
    const size = count * shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    const k = spec.kinds[i];
    for (let j = 0; j < size; j++) {
      values[j] = k.kind === 'ids' ? Math.floor(rnd() * k.vocabulary) : k.kind === 'uniform' ? rnd() : normal();
    }
    return tf.tensor(values, [count, ...shape], 'float32');
  });
}

export function fidelityKind(model: tf.LayersModel): FidelityKind {
  return model.outputs.length === 1 && model.outputs[0].shape.length === 2 && endsInSoftmax(model) ? 'agreement' : 'relativeError';
}

/** The model's outputs on the probes, flattened per example: [count, outputSize] (outputs concatenated). */
export async function referenceOutputs(model: tf.LayersModel, probes: tf.Tensor[], batchSize: number, control: JobControl = UNCONTROLLED): Promise<Float32Array[]> {
  const count = probes[0].shape[0];
  const rows: Float32Array[] = [];
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    const out = tf.tidy(() => {
      const xs = probes.map((p) => p.slice(start, size));
      const ys = model.predict(xs.length === 1 ? xs[0] : xs);
      const list = Array.isArray(ys) ? ys : [ys];
      return tf.concat(list.map((y) => y.reshape([size, -1])), 1);
    });
    const data = (await out.data()) as Float32Array;
    const width = out.shape[1] as number;
    out.dispose();
    for (let r = 0; r < size; r++) rows.push(data.slice(r * width, (r + 1) * width));
    await control.checkpoint((start + size) / count, `Running ${start + size} / ${count} probe inputs`);
  }
  return rows;
}

const argMax = (v: Float32Array) => {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
};

/** Fidelity of `outputs` to `reference` (both from referenceOutputs), 0..1. */
export function fidelityOf(kind: FidelityKind, outputs: Float32Array[], reference: Float32Array[]): number {
  if (outputs.length !== reference.length || outputs.length === 0) throw new Error(`fidelityOf: ${outputs.length} outputs for ${reference.length} references`);
  if (kind === 'agreement') {
    let same = 0;
    for (let i = 0; i < outputs.length; i++) if (argMax(outputs[i]) === argMax(reference[i])) same++;
    return same / outputs.length;
  }
  let err = 0;
  let norm = 0;
  for (let i = 0; i < outputs.length; i++) {
    const o = outputs[i];
    const r = reference[i];
    for (let j = 0; j < r.length; j++) {
      const d = o[j] - r[j];
      // A NaN output (a broken model) counts as total error rather than poisoning the sum.
      err += Number.isFinite(d) ? d * d : r[j] * r[j] + 1;
      norm += r[j] * r[j];
    }
  }
  if (norm === 0) return err === 0 ? 1 : 0;
  return Math.max(0, 1 - Math.sqrt(err / norm));
}

export function describeFidelity(kind: FidelityKind, count: number): string {
  return kind === 'agreement'
    ? `fidelity: top-1 agreement with the original model on ${count} generated inputs`
    : `fidelity: 1 − relative output error against the original model on ${count} generated inputs`;
}
