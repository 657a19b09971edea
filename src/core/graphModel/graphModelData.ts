// A graph model as the studio keeps it: the graph (JSON, as imported) and its weights as plain arrays
// (graphWeights.ts). Pruning makes a new GraphModelData with some weights replaced; channel removal
// one with some weights and Const shapes replaced. A tf.GraphModel is built from it whenever the
// model must run (measuring, exporting checks): tf.loadGraphModel(tf.io.fromMemory(...)), exactly as
// a user loads the exported files.
//
//   const data = graphModelData(imported);            // from readAnyModelFiles (a graph import)
//   const model = await loadGraphModelData(data);     // a tf.GraphModel; the caller disposes it
//   const ys = await runGraph(model, data.info, [x]); // execute, or executeAsync for control flow
import * as tf from '@tensorflow/tfjs';
import { ImportError, type ImportedGraphModel } from '../model/importFiles';
import { firstLine } from '../model/topologyCheck';
import type { GraphModelInfo } from './graphCheck';
import type { GraphDef } from './graphDef';
import { decodeGraphWeights, weightArtifacts, type GraphWeight } from './graphWeights';

export interface GraphModelData {
  /** The GraphDef (modelTopology of the model JSON). Never mutated: a change makes a new object. */
  topology: GraphDef;
  /** Weights in manifest order. */
  weights: GraphWeight[];
  info: GraphModelInfo;
  /** From the model JSON, kept for the export. */
  signature?: object;
  userDefinedMetadata?: Record<string, unknown>;
  /** The graph that initialises hash tables, and its signature, when the model has them. */
  modelInitializer?: object;
  initializerSignature?: object;
  generatedBy?: string;
  convertedBy?: string;
}

/** The studio's form of an imported graph model (weights decoded once). */
export function graphModelData(imported: ImportedGraphModel): GraphModelData {
  const a = imported.artifacts;
  const data = a.weightData instanceof ArrayBuffer ? a.weightData : tf.io.concatenateArrayBuffers(a.weightData ?? []);
  return {
    topology: a.modelTopology as unknown as GraphDef,
    weights: decodeGraphWeights(a.weightSpecs ?? [], data),
    info: imported.graph,
    ...(a.signature ? { signature: a.signature } : {}),
    ...(a.userDefinedMetadata ? { userDefinedMetadata: a.userDefinedMetadata as Record<string, unknown> } : {}),
    ...(a.modelInitializer ? { modelInitializer: a.modelInitializer } : {}),
    ...(a.initializerSignature ? { initializerSignature: a.initializerSignature } : {}),
    ...(a.generatedBy ? { generatedBy: a.generatedBy } : {}),
    ...(a.convertedBy ? { convertedBy: a.convertedBy } : {}),
  };
}

/** The in-memory artifacts tf.loadGraphModel reads: the graph and float32 / int32 / bool weights. */
export function graphArtifacts(data: GraphModelData): tf.io.ModelArtifacts {
  return {
    format: 'graph-model',
    modelTopology: data.topology as unknown as object,
    ...weightArtifacts(data.weights),
    ...(data.signature ? { signature: data.signature } : {}),
    ...(data.userDefinedMetadata ? { userDefinedMetadata: data.userDefinedMetadata as Record<string, object> } : {}),
    ...(data.modelInitializer ? { modelInitializer: data.modelInitializer } : {}),
    ...(data.initializerSignature ? { initializerSignature: data.initializerSignature } : {}),
  };
}

/** A tf.GraphModel of the data's current weights; the caller disposes it. */
export async function loadGraphModelData(data: GraphModelData): Promise<tf.GraphModel> {
  return tf.loadGraphModel(tf.io.fromMemory(graphArtifacts(data)));
}

/**
 * Loads an imported graph model with tf.loadGraphModel(tf.io.fromMemory(artifacts)). Anything TF.js
 * still rejects is reported as an ImportError naming the model JSON.
 */
export async function loadImportedGraphModel(imported: ImportedGraphModel): Promise<tf.GraphModel> {
  try {
    return await tf.loadGraphModel(tf.io.fromMemory(imported.artifacts));
  } catch (e) {
    throw new ImportError(`${imported.jsonPath}: TF.js could not load the graph model: ${firstLine(e)}. Export the model again.`);
  }
}

/**
 * Runs the model on `inputs` (in the order of model.inputs): GraphModel.execute, or executeAsync when
 * the graph has control flow or dynamic shapes (`info.async`). Returns the outputs in the order of
 * `outputs` (default: model.outputs); the caller owns them.
 */
export async function runGraph(model: tf.GraphModel, info: Pick<GraphModelInfo, 'async'>, inputs: tf.Tensor[], outputs?: string[]): Promise<tf.Tensor[]> {
  const feed: tf.NamedTensorMap = {};
  model.inputs.forEach((input, i) => {
    feed[input.name] = inputs[i];
  });
  const names = outputs ?? model.outputs.map((o) => o.name);
  const result = info.async ? await model.executeAsync(feed, names) : model.execute(feed, names);
  return Array.isArray(result) ? result : [result];
}
