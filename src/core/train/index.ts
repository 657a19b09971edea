// Secateur training core: fine-tuning that keeps pruning masks, pruning schedules, distillation,
// BatchNorm recalibration and sparsity penalties. Pure TypeScript on @tensorflow/tfjs: no DOM, no
// worker code. Long calls take a JobControl (core/job.ts) and checkpoint between batches.
//
// ## Masked fine-tuning (maskedTrainer.ts)
//   const result = await trainSteps(model, {
//     batches: (step) => gatherToTensors(train, indicesFor(step)),   // or an array (cycled per epoch), or an (async) iterable
//     steps: 200,                        // or epochs (+ stepsPerEpoch for a function or iterable source)
//     optimizer: { kind: 'adam', learningRate: 1e-3 },   // or { kind: 'sgd', learningRate, momentum? }, or a tf.Optimizer
//     masks,                             // MaskSet from core/prune: pruned weights stay exactly +0
//     lossFn?,                           // default categoricalCrossentropy; distillationLoss(teacher) for label-free
//     regularizer?,                      // l1Kernels / groupLasso / bnGammaL1 / combineRegularizers
//     control?, onStep?: ({ step, totalSteps, loss, zerosKept: { [layerPath]: { kept, pruned } }, verified, ms }) => void,
//     verifyZeros?: true, disposeBatches?, keepOptimizer?,
//     gradientTransform?,                // e.g. clusterGradients(clusters) from core/compress: weight sharing holds
//   });   // -> { steps, losses, stepMs }
// Not model.fit (fit revives pruned weights): gradients come from tf.variableGrads with the model in
// training mode, masked gradients are multiplied by the mask (Adam moments of pruned entries stay 0),
// then applyGradients, then the masks are re-applied. The optimizer is disposed at the end (its slot
// variables would outlive the run otherwise) unless keepOptimizer is set for a passed-in one; a
// finished or cancelled run leaves tf.memory().numTensors as it found it. Cancel lands between steps
// (CancelledError from control.checkpoint); the steps done stay in the model.
//   createOptimizer({ kind, learningRate, momentum?, beta1?, beta2?, epsilon? }): tf.Optimizer
//   categoricalCrossentropy: LossFn (training mode); crossEntropyLoss({ training: false }) freezes BatchNorm
//   statistics and Dropout (several times faster on cpu / webgl); endsInSoftmax(model); runModel(model, xs, training)
//
// ## Schedules (schedules.ts)
//   agpSparsity(step, { initial, final, startStep, steps })        // Zhu & Gupta cubic, exact at the ends
//   pruneSchedule('oneShot' | 'iterative' | 'agp', { final, totalSteps, initial?, rounds? | frequency?, startStep?, endStep? })
//     -> [{ atStep, sparsity }], non-decreasing, the last exactly `final`. endStep defaults to 3/4 of
//        totalSteps so the last quarter fine-tunes at the final sparsity.
//
// ## Pruning during fine-tuning (scheduledPruning.ts)
//   const r = await runPruningSchedule(model, {
//     totalSteps: 282,
//     events: pruneSchedule('agp', { final: 0.9, totalSteps: 282, endStep: 188, frequency: 10 }),   // or 'oneShot' / 'iterative'
//     batches: (step) => batchFor(step),        // global step 0..totalSteps-1; or an array cycled by step
//     prune: (model, sparsity, { index, atStep, totalEvents, previous }) => masksAt(model, sparsity),
//                                               // the caller picks granularity (unstructured / 2:4 / 4:8) and criterion
//     onPrune?: async ({ index, atStep, sparsity, totalEvents, achieved, masks }) => snapshotAndEvaluate(),
//     optimizer: { kind: 'adam', learningRate: 1e-3 },   // or a tf.Optimizer (+ keepOptimizer to inspect its slots)
//     masks?,                                   // default: the zeros already in the model (an earlier prune stays)
//     lossFn?, regularizer?, control?, onStep?,  // onStep counts steps over the whole run
//   });   // -> { steps, losses, stepMs, events: [{ atStep, sparsity, achieved }], masks }
// Training runs in segments between events (trainSteps, one optimizer for the whole run). At an event
// the callback's masks are ANDed with the masks in force (a weight once pruned stays pruned; `achieved`
// reports the union, pruned / masked weights), written into the weights before onPrune, and the
// optimizer's slots for pruned entries are zeroed (maskOptimizerSlots: Adam m and v, momentum
// accumulators), so pruned weights and their optimizer state are exactly 0 for the rest of the run.
// Cancel lands within one batch (also right after onPrune); a cancelled run frees what it made and
// keeps the steps and events done. Channels are not scheduled: remove them once (removeChannels),
// then fine-tune the physically smaller model with trainSteps.
//   maskOptimizerSlots(optimizer, model, masks): Promise<void>
//
// ## Distillation (distillation.ts)
//   lossFn: distillationLoss(teacher, { temperature: 4, outputs: 'auto' })
//   T²·KL(softmax(t/T) || softmax(s/T)) for classifiers (log-probabilities stand in for logits when the
//   model ends in softmax), MSE otherwise. Ignores labels.
//
// ## BatchNorm recalibration (batches of inputs, no labels, no gradients)
//   const report = await recalibrateBatchNorm(model, [xs1, xs2, ...], control?);
//   // every BatchNormalization layer (nested models too), in model order, gets the exact mean and
//   // population variance of its input over all the batches; report.layers: { path, count, mean, variance }[]
//
// ## Sparsity penalties (regularizers.ts), each (model) => tf.Scalar for trainSteps' regularizer
//   l1Kernels(strength, { layers? }), groupLasso(strength, { layers? }), bnGammaL1(strength, { layers? }),
//   combineRegularizers(...regularizers)
//
// ## Kernels
//   registerCpuConv2DBackpropFilter(): the fast filter gradient conv nets need to train on the cpu
//   backend (conv2DBackpropFilter.ts); the wasm one comes with core/backend's registerMissingKernels().
export { categoricalCrossentropy, crossEntropyLoss, createOptimizer, endsInSoftmax, runModel, trainSteps } from './maskedTrainer';
export type { BatchSource, GradientTransform, GradientTransformRun, LayerZeros, LossFn, OptimizerSpec, Regularizer, StepInfo, TrainBatch, TrainOptions, TrainResult } from './maskedTrainer';
export { agpSparsity, pruneSchedule } from './schedules';
export type { AgpOptions, PruneEvent, ScheduleKind, ScheduleOptions } from './schedules';
export { maskOptimizerSlots, runPruningSchedule } from './scheduledPruning';
export type { PruneCallbackInfo, PruneStepInfo, ScheduledPruningOptions, ScheduledPruningResult } from './scheduledPruning';
export { distillationLoss } from './distillation';
export type { DistillationOptions } from './distillation';
export { recalibrateBatchNorm } from './bnRecalibration';
export type { BnLayerStats, BnRecalibrationReport } from './bnRecalibration';
export { bnGammaL1, combineRegularizers, groupLasso, l1Kernels } from './regularizers';
export type { RegularizerOptions } from './regularizers';
export { registerCpuConv2DBackpropFilter } from './conv2DBackpropFilter';
