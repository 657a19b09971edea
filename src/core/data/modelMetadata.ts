// What a model's side files say about its data: Teachable Machine's metadata.json (labels,
// imageSize, packageName "@teachablemachine/image", sometimes grayscale) and ml5's manifest.json
// (labels). Read from the same drop as the data, or from the model's own drop.
import { baseName } from '../model/fileKinds';

export interface ModelMetadata {
  /** The file it came from. */
  path: string;
  labels: string[] | null;
  /** Teachable Machine's square input side. */
  imageSize: number | null;
  /** Made by Teachable Machine's image library (centre crop, pixels scaled to [-1, 1]). */
  teachableImage: boolean;
  grayscale: boolean | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The metadata in a JSON file's bytes, or null when it holds none (or is not JSON). */
export function parseModelMetadata(path: string, bytes: Uint8Array): ModelMetadata | null {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder('utf-8').decode(bytes));
  } catch {
    return null;
  }
  if (!isObject(v) || 'modelTopology' in v) return null;
  const labels = Array.isArray(v.labels) && v.labels.length > 0 && v.labels.every((l) => typeof l === 'string') ? (v.labels as string[]) : null;
  const imageSize = typeof v.imageSize === 'number' && Number.isInteger(v.imageSize) && v.imageSize > 0 ? v.imageSize : null;
  const teachableImage = typeof v.packageName === 'string' && v.packageName.startsWith('@teachablemachine/image');
  const grayscale = typeof v.grayscale === 'boolean' ? v.grayscale : null;
  if (!labels && imageSize === null && !teachableImage) return null;
  return { path, labels, imageSize, teachableImage, grayscale };
}

/** The first metadata.json, then manifest.json, among `files` that holds any. */
export function findModelMetadata(files: readonly { path: string; bytes: Uint8Array }[]): ModelMetadata | null {
  for (const name of ['metadata.json', 'manifest.json']) {
    for (const f of files) {
      if (baseName(f.path).toLowerCase() !== name) continue;
      const m = parseModelMetadata(f.path, f.bytes);
      if (m) return m;
    }
  }
  return null;
}
