// Pruning *during* fine-tuning: the events of a schedule (schedules.ts pruneSchedule: one-shot,
// iterative, AGP) interleaved with masked training (maskedTrainer.ts trainSteps).
//
//   step 0 ........ e1 ........ e2 ........ eK ........................ totalSteps
//        [ train  ] prune [train] prune ...  prune [ train at the final sparsity ]
//
// At each event the caller's `prune(model, sparsity)` returns masks for that sparsity, so the caller
// decides granularity (unstructured, 2:4, 4:8) and criterion (magnitude, random, Taylor). Masks only
// grow: the new masks are ANDed with the ones in force (by default the zeros already in the model, so
// an earlier prune stays), so a weight once pruned stays pruned. The combined masks are written into
// the weights at once (onPrune sees, and may evaluate or snapshot, the pruned model), and the
// optimizer's slot variables (Adam m and v, momentum accumulators, ...) are zeroed for the pruned
// entries. With trainSteps multiplying the gradients of pruned entries by 0 and re-applying the masks
// after every step, a pruned weight and all of its optimizer state stay exactly 0 from the event that
// pruned it to the end of the run.
//
// Why zero the slots: a weight pruned at step 100 carries Adam moments from the 100 steps before.
// With its gradient masked those moments only decay (m by beta1, v by beta2 per step), never reach 0,
// and keep pushing the weight (which the mask then resets). They are state that must be zero.
//
// ONE optimizer serves every segment, so Adam's moments and step count carry on across events as in a
// single training run; it is disposed at the end unless the caller passed its own with keepOptimizer.
//
// Structured (channel) pruning is not scheduled here: removing channels builds a new, physically
// smaller model (graph/channelSurgery.ts removeChannels) with other variables; prune the channels
// once, then fine-tune the smaller model with plain trainSteps. (A callback returning channel masks
// would run, but the model would keep its full size and cost.)
import * as tf from '@tensorflow/tfjs';
import { listPrunableTensors } from '../graph/prunable';
import { progressBetween, UNCONTROLLED, type JobControl } from '../job';
import { applyMasks, combineMasks, findVariable, maskStats, masksFromZeros, type MaskSet } from '../prune/masks';
import { createOptimizer, trainSteps, type GradientTransform, type LossFn, type OptimizerSpec, type Regularizer, type StepInfo, type TrainBatch } from './maskedTrainer';
import type { PruneEvent } from './schedules';

/** What the prune callback is told besides the sparsity. */
export interface PruneCallbackInfo {
  /** 0-based index of the event. */
  index: number;
  totalEvents: number;
  atStep: number;
  /** The masks in force before this event; the callback's masks are ANDed with them anyway. */
  previous: MaskSet;
}

/** One pruning event as it happened (given to onPrune). */
export interface PruneStepInfo {
  /** 0-based index of the event. */
  index: number;
  totalEvents: number;
  /** The training step the event ran before (0 = before any training; totalSteps = after the last). */
  atStep: number;
  /** The event's target sparsity. */
  sparsity: number;
  /** Pruned / masked weights of the combined masks now in force: what was really reached. */
  achieved: number;
  /** The combined masks now in force (plain data; safe to keep in a snapshot). */
  masks: MaskSet;
}

export interface ScheduledPruningOptions {
  /** Training steps in the whole run. */
  totalSteps: number;
  /** From pruneSchedule (or hand-made): in step order, each atStep within 0..totalSteps. */
  events: readonly PruneEvent[];
  /**
   * Batch for global step i (0 .. totalSteps-1, across all segments; fresh tensors, disposed after
   * the step unless disposeBatches is false), or an array cycled by step (left to the caller).
   */
  batches: ((step: number) => TrainBatch | Promise<TrainBatch>) | readonly TrainBatch[];
  disposeBatches?: boolean;
  /** New masks at `sparsity` for the model as it is now (previously pruned weights are 0 in it). */
  prune: (model: tf.LayersModel, sparsity: number, info: PruneCallbackInfo) => Promise<MaskSet> | MaskSet;
  /** After each event's masks are applied (snapshot, evaluate). Awaited. */
  onPrune?: (event: PruneStepInfo) => Promise<void> | void;
  /** Masks already in force. Default: the exact zeros now in the model's prunable weights. */
  masks?: MaskSet;
  /** One optimizer (or a spec for createOptimizer) for the whole run; disposed at the end unless keepOptimizer. */
  optimizer: tf.Optimizer | OptimizerSpec;
  /** Keep a passed-in optimizer alive after the run (to inspect its slots); the caller disposes it. */
  keepOptimizer?: boolean;
  lossFn?: LossFn;
  regularizer?: Regularizer;
  /** Progress over the whole run; cancel lands within one batch (and before each event). */
  control?: JobControl;
  /** Like trainSteps' onStep, with step (1-based) and totalSteps counted over the whole run. */
  onStep?: (info: StepInfo) => void;
  /** trainSteps' zero count after every step (default true). */
  verifyZeros?: boolean;
  /**
   * trainSteps' gradient transform, for every segment (e.g. weight clustering; masks win over it); a
   * function gets the masks in force for the segment (weight clustering moves pruned weights to its zero).
   */
  gradientTransform?: GradientTransform | ((masks: MaskSet) => GradientTransform);
}

export interface ScheduledPruningResult {
  steps: number;
  /** Loss of every step, in order. */
  losses: number[];
  /** Per-step wall times, ms. */
  stepMs: number[];
  events: { atStep: number; sparsity: number; achieved: number }[];
  /** The masks in force at the end. */
  masks: MaskSet;
}

interface SlotVariable {
  name: string;
  variable: tf.Variable;
}

/**
 * The optimizer's per-weight slot variables. Every tfjs 4.x optimizer names them
 * `${variableName}/${slot}` (adam /m /v, momentum /momentum, rmsprop /rms /mg /momentum, adagrad
 * /accumulator, adadelta /accum_grad /accum_var, adamax /m /v) and hands the live variables out in
 * getWeights(), which also makes a fresh scalar for the iteration count: disposed here.
 */
async function slotVariables(optimizer: tf.Optimizer): Promise<SlotVariable[]> {
  let named: Awaited<ReturnType<tf.Optimizer['getWeights']>>;
  try {
    named = await optimizer.getWeights();
  } catch (e) {
    throw new Error(`runPruningSchedule: cannot read the optimizer's slot variables (${(e as Error).message}); use sgd, momentum or adam`);
  }
  const out: SlotVariable[] = [];
  for (const { name, tensor } of named) {
    if (tensor instanceof tf.Variable) out.push({ name, variable: tensor });
    else tensor.dispose();
  }
  return out;
}

/**
 * Writes +0 into every optimizer slot entry whose weight `masks` prune (Adam's m and v, momentum
 * accumulators...). Slots the optimizer has not created yet (no step so far) start at 0 anyway.
 */
export async function maskOptimizerSlots(optimizer: tf.Optimizer, model: tf.LayersModel, masks: MaskSet): Promise<void> {
  const slots = await slotVariables(optimizer);
  if (slots.length === 0) return;
  for (const mask of Object.values(masks)) {
    const lv = findVariable(model, mask.layerPath, mask.weight);
    if (!lv) throw new Error(`mask ${mask.key}: the model has no such weight`);
    const prefix = `${(lv.read() as tf.Variable).name}/`;
    let pruned = false;
    for (let i = 0; i < mask.keep.length && !pruned; i++) pruned = mask.keep[i] === 0;
    if (!pruned) continue;
    for (const slot of slots) {
      if (!slot.name.startsWith(prefix) || slot.name.slice(prefix.length).includes('/') || slot.variable.size !== mask.keep.length) continue;
      tf.tidy(() => {
        const keep = tf.tensor(mask.keep, slot.variable.shape, 'bool');
        slot.variable.assign(tf.where(keep, slot.variable, tf.zerosLike(slot.variable)));
      });
    }
  }
}

function checkEvents(events: readonly PruneEvent[], totalSteps: number): void {
  events.forEach((e, i) => {
    if (!Number.isInteger(e.atStep) || e.atStep < 0 || e.atStep > totalSteps) throw new Error(`runPruningSchedule: event ${i} at step ${e.atStep} is not within 0..${totalSteps}`);
    if (!(e.sparsity >= 0 && e.sparsity <= 1)) throw new Error(`runPruningSchedule: event ${i} sparsity ${e.sparsity} is not in [0, 1]`);
    if (i > 0 && e.atStep < events[i - 1].atStep) throw new Error(`runPruningSchedule: events are not in step order (event ${i} at step ${e.atStep} after step ${events[i - 1].atStep})`);
  });
}

/**
 * Trains `model` in place for totalSteps steps, pruning at the events. Rejects with CancelledError
 * (from control.checkpoint) when cancelled: the steps and events done so far stay in the model, the
 * masks hold, and every tensor the run made is freed (the optimizer too, unless kept).
 */
export async function runPruningSchedule(model: tf.LayersModel, options: ScheduledPruningOptions): Promise<ScheduledPruningResult> {
  const total = options.totalSteps;
  if (!Number.isInteger(total) || total < 0) throw new Error(`runPruningSchedule: totalSteps ${total} is not a whole number >= 0`);
  const events = options.events;
  checkEvents(events, total);
  const control = options.control ?? UNCONTROLLED;
  const source = options.batches;
  const arr = Array.isArray(source) ? (source as readonly TrainBatch[]) : null;
  if (arr && arr.length === 0) throw new Error('runPruningSchedule: the batch list is empty');
  // Each segment is its own trainSteps call with 0-based steps; the source sees the global step.
  const batchAt = (step: number) => (arr ? arr[step % arr.length] : (source as (s: number) => TrainBatch | Promise<TrainBatch>)(step));
  const disposeBatches = options.disposeBatches ?? !arr;

  let masks: MaskSet = options.masks ? combineMasks(options.masks, {}) : await masksFromZeros(model, listPrunableTensors(model));
  const passed = options.optimizer instanceof tf.Optimizer;
  const optimizer = passed ? (options.optimizer as tf.Optimizer) : createOptimizer(options.optimizer as OptimizerSpec);
  const ownsOptimizer = !passed || !options.keepOptimizer;

  const losses: number[] = [];
  const stepMs: number[] = [];
  const done: ScheduledPruningResult['events'] = [];
  let step = 0;
  const trainTo = async (end: number) => {
    if (end <= step) return;
    const offset = step;
    const r = await trainSteps(model, {
      batches: (s) => batchAt(offset + s),
      steps: end - offset,
      optimizer,
      keepOptimizer: true,
      disposeBatches,
      masks,
      lossFn: options.lossFn,
      regularizer: options.regularizer,
      verifyZeros: options.verifyZeros,
      gradientTransform: typeof options.gradientTransform === 'function' ? options.gradientTransform(masks) : options.gradientTransform,
      control: progressBetween(control, offset / total, end / total),
      onStep: options.onStep && ((info) => options.onStep!({ ...info, step: offset + info.step, totalSteps: total })),
    });
    losses.push(...r.losses);
    stepMs.push(...r.stepMs);
    step = end;
  };

  try {
    // Fails before any training for an optimizer whose slots cannot be read.
    await slotVariables(optimizer);
    for (let index = 0; index < events.length; index++) {
      const event = events[index];
      await trainTo(event.atStep);
      await control.checkpoint(total > 0 ? step / total : index / events.length, `pruning to ${(event.sparsity * 100).toFixed(1)}% (event ${index + 1}/${events.length})`);
      const fresh = await options.prune(model, event.sparsity, { index, totalEvents: events.length, atStep: event.atStep, previous: masks });
      const next = combineMasks(masks, fresh);
      // Throws, naming the mask, before writing anything when a mask does not fit the model.
      applyMasks(model, next);
      await maskOptimizerSlots(optimizer, model, next);
      masks = next;
      const achieved = maskStats(masks).sparsity;
      done.push({ atStep: event.atStep, sparsity: event.sparsity, achieved });
      await options.onPrune?.({ index, totalEvents: events.length, atStep: event.atStep, sparsity: event.sparsity, achieved, masks });
      // A cancel asked while onPrune ran (an evaluation can take seconds) lands before the next batch.
      if (options.onPrune) await control.checkpoint(total > 0 ? step / total : (index + 1) / events.length, `pruned to ${(achieved * 100).toFixed(1)}%`);
    }
    await trainTo(total);
    return { steps: losses.length, losses, stepMs, events: done, masks };
  } finally {
    if (ownsOptimizer) optimizer.dispose();
  }
}
