// The studio's static files (the embedded demo: demo.json, its models, the Fashion-MNIST subset) read
// from the checkout's public/ folder instead of fetched, so the engine measures and fine-tunes a model
// in Node exactly as it does in the tab.
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { AssetReader } from '../engine/demoAssets';

/** file: URL of the checkout's public/ folder (the engine's base URL in Node). */
export const PUBLIC_URL = pathToFileURL(fileURLToPath(new URL('../../public/', import.meta.url))).href;

async function bytesAt(url: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(fileURLToPath(url)));
  } catch (e) {
    throw new Error(`Could not read ${fileURLToPath(url)}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export const DISK_ASSETS: AssetReader = {
  bytes: async (url) => {
    const b = await bytesAt(url);
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  },
  json: async (url) => {
    const b = await bytesAt(url);
    try {
      return JSON.parse(new TextDecoder().decode(b));
    } catch (e) {
      throw new Error(`${fileURLToPath(url)} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
  },
  gunzipped: async (url) => {
    const b = await bytesAt(url);
    return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b ? new Uint8Array(gunzipSync(b)) : b;
  },
};

/** The packed export's decoder.mjs as text, read from the checkout (the studio gets it from Vite's bundle). */
export async function packedDecoderSource(): Promise<string> {
  return new TextDecoder().decode(await bytesAt(new URL('../core/compress/decoder.mjs', import.meta.url).href));
}
