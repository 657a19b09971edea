// Where the images of a drop are and what their classes are, from paths alone (nothing decoded):
//
// - Teachable Machine project (.tm): images named `<Class>-!-<n>.jpg` give their class by name;
//   a .tm in class subfolders is read like any folder.
// - Class subfolders: the data root is the dropped folder or archive, descended through single
//   folders that hold no images of their own (so `my-model/data/cats/001.jpg`, dropped with the
//   model's files, has classes `cats`, ...); each folder below it is a class, and everything under
//   it belongs to it. Folders named train/test/val(idation) holding class folders are merged.
// - No subfolders (a folder or a pick of loose images): unlabelled.
//
// A single dropped folder of images with no subfolders is unlabelled, not a one-class set: the two
// cannot be told apart, and agreement with the original model is what such a drop can measure.
import { baseName } from '../model/fileKinds';
import { DataError, dataMessages } from './dataMessages';
import type { DataDrop, DataEntry } from './dataDrop';
import { IMAGE_FORMAT_NAME, type ImageMime } from './imageFormat';

export interface ImageFile {
  path: string;
  bytes: Uint8Array;
  mime: ImageMime;
  /** Index into `classes`, or -1 when unlabelled. */
  folder: number;
}

export interface ImageLayout {
  kind: 'images' | 'tm' | 'unlabelled';
  /** The data root ('' for loose files): class folders are its children. */
  root: string;
  /** Class names as the folders (or Teachable Machine file names) give them, sorted; [] when unlabelled. */
  classes: string[];
  /** Each class's folder as a path, for messages ('pets.zip/cats'); for .tm names, the archive's path and the class. */
  classPaths: string[];
  /** Images to decode, by class and then by name (numbers in names in numeric order). */
  images: ImageFile[];
  /** What was skipped or left out, as user-facing sentences. */
  warnings: string[];
  /** Files skipped (not images, empty, corrupt, outside the class folders). */
  skipped: number;
}

const SPLIT_FOLDERS = new Set(['train', 'training', 'test', 'testing', 'val', 'valid', 'validation']);
const TM_SEPARATOR = '-!-';
const collator = new Intl.Collator('en', { numeric: true });

/** Entries that are meant as images: decodable or not, empty or not. */
export function imageLike(e: DataEntry): boolean {
  return e.kind === 'image' || e.kind === 'corruptImage' || (e.kind === 'empty' && e.mime !== null);
}

/** A folder's name as a class: an archive segment loses its extension (cats.zip holds cats). */
function className(segment: string): string {
  return segment.replace(/\.(zip|tm)$/i, '');
}

function under(path: string, dir: string): string | null {
  if (dir === '') return path;
  return path.startsWith(`${dir}/`) ? path.slice(dir.length + 1) : null;
}

/** The common first folder of every path, when every path has one. */
function commonTop(paths: string[]): string {
  const first = paths[0].split('/');
  if (first.length < 2) return '';
  return paths.every((p) => p.startsWith(`${first[0]}/`)) ? first[0] : '';
}

/** Children of `dir` that hold some of `paths`, and whether any of `paths` lie directly in it. */
function children(paths: string[], dir: string): { dirs: Set<string>; direct: boolean } {
  const dirs = new Set<string>();
  let direct = false;
  for (const p of paths) {
    const rest = under(p, dir);
    if (rest === null) continue;
    const k = rest.indexOf('/');
    if (k < 0) direct = true;
    else dirs.add(rest.slice(0, k));
  }
  return { dirs, direct };
}

const join = (dir: string, name: string) => (dir === '' ? name : `${dir}/${name}`);

/** Reads the image part of a drop; throws DataError for a drop whose classes cannot be used. */
export function imageLayout(drop: DataDrop): ImageLayout | null {
  const candidates = drop.entries.filter(imageLike);
  if (candidates.length === 0) return null;
  const named = candidates.filter((e) => baseName(e.path).includes(TM_SEPARATOR));
  if (named.length === candidates.length) return teachableByName(candidates);
  const fromTm = candidates.some((e) => e.zip !== null && drop.archives.some((a) => a.path === e.zip && a.tm));
  return byFolders(drop, candidates, fromTm);
}

/** Skips what cannot be an image, with its warning; returns the images. */
function triage(entries: DataEntry[], folderOf: (e: DataEntry) => number, layout: ImageLayout): void {
  for (const e of entries) {
    if (e.kind === 'image') layout.images.push({ path: e.path, bytes: e.bytes, mime: e.mime as ImageMime, folder: folderOf(e) });
    else {
      layout.skipped++;
      if (e.kind === 'empty') layout.warnings.push(dataMessages.emptyFile(e.path));
      else if (e.kind === 'corruptImage') layout.warnings.push(dataMessages.corruptImage(e.path, IMAGE_FORMAT_NAME[e.mime as ImageMime]));
      else layout.warnings.push(dataMessages.notAnImage(e.path));
    }
  }
  layout.images.sort((a, b) => a.folder - b.folder || collator.compare(a.path, b.path));
}

function teachableByName(candidates: DataEntry[]): ImageLayout {
  const classOf = (e: DataEntry) => baseName(e.path).split(TM_SEPARATOR)[0];
  const classes = [...new Set(candidates.map(classOf))].sort(collator.compare);
  const root = commonTop(candidates.map((e) => e.path));
  const where = candidates[0].zip ?? root;
  const layout: ImageLayout = {
    kind: 'tm',
    root,
    classes,
    classPaths: classes.map((c) => `${where === '' ? '' : `${where}: `}${c}`),
    images: [],
    warnings: [],
    skipped: 0,
  };
  if (classes.length === 1) throw new DataError(dataMessages.singleClass(layout.classPaths[0]));
  triage(candidates, (e) => classes.indexOf(classOf(e)), layout);
  return layout;
}

function byFolders(drop: DataDrop, candidates: DataEntry[], fromTm: boolean): ImageLayout {
  const paths = candidates.map((e) => e.path);
  let root = commonTop(paths);
  for (;;) {
    const { dirs, direct } = children(paths, root);
    if (direct || dirs.size !== 1) break;
    const only = join(root, [...dirs][0]);
    if (children(paths, only).direct) break;
    root = only;
  }
  const top = children(paths, root);
  const layout: ImageLayout = { kind: fromTm ? 'tm' : 'images', root, classes: [], classPaths: [], images: [], warnings: [], skipped: 0 };
  // Every file under the root, images or not: a notes.txt in a class folder is worth a word.
  const inTree = drop.entries.filter((e) => under(e.path, root) !== null && e.kind !== 'model' && e.kind !== 'table');
  if (top.dirs.size === 0) {
    layout.kind = fromTm ? 'tm' : 'unlabelled';
    triage(inTree, () => -1, layout);
    return layout;
  }

  // Class folders: one level below the root, or two below train/ test/ val/ folders.
  const topDirs = [...top.dirs].sort(collator.compare);
  const merged = topDirs.every((d) => SPLIT_FOLDERS.has(d.toLowerCase()) && !children(paths, join(root, d)).direct);
  const pathOf = new Map<string, string>(); // class folder name -> its (first) folder path
  const classDirOf = (path: string): string | null => {
    const parts = (under(path, root) as string).split('/');
    const depth = merged ? 2 : 1;
    if (parts.length <= depth) return null;
    const name = parts[depth - 1];
    if (!pathOf.has(name)) pathOf.set(name, join(root, parts.slice(0, depth).join('/')));
    return name;
  };
  if (merged) layout.warnings.push(dataMessages.mergedSplitFolders(topDirs.map((d) => join(root, d))));

  const withImages = new Set(candidates.map((e) => classDirOf(e.path)).filter((d): d is string => d !== null));
  // Folders holding no images: only other files, or nothing (a zip's directory entry, listed alone).
  for (const e of inTree) classDirOf(e.path);
  for (const f of drop.folders) if (under(f, root) !== null) classDirOf(`${f}/.`);
  const empty = [...pathOf.keys()].filter((d) => !withImages.has(d));
  const classDirs = [...withImages].sort(collator.compare);
  layout.classes = classDirs.map(className);
  layout.classPaths = classDirs.map((d) => pathOf.get(d) as string);
  if (classDirs.length === 1) throw new DataError(dataMessages.singleClass(layout.classPaths[0]));

  const loose = inTree.filter((e) => classDirOf(e.path) === null);
  const looseImages = loose.filter(imageLike);
  if (looseImages.length > 0) {
    layout.warnings.push(dataMessages.looseImages(looseImages.map((e) => e.path).sort(collator.compare)));
    layout.skipped += looseImages.length;
  }
  triage(
    inTree.filter((e) => classDirOf(e.path) !== null),
    (e) => classDirs.indexOf(classDirOf(e.path) as string),
    layout,
  );
  for (const d of empty.sort(collator.compare)) layout.warnings.push(dataMessages.emptyClassFolder(pathOf.get(d) as string));
  return layout;
}
