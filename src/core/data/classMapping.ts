// Which of the model's classes each of the user's class folders (or a table's label names) is.
//
// 1. By name, when the model names its classes (Teachable Machine metadata.json, ml5 manifest.json,
//    the demo): compared without case, spaces or punctuation, so the folder `T-shirt_top` is the
//    class `T-shirt/top`. Folders named 0, 1, 2... are class numbers.
// 2. Otherwise by the original model's own predictions: count how often it predicts each class on
//    each folder's images, then give each folder a distinct class so that the total agreement is
//    the largest (maxAssignment). Folder names rarely sort into the model's order: Fashion-MNIST's
//    folders sort as Ankle boot, Bag, Coat... while its classes run T-shirt/top, Trouser, Pullover...
//
// A folder that matches no class is left out, and named in a warning.
import { maxAssignment } from './assignment';

export interface ClassMapping {
  /** Per folder: the model's class, or -1 when it matches none. */
  classOf: Int32Array;
  /** How the mapping was found. */
  by: 'name' | 'number' | 'prediction' | 'user';
  /** Per folder: the share of its images the original model predicts as its class (when measured). */
  agreement: (number | null)[];
  /** Per folder: how many of its images were measured (when measured). */
  measured: (number | null)[];
}

/** Lower case, letters and digits only: 'T-shirt/top' and 't_shirt top' are both 'tshirttop'. */
export function normaliseName(name: string): string {
  return name.toLowerCase().normalize('NFKD').replace(/[^\p{L}\p{N}]/gu, '');
}

/** By name (or by number when every folder is a class number); null when no folder matches. */
export function mapByName(folders: readonly string[], classNames: readonly string[] | null, classes: number): ClassMapping | null {
  const none = () => folders.map(() => null);
  if (folders.length > 0 && folders.every((f) => /^\d+$/.test(f) && Number(f) < classes)) {
    return { classOf: Int32Array.from(folders, Number), by: 'number', agreement: none(), measured: none() };
  }
  if (!classNames) return null;
  const byName = new Map(classNames.map((n, k) => [normaliseName(n), k]));
  const classOf = Int32Array.from(folders, (f) => byName.get(normaliseName(f)) ?? -1);
  if (classOf.every((c) => c < 0)) return null;
  return { classOf, by: 'name', agreement: none(), measured: none() };
}

/**
 * `counts[f][c]`: how many images of folder f the original model predicts as class c. Each folder
 * gets a distinct class maximising the total agreement; a folder none of whose images is predicted
 * as the class it would get (or that is left over when there are more folders than classes)
 * matches none (-1).
 */
export function mapByPredictions(counts: readonly (readonly number[])[]): ClassMapping {
  const assigned = maxAssignment(counts);
  const classOf = new Int32Array(counts.length);
  const agreement: (number | null)[] = [];
  const measured: (number | null)[] = [];
  counts.forEach((row, f) => {
    const total = row.reduce((a, b) => a + b, 0);
    const c = assigned[f];
    const hits = c >= 0 ? row[c] : 0;
    classOf[f] = hits > 0 ? c : -1;
    agreement.push(total > 0 ? hits / total : null);
    measured.push(total);
  });
  return { classOf, by: 'prediction', agreement, measured };
}

/** The counts mapByPredictions takes: predictions per folder. `folderOf[i] < 0` examples are skipped. */
export function predictionCounts(folderOf: ArrayLike<number>, predicted: ArrayLike<number>, folders: number, classes: number): number[][] {
  const counts = Array.from({ length: folders }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < folderOf.length; i++) {
    const f = folderOf[i];
    const c = predicted[i];
    if (f >= 0 && f < folders && c >= 0 && c < classes) counts[f][c]++;
  }
  return counts;
}
