// The files of a data drop, zips expanded, each judged by its bytes: an image (and which format),
// a table, the model's own files (its JSON, weight shards, metadata), or something else. The same
// drop may hold a model and its data (a folder with model.json, metadata.json and a data/ tree):
// the model's files are set aside here, never read as data.
import { unzipSync } from 'fflate';
import type { InputFile } from '../model/importFiles';
import { baseName, hasZipName, isLitter, isZip, looksLikeWeightFile, normalisePath } from '../model/fileKinds';
import { DataError, dataMessages } from './dataMessages';
import { mimeFromName, sniffImage, type ImageMime } from './imageFormat';

export type EntryKind =
  /** bytes that sniff as an image */
  | 'image'
  /** named as an image, but its bytes are not one (a corrupt or truncated download) */
  | 'corruptImage'
  /** 0 bytes (not a table or model file) */
  | 'empty'
  /** .csv, .tsv or .tab, whatever its size */
  | 'table'
  /** a model's own file: JSON (model, metadata.json, manifest.json), weight shards */
  | 'model'
  /** anything else (README.md, notes.txt, labels.xml) */
  | 'other';

export interface DataEntry {
  /** As dropped, normalised; inside an archive 'pets.zip/cats/001.jpg'. */
  path: string;
  bytes: Uint8Array;
  kind: EntryKind;
  /** For 'image': the sniffed format; for 'corruptImage' and 'empty': the format its name claims, if any. */
  mime: ImageMime | null;
  /** The archive the entry came from, or null for a dropped file. */
  zip: string | null;
}

export interface DataDrop {
  entries: DataEntry[];
  /** Folders that were listed on their own (a zip's directory entries, a dropped empty folder). */
  folders: string[];
  /** Archives expanded, with whether each is a Teachable Machine project (.tm). */
  archives: { path: string; tm: boolean; names: string[] }[];
}

function extension(path: string): string {
  const base = baseName(path).toLowerCase();
  const k = base.lastIndexOf('.');
  return k <= 0 ? '' : base.slice(k + 1);
}

export function isTeachableProject(path: string): boolean {
  return extension(path) === 'tm';
}

export function isTableName(path: string): boolean {
  const ext = extension(path);
  return ext === 'csv' || ext === 'tsv' || ext === 'tab';
}

function judge(path: string, bytes: Uint8Array): Pick<DataEntry, 'kind' | 'mime'> {
  if (extension(path) === 'json' || looksLikeWeightFile(path)) return { kind: 'model', mime: null };
  if (isTableName(path)) return { kind: 'table', mime: null };
  const named = mimeFromName(path);
  if (bytes.length === 0) return { kind: 'empty', mime: named };
  const mime = sniffImage(bytes);
  if (mime) return { kind: 'image', mime };
  if (named) return { kind: 'corruptImage', mime: named };
  return { kind: 'other', mime: null };
}

/** Expands zips and .tm projects (by signature or name) and judges every file. Throws DataError. */
export function expandDataDrop(files: InputFile[]): DataDrop {
  const drop: DataDrop = { entries: [], folders: [], archives: [] };
  const seen = new Set<string>();
  const add = (path: string, bytes: Uint8Array, zip: string | null) => {
    if (seen.has(path)) return;
    seen.add(path);
    drop.entries.push({ path, bytes, zip, ...judge(path, bytes) });
  };
  let any = false;
  for (const file of files) {
    const path = normalisePath(file.path);
    if (path === '' || isLitter(path)) continue;
    any = true;
    if (file.path.endsWith('/') && file.bytes.length === 0) {
      drop.folders.push(path);
      continue;
    }
    // A weight shard is raw numbers, which may begin with the zip signature by chance.
    const archive = !looksLikeWeightFile(path) && (isZip(file.bytes) || hasZipName(path) || isTeachableProject(path));
    if (!archive) {
      add(path, file.bytes, null);
      continue;
    }
    if (file.bytes.length === 0) throw new DataError(dataMessages.emptyZip(path));
    if (!isZip(file.bytes)) throw new DataError(dataMessages.corruptZip(path));
    let unzipped: Record<string, Uint8Array>;
    try {
      unzipped = unzipSync(file.bytes, { filter: (f) => !isLitter(normalisePath(f.name)) });
    } catch {
      throw new DataError(dataMessages.corruptZip(path));
    }
    const names: string[] = [];
    for (const [name, bytes] of Object.entries(unzipped)) {
      const inner = normalisePath(name);
      if (inner === '') continue;
      if (name.endsWith('/')) {
        drop.folders.push(`${path}/${inner}`);
        continue;
      }
      names.push(inner);
      add(`${path}/${inner}`, bytes, path);
    }
    if (names.length === 0) throw new DataError(dataMessages.emptyZip(path));
    drop.archives.push({ path, tm: isTeachableProject(path), names: names.sort() });
  }
  if (!any) throw new DataError(dataMessages.nothingDropped());
  return drop;
}
