// Where one prediction's time goes: the model run layer by layer on one example, each layer timed
// from the call until its outputs are readable (data(): GPU backends run asynchronously), as the
// fastest of the timed runs after warm-up runs: the fastest is the least disturbed by whatever else
// the machine does (a median of so few short runs still jumps on a busy machine). A fast layer's run
// repeats the call until the run lasts 2 ms and divides, so the clock's resolution does not decide
// the figure.
//
//   const profile = await profileLayers(model, input, { warmup: 2, runs: 5, control });
//   // profile.layers: [{ path, className, ms, share }] in execution order; profile.totalMs
//
// What a layer's time includes: its kernels, the allocation of its outputs and one wait for them
// (a GPU readback), so the sum is larger than one whole predict() (which waits once, at the end) by
// about one synchronisation per layer. A nested model (a Teachable Machine feature extractor) is one
// row. Layers are run from the model's own graph (each layer's inbound nodes), so functional models
// with branches and merges work as Sequential ones do. Every tensor it makes is disposed.
import * as tf from '@tensorflow/tfjs';
import { UNCONTROLLED, type JobControl } from '../job';

export interface LayerTime {
  path: string;
  className: string;
  /** ms of this layer's call, outputs waited for: the fastest timed run. */
  ms: number;
  /** ms over the sum of every layer's ms. */
  share: number;
}

export interface LayerProfile {
  layers: LayerTime[];
  /** Sum of the layers' times. */
  totalMs: number;
  runs: number;
}

export interface ProfileOptions {
  warmup: number;
  runs: number;
  control?: JobControl;
}

/** The parts of a tfjs layer's inbound node this reads (tfjs-layers' Node). */
interface InboundNode {
  inputTensors: tf.SymbolicTensor[];
  outputTensors: tf.SymbolicTensor[];
}

/** A timed sample lasts at least this long (calls repeated), at most MAX_REPS calls. */
const MIN_SAMPLE_MS = 2;
const MAX_REPS = 256;

const nodesOf = (layer: tf.layers.Layer) => (layer as unknown as { inboundNodes: InboundNode[] }).inboundNodes;

interface Call {
  layer: tf.layers.Layer;
  node: InboundNode;
}

/** The layer calls of one prediction, in an order where each call's inputs come first. */
function executionOrder(model: tf.LayersModel): Call[] {
  const known = new Set(model.inputs.map((t) => t.id));
  const pending: Call[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    for (const node of nodesOf(layer)) pending.push({ layer, node });
  }
  const order: Call[] = [];
  let progressed = true;
  while (progressed) {
    progressed = false;
    for (let i = 0; i < pending.length; i++) {
      const c = pending[i];
      if (!c.node.inputTensors.every((t) => known.has(t.id))) continue;
      order.push(c);
      for (const t of c.node.outputTensors) known.add(t.id);
      pending.splice(i--, 1);
      progressed = true;
    }
  }
  const missing = model.outputs.filter((t) => !known.has(t.id));
  if (missing.length) throw new Error(`profileLayers: could not reach the model output ${missing[0].name} layer by layer`);
  return order;
}

export async function profileLayers(model: tf.LayersModel, input: tf.Tensor | tf.Tensor[], options: ProfileOptions): Promise<LayerProfile> {
  const control = options.control ?? UNCONTROLLED;
  if (!Number.isInteger(options.runs) || options.runs < 1) throw new Error(`profileLayers: runs must be a whole number of at least 1, got ${options.runs}`);
  const inputs = Array.isArray(input) ? input : [input];
  if (inputs.length !== model.inputs.length) throw new Error(`profileLayers: the model takes ${model.inputs.length} inputs, got ${inputs.length}`);
  const order = executionOrder(model);
  const values = new Map<number, tf.Tensor>(model.inputs.map((t, i) => [t.id, inputs[i]]));
  const made: tf.Tensor[] = [];
  const rows: LayerTime[] = [];
  try {
    for (let c = 0; c < order.length; c++) {
      const { layer, node } = order[c];
      const args = node.inputTensors.map((t) => values.get(t.id)!);
      const call = async () => {
        const out = layer.apply(args.length === 1 ? args[0] : args, { training: false }) as tf.Tensor | tf.Tensor[];
        const outs = Array.isArray(out) ? out : [out];
        await Promise.all(outs.map((o) => o.data()));
        return outs;
      };
      for (let i = 0; i < options.warmup; i++) tf.dispose(await call());
      // Calls repeated within one timed sample until it spans MIN_SAMPLE_MS (doubling, as benchmark
      // tools do): a browser's clock is coarsened (0.1 ms without cross-origin isolation), far
      // coarser than a small layer.
      let kept = await call();
      const sample = async (reps: number) => {
        const t0 = performance.now();
        for (let r = 0; r < reps; r++) {
          const outs = await call();
          tf.dispose(kept);
          kept = outs;
        }
        return performance.now() - t0;
      };
      let reps = 1;
      while (reps < MAX_REPS && (await sample(reps)) < MIN_SAMPLE_MS) reps *= 2;
      const times: number[] = [];
      for (let i = 0; i < options.runs; i++) times.push((await sample(reps)) / reps);
      made.push(...kept);
      node.outputTensors.forEach((t, i) => values.set(t.id, kept[i]));
      times.sort((a, b) => a - b);
      rows.push({ path: layer.name, className: layer.getClassName(), ms: times[0], share: 0 });
      await control.checkpoint((c + 1) / order.length, `Timing layer ${c + 1} / ${order.length}`);
    }
  } finally {
    tf.dispose(made);
  }
  const totalMs = rows.reduce((s, r) => s + r.ms, 0);
  for (const r of rows) r.share = totalMs > 0 ? r.ms / totalMs : 0;
  return { layers: rows, totalMs, runs: options.runs };
}
