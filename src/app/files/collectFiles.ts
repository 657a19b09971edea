// Turns what the user gave the page (a drop of files and folders, a file picker's list) into plain
// { path, bytes } records for the engine. Folders are walked; paths keep their folders so that
// manifest paths like "weights/group1-shard1of1.bin" resolve. No parsing here: the engine checks
// everything and names the file at fault.
import type { ModelFile } from '../../engine/api';

/** A dropped folder or file, as the File and Directory Entries API exposes it. */
interface Entry {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  fullPath: string;
  file?(ok: (f: File) => void, fail: (e: unknown) => void): void;
  createReader?(): { readEntries(ok: (entries: Entry[]) => void, fail: (e: unknown) => void): void };
}

async function walk(entry: Entry, out: { path: string; file: File }[]): Promise<void> {
  if (entry.isFile && entry.file) {
    const file = await new Promise<File>((ok, fail) => entry.file!(ok, fail));
    out.push({ path: entry.fullPath.replace(/^\//, ''), file });
  } else if (entry.isDirectory && entry.createReader) {
    const reader = entry.createReader();
    // readEntries returns at most ~100 entries per call: read until it returns none.
    for (;;) {
      const batch = await new Promise<Entry[]>((ok, fail) => reader.readEntries(ok, fail));
      if (batch.length === 0) break;
      for (const child of batch) await walk(child, out);
    }
  }
}

/** Every file of a drop, folders walked. */
export async function filesFromDrop(data: DataTransfer): Promise<{ path: string; file: File }[]> {
  const out: { path: string; file: File }[] = [];
  const entries = [...data.items]
    .filter((i) => i.kind === 'file')
    .map((i) => (i.webkitGetAsEntry?.() ?? null) as Entry | null);
  if (entries.length > 0 && entries.every((e) => e !== null)) {
    for (const e of entries) await walk(e!, out);
    return out;
  }
  // No entries API (or synthetic drops): the flat file list.
  for (const file of [...data.files]) out.push({ path: file.webkitRelativePath || file.name, file });
  return out;
}

/** A file picker's selection (a folder picker sets webkitRelativePath). */
export function filesFromInput(list: FileList): { path: string; file: File }[] {
  return [...list].map((file) => ({ path: file.webkitRelativePath || file.name, file }));
}

export async function readFiles(files: { path: string; file: File }[]): Promise<ModelFile[]> {
  return Promise.all(files.map(async ({ path, file }) => ({ path, bytes: new Uint8Array(await file.arrayBuffer()) })));
}
