// Secateur compression core: weight sharing (sparsity-preserving 1-D k-means), fine-tuning that keeps
// the sharing, and the packed model format. Pure TypeScript on @tensorflow/tfjs (the decoder on nothing).
//
// ## Clustering (kmeans1d.ts on arrays, clusterModel.ts on a model)
//   clusterValues(values: Float32Array, { k, init?: 'linear' | 'kmeans++' | 'density', seed?,
//                 zeros?: 'fixed' | 'attract' | 'free', codebook?: 'float32' | 'float16', maxIterations? })
//     -> { codebook: Float32Array (ascending), indices: Uint8Array, zeroIndex, iterations, exact }
//   clusterJointly([a, b, ...], options) -> one codebook, indices per array
//   clusteredValues(codebook, indices), distinctValues(values)
//   const clusters = await clusterModel(model, { k: 16, init: 'kmeans++', scope?: 'perLayer' | 'global',
//                                               keys?: ['fc1/kernel'], perKey?: { 'fc1/kernel': { k: 8 } } })
//     // -> ClusterSet { [key]: { key, layerPath, weight, shape, codebook, indices, zeroIndex } }, plain data;
//     //    the shared values are written into the model; biases and BatchNorm stay as they are
//   applyClusters(model, clusters); distinctCounts(model, keys?) -> { [key]: n }; clusterIndexBits(c)
//
// ## Fine-tuning that keeps the sharing (clusterTraining.ts)
//   await trainSteps(model, { ..., masks, gradientTransform: clusterGradients(clusters) });
//   // also runPruningSchedule(model, { ..., gradientTransform }); any optimizer, any loss (distillation too)
//   on tfjs-backend-wasm, core/backend's registerMissingKernels() first (UnsortedSegmentSum)
//
// ## Packed format (docs/packed-format.md)
//   encodePacked({ modelTopology, weightSpecs, weightData }, { clusters?, coding? }) -> { bytes, report }
//   decode(bytes) (decoder.mjs, dependency-free) -> { modelTopology, weightSpecs, weightData }
//   Export and re-open of a model: core/model/packedExport.ts (exportPacked, packedZip, loadPackedModel).
export { clusteredValues, clusterJointly, clusterValues, CLUSTER_INITS, distinctValues, MAX_CLUSTERS, MIN_CLUSTERS } from './kmeans1d';
export type { ClusterInit, Clustering, JointClustering, KMeansOptions, ZeroHandling } from './kmeans1d';
export { applyClusters, clusterIndexBits, clusterModel, clusterTargets, distinctCounts, distinctUpTo } from './clusterModel';
export type { ClusterModelOptions, ClusterScope, ClusterSet, TensorClusters } from './clusterModel';
export { clusterGradients } from './clusterTraining';
export { encodePacked } from './packedEncoder';
export type { PackedReport, PackedTensorReport, PackInput, PackOptions } from './packedEncoder';
export { decode } from './decoder.mjs';
export type { DecodedModel } from './decoder.mjs';
