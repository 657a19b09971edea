// What a page-wide drop is: a model (model.json and its shards, a model .zip, a sealed export) or
// data for the loaded model (images, a table, a Teachable Machine project, a .zip of class folders).
// Decided from the names alone, so the drop goes to the right reader; each reader still checks the
// contents and says what is wrong with them.
import { unzipSync } from 'fflate';
import type { ModelFile } from '../../engine/api';

const DATA_FILE = /\.(jpe?g|png|webp|bmp|gif|csv|tsv|tm)$/i;
/** Files that may sit beside data and say nothing either way (a README, the OS's own). */
const NEUTRAL = /(^|\/)(readme[^/]*|license[^/]*|\.ds_store|thumbs\.db|desktop\.ini)$/i;

/** The names inside a zip (nothing is decompressed); null when it is not a zip fflate can list. */
function zipNames(bytes: Uint8Array): string[] | null {
  const names: string[] = [];
  try {
    unzipSync(bytes, { filter: (f) => { names.push(f.name); return false; } });
    return names;
  } catch {
    return null;
  }
}

/** True when every file of the drop is data (a zip counts when all it holds is), and there is some. */
export function isDataDrop(files: readonly Pick<ModelFile, 'path' | 'bytes'>[]): boolean {
  const names = (f: Pick<ModelFile, 'path' | 'bytes'>): string[] | null => (/\.zip$/i.test(f.path) ? zipNames(f.bytes) : [f.path]);
  let data = 0;
  for (const f of files) {
    const inside = names(f);
    if (inside === null) return false;
    for (const n of inside) {
      if (n.endsWith('/') || NEUTRAL.test(n)) continue;
      if (!DATA_FILE.test(n)) return false;
      data++;
    }
  }
  return data > 0;
}
