// Turns a parsed model.json plus its weight shards into a LayersModel without tf.io.browserFiles
// (which hangs on malformed JSON). Full validation of user files comes with the import work; this
// checks what loading needs and names the file at fault.
import * as tf from '@tensorflow/tfjs';
import { checkManifestPath } from './importGuards';

export interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  format?: string;
}

export function asLayersModelJson(json: unknown, fileName: string): ModelJson {
  const j = json as Partial<ModelJson> | null;
  if (!j || typeof j !== 'object' || !j.modelTopology || !Array.isArray(j.weightsManifest)) {
    throw new Error(`${fileName}: not a TensorFlow.js model (no modelTopology and weightsManifest)`);
  }
  if (j.format === 'graph-model') {
    throw new Error(`${fileName}: a graph model; the studio prunes Layers models only`);
  }
  return j as ModelJson;
}

/**
 * Shard paths in manifest order, to fetch relative to the model JSON. Throws on a path that would
 * fetch from anywhere else (an absolute or data: URL, a ".." climb): nothing is fetched for it.
 */
export function shardPaths(json: ModelJson, fileName = 'model.json'): string[] {
  const paths = json.weightsManifest.flatMap((g) => g.paths);
  for (const p of paths) {
    const unsafe = typeof p === 'string' ? checkManifestPath(fileName, p) : null;
    if (unsafe) throw new Error(unsafe);
  }
  return paths;
}

/** `shards` maps each manifest path to its bytes. */
export async function loadLayersModelFromArtifacts(
  json: ModelJson,
  shards: ReadonlyMap<string, ArrayBuffer>,
): Promise<tf.LayersModel> {
  const buffers = shardPaths(json).map((p) => {
    const b = shards.get(p);
    if (!b) throw new Error(`missing weight file ${p}`);
    return b;
  });
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  const weightData = tf.io.concatenateArrayBuffers(buffers);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData }));
}
