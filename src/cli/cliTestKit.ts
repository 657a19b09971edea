// For the command line's tests: run `secateur` as a child process (bin/secateur.mjs, as `npx
// secateur` does), write a model's files to a folder, and read an export's float32 weights back.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tf from '@tensorflow/tfjs';
import { exportModelFiles } from '../core/model/exportModel';

const BIN = fileURLToPath(new URL('../../bin/secateur.mjs', import.meta.url));
export const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the command line with `args` in the repository root; never rejects. */
export function runCli(args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: REPO, maxBuffer: 64 << 20, env: { ...process.env, FORCE_COLOR: '0' } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export const tempDir = (prefix: string) => mkdtemp(join(tmpdir(), `secateur-${prefix}-`));

/** `model` as model.json + one shard in a new folder named `name`; returns the folder. */
export async function writeModelFolder(model: tf.LayersModel, name: string): Promise<string> {
  const dir = join(await tempDir('model'), name);
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dir);
  for (const f of (await exportModelFiles(model, { precision: 'float32' })).files) await writeFile(join(dir, f.name), f.bytes);
  return dir;
}

interface Manifest {
  modelTopology: unknown;
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string; quantization?: unknown }[] }[];
}

/** The float32 weights of the export in `dir` (model.json and its shards) by name, with their shapes. */
export async function readExportWeights(dir: string): Promise<Map<string, { shape: number[]; values: Float32Array }>> {
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as Manifest;
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const group of json.weightsManifest) {
    const parts = await Promise.all(group.paths.map((p) => readFile(join(dir, p))));
    const bytes = Buffer.concat(parts);
    let offset = 0;
    for (const w of group.weights) {
      if (w.dtype !== 'float32' || w.quantization) throw new Error(`${w.name}: only unquantized float32 weights are read here`);
      const n = w.shape.reduce((a, b) => a * b, 1);
      out.set(w.name, { shape: w.shape, values: new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + n * 4)) });
      offset += n * 4;
    }
  }
  return out;
}

export const zerosIn = (values: Float32Array) => values.reduce((n, v) => n + (v === 0 ? 1 : 0), 0);
