// What the data fixture scripts (build-data-fixtures.ts, build-bad-data-fixtures.ts) and their
// tests share: deterministic zips, writing a generated tree, reading files the way a browser drop
// gives them, and loading a model from its files in Node.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { zipSync } from 'fflate';
import { ImportError, loadImportedModel, readModelFiles, type InputFile } from '../src/core/model/importFiles';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DATA_FIXTURES = join(REPO, 'e2e/fixtures/data');
export const BAD_DATA_FIXTURES = join(REPO, 'e2e/fixtures/bad-data');

export const text = (s: string) => new TextEncoder().encode(s);
export const json = (v: unknown) => text(`${JSON.stringify(v, null, 2)}\n`);

/** A zip with a fixed date (fflate writes local DOS time, so the date is built from local parts). */
export function fixedZip(files: Record<string, Uint8Array>): Uint8Array {
  return zipSync(files, { mtime: new Date(2024, 0, 1, 12, 0, 0) });
}

export function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? filesUnder(p) : [p];
    });
}

/** Replaces `dir` with `files` (paths relative to it); returns the bytes written. */
export function writeTree(dir: string, files: Map<string, Uint8Array>, keep: string[] = []): number {
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    if (!keep.includes(name.name)) rmSync(join(dir, name.name), { recursive: true, force: true });
  }
  let total = 0;
  for (const [path, bytes] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), bytes);
    total += bytes.length;
  }
  return total;
}

/**
 * `item` under `dir` as a browser hands it over: a folder's files with paths that start with the
 * folder's name (as a folder drop or picker gives them), or a single file by its name.
 */
export function dropped(dir: string, item: string): InputFile[] {
  const root = join(dir, item);
  if (!statSync(root).isDirectory()) return [{ path: basename(root), bytes: new Uint8Array(readFileSync(root)) }];
  return filesUnder(root).map((p) => ({ path: relative(dir, p).split('\\').join('/'), bytes: new Uint8Array(readFileSync(p)) }));
}

/** A model from its files (model JSON, weights, metadata.json), through the studio's own import. */
export async function loadModelFromFiles(paths: string[]): Promise<{ model: tf.LayersModel; labels: string[] | null }> {
  const files = paths.map((p) => ({ path: basename(p), bytes: new Uint8Array(readFileSync(resolve(REPO, p))) }));
  try {
    const imported = readModelFiles(files);
    return { model: await loadImportedModel(imported), labels: imported.labels };
  } catch (e) {
    if (e instanceof ImportError) throw new Error(`${paths.join(', ')}: ${e.message}`);
    throw e;
  }
}
