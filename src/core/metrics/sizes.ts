// What a model costs to download, measured on the real bytes: the weight shards exactly as
// exportModelFiles writes them, at each precision, raw and gzipped.
//
//   gzipBytes(bytes)              the gzip size of a buffer, fflate gzipSync at level 6
//   modelSizes(model)             { raw, gzip, float16, float16Gzip, uint8, uint8Gzip }, all in bytes of
//                                 the weight shards (model.json, a few KB of text, is not counted);
//                                 uint8 ones null when a weight holds NaN or ±Infinity (no uint8 file)
//   exportedWeightBytes(model, p) { raw, gzip } at one precision
//   float32GzipBytes(model)       the size axis of the history chart and the plan's byte target
//
// gzip level 6 is zlib's default and what web servers commonly apply on the fly (nginx, Express's
// compression); level 9 measured the same to 0.01% on weight files (a 90%-zero 1 MB float32 file:
// 137,115 vs 137,124 bytes), so the choice does not move the numbers. Each shard is compressed on
// its own, as a server sends them. A pruned float32 file shrinks only here (its raw size does not
// change), which is why the studio always says which size a number is.
import type * as tf from '@tensorflow/tfjs';
import { gzipSync } from 'fflate';
import { encodeExport, savedModel, weightFiles, type SavedModel } from '../model/exportModel';
import type { Precision } from '../model/quantize';

export const GZIP_LEVEL = 6;

export function gzipBytes(data: Uint8Array): number {
  return gzipSync(data, { level: GZIP_LEVEL }).length;
}

export interface ModelSizes {
  /** float32 weight shards. */
  raw: number;
  gzip: number;
  float16: number;
  float16Gzip: number;
  /** null when a weight holds NaN or ±Infinity, which uint8 cannot encode (the export says so). */
  uint8: number | null;
  uint8Gzip: number | null;
}

function shardBytes(saved: SavedModel, precision: Precision): { raw: number; gzip: number } {
  const shards = weightFiles(encodeExport(saved, { precision }));
  return { raw: shards.reduce((n, f) => n + f.bytes.length, 0), gzip: shards.reduce((n, f) => n + gzipBytes(f.bytes), 0) };
}

/** Bytes of the weight shards at `precision`, raw and gzipped (each shard on its own, as served). */
export async function exportedWeightBytes(model: tf.LayersModel, precision: Precision): Promise<{ raw: number; gzip: number }> {
  return shardBytes(await savedModel(model), precision);
}

/** Whether a float32 weight holds NaN or ±Infinity. */
function hasNonFinite({ weightSpecs, weightData }: SavedModel): boolean {
  let offset = 0;
  for (const spec of weightSpecs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.dtype === 'float32') {
      // A copy: a Float32Array view needs 4-byte alignment, which the offset need not have.
      const values = new Float32Array(weightData.slice(offset, offset + count * 4).buffer);
      for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return true;
    }
    offset += count * 4;
  }
  return false;
}

/** All three precisions from one read of the weights. */
export async function modelSizes(model: tf.LayersModel): Promise<ModelSizes> {
  const saved = await savedModel(model);
  const f32 = shardBytes(saved, 'float32');
  const f16 = shardBytes(saved, 'float16');
  const u8 = hasNonFinite(saved) ? { raw: null, gzip: null } : shardBytes(saved, 'uint8');
  return { raw: f32.raw, gzip: f32.gzip, float16: f16.raw, float16Gzip: f16.gzip, uint8: u8.raw, uint8Gzip: u8.gzip };
}

/** gzip bytes of the float32 weights: the size axis of the history chart and the plan's byte target. */
export async function float32GzipBytes(model: tf.LayersModel): Promise<number> {
  return (await exportedWeightBytes(model, 'float32')).gzip;
}
