// Graph models (TF.js models converted from TensorFlow SavedModels: a GraphDef of ops and constants,
// no layers, no training): the public API the engine calls. Pure TypeScript on @tensorflow/tfjs, no
// DOM. Everything kept between calls (GraphModelData, masks, channel plans, stats) is plain data.
//
// ## Import (model/importFiles.ts routes a graph model here instead of refusing it)
//   const imported = readAnyModelFiles(files, { maxParams });     // same doors and checks as Layers
//   if (isGraphImport(imported)) {
//     const data = graphModelData(imported);                       // weights decoded (uint8/uint16/float16 too)
//     const model = await loadGraphModelData(data);                // tf.GraphModel; caller disposes
//     const ys = await runGraph(model, data.info, inputs);         // execute, or executeAsync (control flow)
//   }
//
// ## Analysis
//   const analysis = groupLayers(data.topology, data.weights, data.info.outputs);   // layers + other constants
//   const shapes = await inferShapes(model, data.info, shapeNodes(analysis));       // one run on zeros
//   const stats = graphModelStats(analysis, data.weights, shapes, { input, output }); // layer table rows, totals, MACs
//
// ## Pruning (no training): masks, applied as exact zeros
//   const r = computeGraphPruning(data, analysis, { granularity: 'unstructured' | '2:4' | '4:8',
//               criterion: 'magnitude' | 'random' ('taylor' throws TAYLOR_NEEDS_GRADIENTS),
//               target: { kind: 'global', sparsity } | { kind: 'perLayer', sparsity: { [layer]: s } } });
//   const pruned = applyGraphMasks(data, r.masks);
//
// ## Channels (the model really shrinks)
//   const groups = graphChannelGroups(analysis, data.weights, data.info.outputs);   // residual sums couple layers; locked ones say why
//   const plan = selectGraphChannels(groups, graphChannelScores(data, groups, 'magnitude'), { kind: 'global', ratio });
//   const masked = maskGraphChannels(data, groups, plan);             // preview, same shapes
//   const { data: smaller, report } = removeGraphChannels(data, groups, plan);
//
// ## Export (plain tf.loadGraphModel reads it) and measurement
//   const out = exportGraphModel(pruned, { precision: 'float32' | 'float16' | 'uint8', steps });
//   exportZip(out, { readme: graphExportReadme(info), report: out.report });       // model/exportModel.ts
//   await graphFidelity(data, pruned, count, seed);                                // { kind, value, count }
//   if (await graphFitsDemoData(model, data.info)) await evaluateGraphAccuracy(model, data.info, testSet);
//
// ## Sensitivity scan and plan (plan/'s runScan and planAllocation; evaluate takes a GraphModelData)
//   const scan = await scanGraphSensitivity(data, analysis, stats, { criterion, evaluate, ladder });
//   const plan = await measureGraphPlan(data, analysis, scan, { kind: 'sparsity', value: 0.7 }, { evaluate });
export { GraphModelProblem, checkGraphTopology, isControlFlowOp, opCategory } from './graphCheck';
export type { GraphModelInfo, GraphTensorInfo } from './graphCheck';
export { graphArtifacts, graphModelData, loadGraphModelData, loadImportedGraphModel, runGraph } from './graphModelData';
export type { GraphModelData } from './graphModelData';
export { decodeGraphWeights, float32Weights, nonzerosOf, weightArtifacts } from './graphWeights';
export type { GraphWeight } from './graphWeights';
export { ACTIVATION_OPS, BATCH_NORM_OPS, BIAS_OPS, FUSED_ACTIVATIONS, FUSED_ARGS, LAYER_OPS, SCALE_OPS, groupLayers } from './layerGrouping';
export type { ConstantRole, GraphAnalysis, GraphConstant, GraphLayer, LayerKind, LayerWeight, WeightRole } from './layerGrouping';
export { inferShapes, zeroInputs } from './graphShapes';
export type { InferredShapes } from './graphShapes';
export { graphModelStats, kernelUses, shapeNodes } from './graphSummary';
export type { GraphLayerStats, GraphModelStats } from './graphSummary';
export { TAYLOR_NEEDS_GRADIENTS, applyGraphMasks, computeGraphPruning, graphNMMasks, graphNMSkipReason, graphPrunableTensors, graphScores } from './graphPruning';
export type { GraphGranularity, GraphPruneRequest, GraphPruneResult } from './graphPruning';
export { graphChannelGroups } from './channelGroups';
export type { ChannelMember, GraphChannelGroup } from './channelGroups';
export { graphChannelScores, maskGraphChannels, removeGraphChannels, selectGraphChannels } from './channelRemoval';
export type { ChannelPlan, ChannelRemovalReport, ChannelTarget, GraphChannelScores } from './channelRemoval';
export { exportGraphModel, graphExportReadme, graphWeightBytes, loadExportedGraphFiles } from './graphExport';
export type { GraphExport, GraphExportOptions, GraphExportReport, GraphReadmeInfo } from './graphExport';
export { describeFidelity, fidelityOf, graphFidelity, graphFidelityKind, graphProbeInputs, graphProbeSpec, graphReferenceOutputs } from './graphFidelity';
export type { GraphFidelityResult, GraphProbeSpec } from './graphFidelity';
export { evaluateGraphAccuracy, graphFitsDemoData, graphFitsImages } from './graphAccuracy';
export { GRAPH_CHANNEL_SCAN, measureGraphPlan, scanGraphSensitivity } from './graphSensitivity';
export type { GraphEvaluate, GraphScanOptions } from './graphSensitivity';
