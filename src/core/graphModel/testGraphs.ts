// Test helpers: the graph fixtures of e2e/fixtures/graph (scripts/build-graph-fixtures.ts) and the
// wild graph models of ../shared/wild-graph-models, read as a user drops them.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { GRAPH_FIXTURES_DIR } from '../../../scripts/build-graph-fixtures';
import { isGraphImport, readAnyModelFiles, type ImportedGraphModel, type InputFile } from '../model/importFiles';
import { graphModelData, type GraphModelData } from './graphModelData';
import { groupLayers, type GraphAnalysis } from './layerGrouping';

export const WILD_GRAPH_DIR = resolve(GRAPH_FIXTURES_DIR, '../../../../shared/wild-graph-models');

/** The files of a folder as loose files (base names), in name order. */
export function folderFiles(dir: string): InputFile[] {
  return readdirSync(dir)
    .sort()
    .map((name) => ({ path: name, bytes: new Uint8Array(readFileSync(join(dir, name))) }));
}

export function fixtureFiles(name: string): InputFile[] {
  return folderFiles(join(GRAPH_FIXTURES_DIR, name));
}

export interface LoadedGraph {
  imported: ImportedGraphModel;
  data: GraphModelData;
  analysis: GraphAnalysis;
}

export function readGraph(files: InputFile[]): LoadedGraph {
  const imported = readAnyModelFiles(files);
  if (!isGraphImport(imported)) throw new Error(`${imported.jsonPath} is not a graph model`);
  const data = graphModelData(imported);
  return { imported, data, analysis: groupLayers(data.topology, data.weights, data.info.outputs) };
}

export const fixture = (name: string) => readGraph(fixtureFiles(name));

/** The wild graph models present (folder names), or [] when the folder is absent. */
export function wildGraphModels(): string[] {
  if (!existsSync(WILD_GRAPH_DIR)) return [];
  return readdirSync(WILD_GRAPH_DIR).filter((d) => !d.includes('.')).sort();
}

/** Seeded uniform [0, 1) inputs for every model input, open dimensions set to `open`. */
export function randomInputs(model: tf.GraphModel, seed = 7, open = 2): tf.Tensor[] {
  return model.inputs.map((input, k) => tf.randomUniform((input.shape ?? []).map((d) => (d > 0 ? d : open)), 0, 1, 'float32', seed + k));
}

/** Largest absolute difference between two lists of tensors (which must have the same shapes). */
export function maxDiff(a: tf.Tensor[], b: tf.Tensor[]): number {
  if (a.length !== b.length) throw new Error(`${a.length} outputs against ${b.length}`);
  return Math.max(0, ...a.map((t, k) => {
    if (t.shape.join() !== b[k].shape.join()) throw new Error(`output ${k}: shape [${t.shape}] against [${b[k].shape}]`);
    return tf.tidy(() => tf.max(tf.abs(tf.sub(t, b[k]))).dataSync()[0]);
  }));
}

/** Zeros in every float weight of a loaded graph model (what tfjs itself holds after loading). */
export function loadedZeros(model: tf.GraphModel): number {
  let zeros = 0;
  for (const tensors of Object.values(model.weights)) {
    for (const t of tensors) {
      if (t.dtype !== 'float32') continue;
      const v = t.dataSync();
      for (let i = 0; i < v.length; i++) if (v[i] === 0) zeros++;
    }
  }
  return zeros;
}
