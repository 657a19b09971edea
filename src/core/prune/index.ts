// Secateur pruning core: the public API the engine calls. Pure TypeScript on @tensorflow/tfjs: no DOM,
// no worker code. Everything a snapshot needs (masks, channel plans, scores, counts) is plain data:
// typed arrays, numbers and strings, safe for structuredClone / postMessage / IndexedDB.
//
// ## Names
// - A layer is named by its *path*: nested model names joined with '/' ("conv1", "features/conv_1"
//   in a Teachable Machine export). A weight is named by its *key*: layer path + '/' + weight suffix
//   ("conv1/kernel", "bilstm/forward_lstm/recurrent_kernel").
// - Prunable tensors (listPrunableTensors): kernels of Dense, Conv1D/2D/3D, Conv2DTranspose,
//   DepthwiseConv2D, SeparableConv2D (depthwise and pointwise), Embedding, LSTM / GRU / SimpleRNN
//   (kernel and recurrent kernel, also inside Bidirectional and TimeDistributed). Biases and
//   BatchNorm stay dense. Sparsity = pruned weights / prunable weights of the selection.
//
// ## Unstructured, N:M (masks over prunable tensors)
//   const tensors = listPrunableTensors(model);   // graph/prunable.ts: rows of the layer table
//   const scores  = await importanceScores(model, tensors, { criterion: 'magnitude' | 'random' | 'taylor',
//                                                            seed, taylor: { batches: [{ xs, ys }], loss } });
//   const masks   = unstructuredMasks(tensors, scores, { kind: 'global', sparsity: 0.7 });
//              // or { kind: 'perLayer', sparsity: { conv1: 0.5, fc1: 0.9 } }: exactly round(s * n) per layer
//   const nm      = nmMasks(tensors, scores, { n: 2, m: 4 });          // { masks, skipped: [{ key, reason }] }
//   checkNM(masks[key].keep, 2, 4, shape, nmAxis(tensor).axis) === 0    // proves the pattern
//   restoreWeights(model, original); applyMasks(model, masks);         // exact +0 where keep = 0
// Keep a WeightSnapshot of the weights the masks were computed from (captureWeights) and restore it
// before applying a new mask set: lowering a target then brings weights back.
//
// ## Channels (structured: the model really shrinks)
//   const dep   = buildDependencyGraph(model);   // dep.groups: { id, channels, producers, members, locked }
//                                                 // dep.locked: [{ path, reason }] for the UI
//   const score = await channelImportance(model, dep, { criterion: 'l1' | 'l2' | 'magnitude' | 'random' | 'taylor' });
//   const plan  = selectChannels(dep, score, { kind: 'perGroup', ratio: { conv1: 0.5 } } | { kind: 'global', ratio: 0.3 });
//   applyMasks(model, channelMasks(model, dep, plan));   // preview: the masked model
//   const { model: smaller, report } = await removeChannels(model, dep, plan);   // a new LayersModel
//   // report: { removed, folded, approximate, varyingChannels, paramsBefore, paramsAfter }
// The masked model and the smaller one give the same outputs (tested to 1e-5). A ChannelPlan is
// plain data (group id -> Uint8Array keep mask); group ids are producer layer paths, so a plan stays
// valid for the same model after a reload. `smaller` keeps every layer name; it is not compiled.
// Dispose replaced models with disposeModel (tfjs leaks nested models' weights otherwise).
//
// ## One call for the studio's controls
//   const r = await computePruning(model, { granularity: 'unstructured' | '2:4' | '4:8' | 'channels',
//                                           criterion: 'magnitude' | 'random' | 'taylor',
//                                           target: { kind: 'global', sparsity } | { kind: 'perLayer', sparsity: { [layerPath]: s } },
//                                           layers?, seed?, taylor?, channelNorm? });
//   // r.masks, r.stats, r.skipped, and for 'channels' r.channelPlan + r.dependencies for removeChannels.
//   // criterion 'merge' (channels only): similar units merged (unitMerging.ts); r.merges goes to
//   // applyUnitMerges(model, dep, r.merges) before removeChannels.
//
// ## Counts
//   const counts = await countModel(model);   // per layer and totals: params, nonzero, prunableParams,
//                                              // prunableNonzero, macs, nonzeroMacs (null/unknownMacs when
//                                              // the input size is dynamic). See graph/macs.ts for the rules.
//
// ## Long jobs
// Taylor importance takes `control` (core/job.ts JobControl) and checkpoints between batches. Every
// other call is synchronous or reads weights once; on a 25M-weight model the global threshold takes
// about two plain passes over the weights (bench/globalThreshold.ts).
//
// ## Errors
// Functions throw Error with a message naming the weight, group or layer at fault (a mask that does
// not fit the model, a plan for a locked group, Taylor without data). Nothing throws for a layer
// type it does not know: the dependency graph locks it, with the reason.
export { applyMasks, combineMasks, findVariable, fullMask, fullMasks, maskStats, masksFromZeros, zerosInMask } from './masks';
export type { MaskSet, MaskStats, WeightMask } from './masks';
export { captureWeights, restoreWeights } from './weightSnapshot';
export type { WeightSnapshot, WeightValues } from './weightSnapshot';
export { gradientSums, importanceScores, magnitudeScores, randomScores, readWeights, taylorScores } from './importance';
export type { CalibrationBatch, Criterion, ImportanceOptions, LossName, Scores, TaylorOptions, WeightRef } from './importance';
export { selectSmallest, selectionMasks } from './globalThreshold';
export type { Selection, SelectionOptions } from './globalThreshold';
export { expectedPruned, unstructuredMasks } from './unstructured';
export type { SparsityTarget } from './unstructured';
export { checkNM, nmAxis, nmMask, nmMasks, nmSkipReason } from './nm';
export type { NMPattern, NMResult } from './nm';
export { channelImportance } from './channelImportance';
export type { ChannelCriterion, ChannelImportanceOptions, ChannelScores } from './channelImportance';
export { planCounts, selectChannels } from './channelSelection';
export type { ChannelTarget } from './channelSelection';
export { channelMasks } from './channelMasks';
export type { ChannelMaskOptions } from './channelMasks';
export { applyUnitMerges, mergeLock, planUnitMerges } from './unitMerging';
export type { MergePlan, UnitMerge, UnitMergeResult } from './unitMerging';
export { computePruning } from './pruneRequest';
export type { Granularity, PruneRequest, PruneResult } from './pruneRequest';

