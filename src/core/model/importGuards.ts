// The checks that keep a crafted file from taking the tab down or reaching where it should not:
// sizes before anything is read, JSON nesting before anything parses it, weight shapes before any
// buffer is sized from them, manifest paths before anything is fetched, and names JavaScript
// reserves before TF.js keys its tables with them. Each returns the user's message, or null; the
// import throws it. No tfjs here: the page may call checkFileSize before it reads a file.
import { formatBytes } from '../format/bytes';
import { formatCount } from '../messageNumbers';
import { jsonDepthExceeds } from '../secure/jsonDepth';

/** The largest single file the studio reads into memory (a 50M-parameter float32 model is 200 MB). */
export const MAX_FILE_BYTES = 1024 ** 3;
/** Bytes a drop may expand to once its archives are unzipped, all together. */
export const MAX_UNZIPPED_BYTES = 1024 ** 3;
/** Files in one archive. */
export const MAX_ZIP_ENTRIES = 10_000;
/** Object and array nesting of a JSON file; a Keras topology nests a few dozen levels. */
export const MAX_JSON_DEPTH = 1_000;
/** Elements of one tensor: TF.js indexes them with 32-bit signed integers. */
export const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;

const AGAIN = 'Export the model again.';
const CRAFTED = 'The file is damaged or crafted:';

/** A path as a message shows it: quoted, escaped, and cut to 80 characters (a data: URL can be megabytes). */
function shown(path: string): string {
  return JSON.stringify(path.length > 80 ? `${path.slice(0, 77)}...` : path);
}

export const guardMessages = {
  fileTooLarge: (name: string, size: number, limit = MAX_FILE_BYTES) =>
    `${name}: ${formatBytes(size)}, more than the studio opens (at most ${formatBytes(limit)}), so it was not read. A model this large would not fit in the tab's memory: use a smaller model.`,
  dropTooLarge: (count: number, size: number, limit: number) =>
    `The ${formatCount(count)} dropped files take ${formatBytes(size)} together, more than the studio opens (at most ${formatBytes(limit)}), so none was read. Drop one model at a time.`,
  tooDeep: (path: string) =>
    `${path}: the JSON nests more than ${formatCount(MAX_JSON_DEPTH)} levels deep, which no model does. ${CRAFTED} export the model again.`,
  badShape: (file: string, name: string, shape: unknown) =>
    `${file}: weight ${name} has shape ${JSON.stringify(shape ?? null)}; a shape must be a list of non-negative integers. ${AGAIN}`,
  hugeShape: (file: string, name: string, shape: number[], elements: number) =>
    `${file}: weight ${name} has shape [${shape.join(',')}], ${Number.isFinite(elements) && elements < 1e21 ? formatCount(elements) : 'too many'} values, more than one TF.js tensor can hold (${formatCount(MAX_TENSOR_ELEMENTS)}). ${CRAFTED} export the model again.`,
  pathClimbs: (file: string, path: string) =>
    `${file}: the weight path ${shown(path)} climbs out of the model's folder (".."); the studio reads weight files only from the model's own folder. ${AGAIN}`,
  pathAbsolute: (file: string, path: string) =>
    `${file}: the weight path ${shown(path)} is an absolute URL or path; the studio reads weight files only from the model's own folder, never from another address. ${AGAIN}`,
  pathDataUrl: (file: string, path: string) =>
    `${file}: the weight path ${shown(path)} is a data: URL; the studio reads weight files only from the model's own folder. ${AGAIN}`,
  reservedLayer: (file: string, name: string) =>
    `${file}: layer ${JSON.stringify(name)} has a name JavaScript reserves for every object, which TF.js cannot load safely. Rename the layer and export the model again.`,
  reservedWeight: (file: string, name: string) =>
    `${file}: weight ${JSON.stringify(name)} has a name JavaScript reserves for every object, which TF.js cannot load safely. Rename its layer and export the model again.`,
};

/** Call before reading a file into memory (file.arrayBuffer()): its message, or null when it may be read. */
export function checkFileSize(name: string, size: number, limit = MAX_FILE_BYTES): string | null {
  return size > limit ? guardMessages.fileTooLarge(name, size, limit) : null;
}

/** Call before reading a drop: the first file too large, or the whole drop too large, or null. */
export function checkDropSize(files: readonly { name: string; size: number }[], limit = MAX_FILE_BYTES): string | null {
  for (const f of files) {
    const m = checkFileSize(f.name, f.size, limit);
    if (m) return m;
  }
  const total = files.reduce((n, f) => n + f.size, 0);
  return total > limit ? guardMessages.dropTooLarge(files.length, total, limit) : null;
}

export function checkJsonDepth(path: string, bytes: Uint8Array): string | null {
  return jsonDepthExceeds(bytes, MAX_JSON_DEPTH) ? guardMessages.tooDeep(path) : null;
}

/** A manifest shape: non-negative integers whose product one tensor can hold. */
export function checkWeightShape(file: string, name: string, shape: unknown): string | null {
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) return guardMessages.badShape(file, name, shape);
  const elements = (shape as number[]).reduce((a, b) => a * b, 1);
  return elements > MAX_TENSOR_ELEMENTS ? guardMessages.hugeShape(file, name, shape as number[], elements) : null;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** A weight path of a manifest: relative, inside the model's folder, never a URL of its own. */
export function checkManifestPath(file: string, path: string): string | null {
  const trimmed = path.trim();
  if (/^data:/i.test(trimmed)) return guardMessages.pathDataUrl(file, path);
  if (SCHEME.test(trimmed) || trimmed.startsWith('/') || trimmed.startsWith('\\')) return guardMessages.pathAbsolute(file, path);
  // A URL parser reads %2e%2e as ".." too.
  const climbs = trimmed.split(/[/\\]/).some((segment) => /^(\.|%2e){2}$/i.test(segment));
  return climbs ? guardMessages.pathClimbs(file, path) : null;
}

/** Names every plain object already has: a table keyed by layer names would find these in it. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  '__proto__', 'constructor', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', 'toString', 'valueOf',
  '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__',
]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Layer names anywhere in a Keras topology (nested models included) and weight names of the
 * manifest, against RESERVED_NAMES (a weight name's segments too: "constructor/kernel").
 * Walks with an explicit stack: the depth was bounded before parsing, but no recursion is needed.
 */
export function checkReservedNames(file: string, topology: unknown, weightNames: readonly string[]): string | null {
  const stack: unknown[] = [topology];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
      continue;
    }
    if (!isRecord(v)) continue;
    if (typeof v.class_name === 'string' && isRecord(v.config) && typeof v.config.name === 'string' && RESERVED_NAMES.has(v.config.name)) {
      return guardMessages.reservedLayer(file, v.config.name);
    }
    if (typeof v.name === 'string' && typeof v.class_name === 'string' && RESERVED_NAMES.has(v.name)) return guardMessages.reservedLayer(file, v.name);
    for (const key of Object.keys(v)) stack.push(v[key]);
  }
  const weight = weightNames.find((n) => n.split('/').some((segment) => RESERVED_NAMES.has(segment)));
  return weight === undefined ? null : guardMessages.reservedWeight(file, weight);
}
