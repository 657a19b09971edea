// A model or data path on disk as the files a user would drop on the studio: a folder (every file
// under it, named under the folder as a dropped folder is), a model JSON with the weight files its
// manifest names (looked up beside it, named as loose files), or a .zip (or a CSV) by its name. The
// studio's import (core/model/importFiles.ts) or data loader (core/data) then reads them and gives
// the same messages for bad input.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { InputFile } from '../core/model/importFiles';
import { shardPaths, type ModelJson } from '../core/model/layersArtifacts';

/** Every regular file under `dir`, named `<dir name>/<relative path>` as a dropped folder is. */
async function folderFiles(dir: string): Promise<InputFile[]> {
  const root = basename(dir);
  const files: InputFile[] = [];
  const walk = async (at: string): Promise<void> => {
    const entries = await readdir(at, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = join(at, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile()) files.push({ path: [root, ...relative(dir, full).split(sep)].join('/'), bytes: new Uint8Array(await readFile(full)) });
    }
  };
  await walk(dir);
  return files;
}

/** The shard paths a model JSON names, or none when it is not one (the import says what is wrong). */
function manifestPaths(jsonBytes: Uint8Array): string[] {
  try {
    return shardPaths(JSON.parse(new TextDecoder().decode(jsonBytes)) as ModelJson);
  } catch {
    return [];
  }
}

/**
 * A model JSON and the weight files its manifest names, found beside it: the files a user picks
 * together, named as loose files are (so messages name "model.json", as the studio's do). Missing
 * shards are left out: the import names every one of them.
 */
async function jsonFiles(path: string): Promise<InputFile[]> {
  const dir = dirname(path);
  const bytes = new Uint8Array(await readFile(path));
  const files: InputFile[] = [{ path: basename(path), bytes }];
  for (const p of new Set(manifestPaths(bytes))) {
    const clean = p.replace(/^\.\//, '');
    try {
      files.push({ path: clean, bytes: new Uint8Array(await readFile(join(dir, clean))) });
    } catch {
      // Reported by the import's own checks, with every missing file named.
    }
  }
  return files;
}

async function statOf(path: string) {
  try {
    return await stat(path);
  } catch {
    throw new Error(`${path}: no such file or folder`);
  }
}

/** The files of the model at `path` (a folder, a model JSON, or a .zip or any single file). */
export async function readModelPath(path: string): Promise<InputFile[]> {
  if ((await statOf(path)).isDirectory()) return folderFiles(resolve(path));
  if (/\.json$/i.test(path)) return jsonFiles(path);
  return [{ path: basename(path), bytes: new Uint8Array(await readFile(path)) }];
}

/**
 * The user's data at `path` as the studio's data input gets it: a folder's files (images in class
 * folders, a Teachable Machine project), or one file (a .zip, a .tm, a CSV) by its name. The data
 * loader then reads them and gives the studio's messages for bad data.
 */
export async function readDataPath(path: string): Promise<InputFile[]> {
  if ((await statOf(path)).isDirectory()) return folderFiles(resolve(path));
  return [{ path: basename(path), bytes: new Uint8Array(await readFile(path)) }];
}
