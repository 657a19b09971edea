// What a model costs to download, measured on the real bytes: the weight files at each precision,
// raw and gzipped. gzip level 6 is zlib's default and what web servers commonly use on the fly; a
// pruned float32 file shrinks only here (its raw size does not change), which is why the studio
// always says which size a number is.
import type * as tf from '@tensorflow/tfjs';
import { gzipSync } from 'fflate';
import { exportModelFiles, weightFiles, type Precision } from '../model/exportModel';

export const GZIP_LEVEL = 6;

export function gzipBytes(data: Uint8Array): number {
  return gzipSync(data, { level: GZIP_LEVEL }).length;
}

export interface ModelSizes {
  raw: number;
  gzip: number;
  float16: number;
  float16Gzip: number;
  uint8: number;
  uint8Gzip: number;
}

/** Bytes of the weight shards at `precision`, raw and gzipped (each shard compressed on its own, as served). */
export async function exportedWeightBytes(model: tf.LayersModel, precision: Precision): Promise<{ raw: number; gzip: number }> {
  const shards = weightFiles(await exportModelFiles(model, { precision }));
  return { raw: shards.reduce((n, f) => n + f.bytes.length, 0), gzip: shards.reduce((n, f) => n + gzipBytes(f.bytes), 0) };
}

export async function modelSizes(model: tf.LayersModel): Promise<ModelSizes> {
  const [f32, f16, u8] = [await exportedWeightBytes(model, 'float32'), await exportedWeightBytes(model, 'float16'), await exportedWeightBytes(model, 'uint8')];
  return { raw: f32.raw, gzip: f32.gzip, float16: f16.raw, float16Gzip: f16.gzip, uint8: u8.raw, uint8Gzip: u8.gzip };
}

/** gzip bytes of the float32 weights: the size axis of the history chart and the plan's byte target. */
export async function float32GzipBytes(model: tf.LayersModel): Promise<number> {
  return (await exportedWeightBytes(model, 'float32')).gzip;
}
