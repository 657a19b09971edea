// Bring your own model: the files a user drops (loose files, a folder, or .zip archives) in; one
// validated, fixed TF.js Layers model out, ready for tf.io.fromMemory. Pure TypeScript on tfjs, no
// DOM: it runs in the studio's worker and in the Node tests.
//
//   const imported = readModelFiles(files, { maxParams });   // sync; throws ImportError
//   const model = await loadImportedModel(imported);          // throws ImportError, never hangs
//
//   const any = readAnyModelFiles(files, { maxParams });      // a graph model too (graphModel/)
//   if (isGraphImport(any)) ... loadImportedGraphModel(any)    // graphModel/graphModelData.ts
//
//   interface InputFile { path: string; bytes: Uint8Array }
//     `path` as dropped: 'model.json', 'my-model/group1-shard1of1', 'export.zip'. A directory shows
//     up as a path ending in '/' with no bytes, and is skipped.
//   interface ImportedModel {
//     name            'fashion-mnist-cnn': the JSON file's name, or its folder's or zip's when the
//                     JSON is just "model.json", or Teachable Machine's modelName, or 'model'
//     jsonPath        which file was the model JSON ('export.zip/model.json' inside an archive)
//     artifacts       modelTopology (fixed), weightSpecs (names fixed), weightData: one ArrayBuffer
//     weightFiles     the weight files used, in manifest order
//     ignoredFiles    dropped files that are neither (README, tokenizer.json, screenshots...)
//     labels          class names from a metadata.json / manifest.json "labels" list (Teachable
//                     Machine, ml5) when they fit the model's output; otherwise null
//     fixes           what was changed to make the file load, as sentences
//     warnings        what loads but deserves attention (NaN weights, labels that do not fit)
//     params          weights counted from the manifest shapes (optimizer weights excluded)
//     estimatedBytes  params * 4: float32 bytes in memory once loaded, quantized or not
//     shards          the weight files' bytes by base name, and report: the report.json beside
//                     the model JSON (a Secateur export) or null; with them the caller checks the
//                     report's SHA-256 digests (secure/weightIntegrity.ts)
//   }
//
// How the drop is read:
// - Zips (by signature, or by name) are expanded; their entries are addressed as
//   'export.zip/inner/path'. __MACOSX, .DS_Store, ._* and the like are ignored everywhere.
// - The model JSON is found by content (an object with modelTopology and weightsManifest), never by
//   name: a wild model is `model_DCE.i.json`. Several of them is an error naming them all.
// - Each manifest path is resolved relative to the JSON (a './' prefix, '..', sub-folders), then
//   by base name anywhere in the drop, with or without a '.bin' extension; weight files are
//   concatenated in manifest order, across weight groups.
//
// What readModelFiles checks, in this order, before tf.loadLayersModel sees anything; each failure
// is one sentence that starts with the file at fault and ends with what to do (tests assert them
// verbatim: see e2e/fixtures/bad/cases.json):
// 1. the drop: empty, unreadable or empty zips; model files of other frameworks and images when no
//    model JSON is found (fileKinds.ts);
// 2. the JSON: invalid (with line and column, jsonSyntaxError.ts), not a model, a graph model;
// 3. the manifest: groups, names, shapes, dtypes, quantization; the size against `maxParams`;
// 4. the topology, after the Keras fixes (keras3.ts): layer classes TF.js does not have, and
//    functional graphs TF.js would loop on forever (topologyCheck.ts);
// 5. the weight files: missing ones (all named), wrong sizes;
// 6. the weights against the layers: TF.js builds the layers from the topology (its own
//    deserialiser, zeros instead of initialisers, freed at once) and the manifest is matched to
//    their variables by TF.js's own rule, so a missing, extra, renamed or reshaped weight is named.
// NaN and Inf weights are warnings, counted per tensor.
//
// readAnyModelFiles reads a graph model too (format graph-model, or a modelTopology with a node
// list): steps 1-3 and 5 as above, graphModel/graphCheck.ts in place of step 4 (ops TF.js runs, the
// signature, constants the manifest lacks), no step 6 (a graph has no layers to build).
//
// Call after tf.ready(): step 6 allocates the model's weights once, on the current backend.
import * as tf from '@tensorflow/tfjs';
import { formatBytes } from '../format/bytes';
import {
  LAYERS_MODEL_HINT,
  archiveKindMessage,
  baseName,
  dirName,
  foreignModelMessage,
  hasJsonName,
  hasZipName,
  imageMessage,
  isLitter,
  isZip,
  looksLikeWeightFile,
  mayBeJson,
  normalisePath,
} from './fileKinds';
import { GraphModelProblem, checkGraphTopology, fixGraphTopology, type GraphModelInfo } from '../graphModel/graphCheck';
import { findJsonSyntaxError } from './jsonSyntaxError';
import { fixKerasTopology, forEachFunctional, weightPrefixFix } from './keras3';
import { isModelClass, isObject, modelConfigOf, type JsonObject, type JsonValue } from './kerasJson';
import {
  MAX_FILE_BYTES, MAX_UNZIPPED_BYTES, MAX_ZIP_ENTRIES, checkFileSize, checkJsonDepth, checkManifestPath, checkReservedNames, checkWeightShape,
} from './importGuards';
import { UnzipError, unzipWithinBudget } from './safeUnzip';
import { isEncrypted } from '../secure/encryptedFile';
import { isPackedFile, packedAsFiles } from './packedExport';
import { formatCount } from '../messageNumbers';
import {
  TopologyProblem,
  checkLayerClasses,
  checkModelClass,
  firstLine,
  layerEntries,
  matchWeights,
  problemCount,
  simulateGraph,
  withBuiltModel,
  type WeightMatch,
} from './topologyCheck';

export interface InputFile {
  path: string;
  bytes: Uint8Array;
}

/** An import failure; `message` is what the user sees, verbatim. */
export class ImportError extends Error {
  override name = 'ImportError';
}

export interface ImportedModel {
  name: string;
  jsonPath: string;
  artifacts: tf.io.ModelArtifacts;
  weightFiles: string[];
  ignoredFiles: string[];
  labels: string[] | null;
  fixes: string[];
  warnings: string[];
  params: number;
  estimatedBytes: number;
  /** The weight files by base name (the names an export's report.json uses), in manifest order. */
  shards: { name: string; bytes: Uint8Array }[];
  /** report.json beside the model JSON, parsed (a Secateur export lists weight digests there), or null. */
  report: JsonValue | null;
}

/**
 * A TF.js graph model (converted from a SavedModel): the same fields, with `artifacts` holding the
 * graph (modelTopology is the GraphDef, plus signature and userDefinedMetadata when the JSON has them).
 */
export interface ImportedGraphModel extends ImportedModel {
  /** What the graph checks learnt: inputs, outputs, ops, whether it needs executeAsync. */
  graph: GraphModelInfo;
}

export function isGraphImport(imported: ImportedModel): imported is ImportedGraphModel {
  return 'graph' in imported;
}

export interface ReadOptions {
  /** Refuse models with more parameters than this (the device's budget); no limit when absent. */
  maxParams?: number;
  /** Refuse any file larger than this; default MAX_FILE_BYTES. */
  maxFileBytes?: number;
  /** What the drop's archives may expand to, all together; default MAX_UNZIPPED_BYTES. */
  maxUnzippedBytes?: number;
}

/**
 * A drop whose model is encrypted (encryptedFile.ts): the caller asks for the passphrase, decrypts
 * `path` and reads the files again with the plain bytes in its place.
 */
export class EncryptedDropError extends ImportError {
  override name = 'EncryptedDropError';
  constructor(readonly path: string) {
    super(`${path}: encrypted with a passphrase. Open it with its passphrase to import it.`);
  }
}

/** Reads, validates and fixes a dropped model. Throws ImportError with the user's message. */
export function readModelFiles(files: InputFile[], options: ReadOptions = {}): ImportedModel {
  return asImportError(() => readModel(files, options, false));
}

/**
 * readModelFiles for Layers and graph models alike: a graph model goes through the same doors and
 * checks (drop, JSON, manifest, size, weight files, labels) and the graph's own (graphCheck.ts)
 * instead of being refused.
 */
export function readAnyModelFiles(files: InputFile[], options: ReadOptions = {}): ImportedModel | ImportedGraphModel {
  return asImportError(() => readModel(files, options, true));
}

function asImportError<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof ImportError) throw e;
    if (e instanceof TopologyProblem || e instanceof GraphModelProblem) throw new ImportError(e.message);
    throw e;
  }
}

/**
 * Loads an imported model with tf.loadLayersModel(tf.io.fromMemory(artifacts)). readModelFiles has
 * already checked what makes TF.js hang or fail obscurely; anything TF.js still rejects is
 * reported as an ImportError naming the model JSON.
 */
export async function loadImportedModel(imported: ImportedModel): Promise<tf.LayersModel> {
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(imported.artifacts));
  } catch (e) {
    throw new ImportError(`${imported.jsonPath}: TF.js could not load the model: ${firstLine(e)}. Export the model again.`);
  }
}

// --- the drop --------------------------------------------------------------------------------

function unpacked(path: string, bytes: Uint8Array): InputFile[] {
  try {
    return packedAsFiles(path, bytes);
  } catch (e) {
    throw new ImportError((e as Error).message);
  }
}

interface Entry {
  path: string;
  bytes: Uint8Array;
  /** The archive the entry came from, or null for a dropped file. */
  zip: string | null;
}

interface Drop {
  entries: Entry[];
  /** Messages for archives that are models of other frameworks (.keras, PyTorch). */
  foreignArchives: string[];
  /** Archives that held no files. */
  emptyZips: string[];
}

const HOW_TO_DROP = "Drop a model's JSON file with its weight files, its folder, or a .zip of it.";

function expandDrop(files: InputFile[], options: ReadOptions): Drop {
  const drop: Drop = { entries: [], foreignArchives: [], emptyZips: [] };
  let unzipBudget = options.maxUnzippedBytes ?? MAX_UNZIPPED_BYTES;
  const seen = new Set<string>();
  const add = (entry: Entry) => {
    if (seen.has(entry.path)) return; // the same file dropped twice
    seen.add(entry.path);
    drop.entries.push(entry);
  };
  for (const file of files) {
    const path = normalisePath(file.path);
    if (path === '' || (file.path.endsWith('/') && file.bytes.length === 0) || isLitter(path)) continue;
    const tooLarge = checkFileSize(path, file.bytes.length, options.maxFileBytes ?? MAX_FILE_BYTES);
    if (tooLarge) throw new ImportError(tooLarge);
    // A weight shard is raw numbers, which may begin with the zip signature by chance.
    if (looksLikeWeightFile(path) || (!isZip(file.bytes) && !hasZipName(path))) {
      add({ path, bytes: file.bytes, zip: null });
      continue;
    }
    if (!isZip(file.bytes)) {
      throw new ImportError(`${path}: not a readable zip archive (it does not start with a zip signature). Zip the model folder again, or drop its files directly.`);
    }
    let unzipped: { name: string; bytes: Uint8Array }[];
    try {
      const keep = (name: string) => !name.endsWith('/') && !isLitter(normalisePath(name));
      unzipped = unzipWithinBudget(path, file.bytes, { maxBytes: unzipBudget, maxEntries: MAX_ZIP_ENTRIES, keep });
    } catch (e) {
      if (e instanceof UnzipError) throw new ImportError(e.message);
      throw new ImportError(`${path}: not a readable zip archive (${firstLine(e)}). Zip the model folder again, or drop its files directly.`);
    }
    unzipBudget -= unzipped.reduce((n, u) => n + u.bytes.length, 0);
    const inside = unzipped.filter((u) => normalisePath(u.name) !== '');
    const foreign = archiveKindMessage(path, inside.map((u) => u.name));
    if (foreign) drop.foreignArchives.push(foreign);
    else if (inside.length === 0) drop.emptyZips.push(path);
    else for (const u of inside) add({ path: `${path}/${normalisePath(u.name)}`, bytes: u.bytes, zip: path });
  }
  if (drop.entries.length === 0 && drop.foreignArchives.length === 0 && drop.emptyZips.length === 0) {
    throw new ImportError(`Nothing to import: the drop holds no files. ${HOW_TO_DROP}`);
  }
  return drop;
}

interface ParsedJson {
  entry: Entry;
  value: JsonValue;
}

function decodeText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes); // drops a byte-order mark
}

function invalidJsonMessage(path: string, text: string): string {
  if (text.trim() === '') return `${path}: the file is empty. Export the model again.`;
  const error = findJsonSyntaxError(text);
  const where = error ? ` at line ${error.line}, column ${error.column} (${error.reason})` : '';
  const hint = error?.truncated ? 'The file is cut short: download or export it again.' : 'Export the model again, or fix the file at that spot.';
  return `${path}: invalid JSON${where}. ${hint}`;
}

function isGraphModel(v: JsonObject): boolean {
  return v.format === 'graph-model' || (isObject(v.modelTopology) && Array.isArray(v.modelTopology.node));
}

function isModelJson(v: JsonValue): v is JsonObject {
  return isObject(v) && ('modelTopology' in v || isGraphModel(v)) && 'weightsManifest' in v;
}

const GRAPH_MODEL = (path: string) =>
  `${path}: a TF.js graph model; the studio prunes and fine-tunes Layers models only. ` +
  'Convert the Keras model to a Layers model: tensorflowjs_converter --input_format keras model.h5 out/ ' +
  '(from a Keras SavedModel: --input_format keras_saved_model --output_format tfjs_layers_model).';

/** Why a parsed JSON that is not a model JSON is not one; `partial` when it is nearly one. */
function notAModel(path: string, v: JsonValue): { message: string; partial: boolean } {
  if (!isObject(v)) {
    const kind = Array.isArray(v) ? 'a JSON array' : v === null ? 'JSON null' : `a JSON ${typeof v}`;
    return { message: `${path}: holds ${kind}, not a TF.js model, which is a JSON object with modelTopology and weightsManifest.`, partial: false };
  }
  if (isGraphModel(v)) return { message: GRAPH_MODEL(path), partial: true };
  if ('modelTopology' in v) {
    return {
      message: `${path}: a model topology without a weightsManifest, so it has no weights to load. Save the model with its weights (model.save in TF.js, or tensorflowjs_converter).`,
      partial: true,
    };
  }
  if ('weightsManifest' in v) {
    return { message: `${path}: a weightsManifest without a modelTopology, so there are no layers to load. Export the model again.`, partial: true };
  }
  if (typeof v.class_name === 'string' && isObject(v.config)) {
    return {
      message: `${path}: a Keras model config (model.to_json()) without weights, not a TF.js model. Convert the saved Keras model instead: tensorflowjs_converter --input_format keras model.h5 out/.`,
      partial: true,
    };
  }
  return { message: `${path}: not a TF.js model (the JSON has no modelTopology or weightsManifest). ${HOW_TO_DROP}`, partial: false };
}

function listNames(names: string[], max = 8): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** The most telling message when the drop holds no model JSON at all. */
function noModelMessage(drop: Drop, parsed: ParsedJson[], invalid: { path: string; message: string }[]): string {
  if (invalid.length > 0) return invalid[0].message;
  const verdicts = parsed.map((p) => notAModel(p.entry.path, p.value));
  const partial = verdicts.find((v) => v.partial);
  if (partial) return partial.message;
  const jsonPaths = new Set(parsed.map((p) => p.entry.path));
  const rest = drop.entries.filter((e) => !jsonPaths.has(e.path));
  const notWeights = rest.filter((e) => !looksLikeWeightFile(e.path));
  const modelFormats = [...drop.foreignArchives, ...notWeights.map((e) => foreignModelMessage(e.path, e.bytes))].filter((m): m is string => m !== null);
  if (modelFormats.length > 0) return modelFormats[0];
  // Everything came out of one archive: speak of the archive.
  const zips = new Set(drop.entries.map((e) => e.zip));
  if (drop.entries.length > 0 && zips.size === 1 && !zips.has(null) && drop.emptyZips.length === 0) {
    const zip = drop.entries[0].zip as string;
    const inside = drop.entries.map((e) => e.path.slice(zip.length + 1)).sort();
    return `${zip}: no TF.js model inside (it holds ${listNames(inside)}). ${LAYERS_MODEL_HINT}`;
  }
  const weightFile = rest.find((e) => looksLikeWeightFile(e.path));
  if (weightFile) return `${weightFile.path}: a weight file without its model JSON. Drop the model JSON (often model.json) together with its weight files.`;
  const image = notWeights.map((e) => imageMessage(e.path, e.bytes)).find((m) => m !== null);
  if (image) return image;
  if (verdicts.length > 0) return verdicts[0].message;
  if (drop.emptyZips.length > 0) return `${drop.emptyZips[0]}: the archive holds no files. Zip the model folder again, or drop its files directly.`;
  if (drop.entries.length === 1) return `${drop.entries[0].path}: not a TF.js model. ${LAYERS_MODEL_HINT}`;
  return `No TF.js model among the ${drop.entries.length} dropped files (${listNames(drop.entries.map((e) => e.path))}). ${LAYERS_MODEL_HINT}`;
}

// --- the manifest ----------------------------------------------------------------------------

interface Group {
  paths: string[];
  specs: tf.io.WeightsManifestEntry[];
  bytes: number;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

function elementCount(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function specBytes(spec: tf.io.WeightsManifestEntry): number {
  return elementCount(spec.shape) * BYTES[spec.quantization?.dtype ?? spec.dtype];
}

function readManifest(file: string, manifest: JsonValue): Group[] {
  const bad = (what: string) => new ImportError(`${file}: ${what}. Export the model again.`);
  if (!Array.isArray(manifest)) throw bad('the weightsManifest is not a list of weight groups');
  const names = new Set<string>();
  return manifest.map((group, g) => {
    if (!isObject(group) || !Array.isArray(group.paths) || !group.paths.every((p) => typeof p === 'string')) {
      throw bad(`weight group ${g + 1} of the weightsManifest has no "paths" list of file names`);
    }
    for (const p of group.paths as string[]) {
      const unsafe = checkManifestPath(file, p);
      if (unsafe) throw new ImportError(unsafe);
    }
    if (!Array.isArray(group.weights)) throw bad(`weight group ${g + 1} of the weightsManifest has no "weights" list`);
    if (group.paths.length === 0 && group.weights.length > 0) throw bad(`weight group ${g + 1} of the weightsManifest lists weights but no weight files`);
    const specs = group.weights.map((w, k) => {
      if (!isObject(w) || typeof w.name !== 'string' || w.name === '') throw bad(`entry ${k + 1} of weight group ${g + 1} has no name`);
      const name = w.name;
      const shape = w.shape;
      const badShape = checkWeightShape(file, name, shape);
      if (badShape) throw new ImportError(badShape);
      if (w.dtype !== 'float32' && w.dtype !== 'int32' && w.dtype !== 'bool') {
        throw new ImportError(`${file}: weight ${name} has dtype ${JSON.stringify(w.dtype ?? null)}, which TF.js cannot load (float32, int32 or bool). Export the model again.`);
      }
      const q = w.quantization;
      if (q !== undefined) {
        if (!isObject(q) || (q.dtype !== 'uint8' && q.dtype !== 'uint16' && q.dtype !== 'float16')) {
          const dtype = isObject(q) ? JSON.stringify(q.dtype ?? null) : 'an unknown way';
          throw new ImportError(`${file}: weight ${name} is quantized as ${dtype}, which TF.js cannot load (uint8, uint16 or float16). Export the model again.`);
        }
        if (q.dtype === 'float16' ? w.dtype !== 'float32' : w.dtype === 'bool') {
          throw new ImportError(`${file}: weight ${name} is a ${w.dtype} weight quantized as ${q.dtype}, which TF.js cannot restore. Export the model again.`);
        }
        if (q.dtype !== 'float16' && (typeof q.min !== 'number' || typeof q.scale !== 'number' || !Number.isFinite(q.min) || !Number.isFinite(q.scale))) {
          throw new ImportError(`${file}: weight ${name} is quantized as ${q.dtype} without a numeric min and scale, so its values cannot be restored. Export the model again.`);
        }
      }
      if (names.has(name)) throw new ImportError(`${file}: weight ${name} appears twice in the weightsManifest. Export the model again.`);
      names.add(name);
      return w as unknown as tf.io.WeightsManifestEntry;
    });
    return { paths: group.paths as string[], specs, bytes: specs.reduce((n, s) => n + specBytes(s), 0) };
  });
}

// --- weight files ----------------------------------------------------------------------------

/** Finds the file for one manifest path: relative to the JSON first, then by base name. */
function resolveWeightFile(file: string, manifestPath: string, jsonPath: string, candidates: Entry[]): Entry | null {
  const clean = normalisePath(manifestPath.replace(/[?#].*$/, ''));
  const variants = (p: string) => (p.endsWith('.bin') ? [p, p.slice(0, -4)] : [p, `${p}.bin`]);
  const relative = normalisePath(`${dirName(jsonPath)}/${clean}`);
  for (const p of variants(relative)) {
    const hit = candidates.find((e) => e.path === p);
    if (hit) return hit;
  }
  const bases = new Set(variants(baseName(clean)));
  let hits = candidates.filter((e) => bases.has(baseName(e.path)));
  if (hits.length > 1) {
    // Prefer files under the JSON's own folder (a folder dropped with other things in it).
    const dir = dirName(jsonPath);
    const near = hits.filter((e) => dir === '' || e.path.startsWith(`${dir}/`));
    if (near.length > 0) hits = near;
  }
  if (hits.length > 1) {
    throw new ImportError(
      `${file}: the weight file ${manifestPath} matches several dropped files (${hits.map((e) => e.path).join(', ')}). Drop one model at a time.`,
    );
  }
  return hits[0] ?? null;
}

// --- weights ---------------------------------------------------------------------------------

function weightMismatchMessage(file: string, m: WeightMatch, listed: number): string {
  const hint = 'Export the model again so that its weights match its layers.';
  if (m.missing.length > 0 || m.unused.length > 0) {
    const details = [m.missing.length > 0 ? `missing: ${listNames(m.missing)}` : '', m.unused.length > 0 ? `not used by any layer: ${listNames(m.unused)}` : '']
      .filter(Boolean)
      .join('; ');
    const head =
      listed !== m.needed
        ? `the manifest lists ${listed} weight${listed === 1 ? '' : 's'} but the layers need ${m.needed}`
        : "the manifest's weights do not match the layers";
    return `${file}: ${head} (${details}). ${hint}`;
  }
  const s = m.shapes[0];
  return `${file}: weight ${s.name} has shape [${s.manifest.join(',')}] in the manifest, but its layer needs [${s.layer.join(',')}]. ${hint}`;
}

/** Counts NaN and ±Inf per float tensor (float32 as stored, or float16-quantized). */
function nonFiniteWarnings(specs: tf.io.WeightsManifestEntry[], data: ArrayBuffer): string[] {
  const warnings: string[] = [];
  let offset = 0;
  for (const spec of specs) {
    const bytes = specBytes(spec);
    const n = elementCount(spec.shape);
    let nan = 0;
    let inf = 0;
    const q = spec.quantization?.dtype;
    if (spec.dtype === 'float32' && q === undefined) {
      const values = offset % 4 === 0 ? new Float32Array(data, offset, n) : new Float32Array(data.slice(offset, offset + bytes));
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v !== v) nan++;
        else if (v === Infinity || v === -Infinity) inf++;
      }
    } else if (q === 'float16') {
      const halves = offset % 2 === 0 ? new Uint16Array(data, offset, n) : new Uint16Array(data.slice(offset, offset + bytes));
      for (let i = 0; i < n; i++) {
        if ((halves[i] & 0x7c00) === 0x7c00) {
          if (halves[i] & 0x03ff) nan++;
          else inf++;
        }
      }
    }
    offset += bytes;
    if (nan + inf > 0) {
      const parts = [nan > 0 ? `${nan} NaN` : '', inf > 0 ? `${inf} Inf` : ''].filter(Boolean);
      warnings.push(`${spec.name} has ${parts.join(' and ')} value${nan + inf === 1 ? '' : 's'}; outputs that depend on them will be NaN too.`);
    }
  }
  return warnings;
}

// --- labels and name -------------------------------------------------------------------------

function labelsOf(v: JsonValue): string[] | null {
  if (!isObject(v) || !Array.isArray(v.labels) || v.labels.length === 0) return null;
  return v.labels.every((l) => typeof l === 'string') ? (v.labels as string[]) : null;
}

/** The labels file that belongs to the model: metadata.json (Teachable Machine), manifest.json (ml5), any. */
function pickLabelsFile(parsed: ParsedJson[], jsonPath: string): ParsedJson | null {
  const rank = (p: ParsedJson) => {
    const base = baseName(p.entry.path);
    const nameRank = base === 'metadata.json' ? 0 : base === 'manifest.json' ? 1 : 2;
    return nameRank * 2 + (dirName(p.entry.path) === dirName(jsonPath) ? 0 : 1);
  };
  const candidates = parsed.filter((p) => p.entry.path !== jsonPath && labelsOf(p.value) !== null);
  candidates.sort((a, b) => rank(a) - rank(b) || (a.entry.path < b.entry.path ? -1 : 1));
  return candidates[0] ?? null;
}

const GENERIC_STEMS = new Set(['model', 'tfjs_model', 'tfjs-model']);

function modelName(jsonPath: string, metadata: JsonValue | undefined): string {
  const stem = baseName(jsonPath).replace(/\.json$/i, '');
  if (stem !== '' && !GENERIC_STEMS.has(stem.toLowerCase())) return stem;
  const folder = baseName(dirName(jsonPath)).replace(/\.zip$/i, '');
  if (folder !== '') return folder;
  if (isObject(metadata) && typeof metadata.modelName === 'string' && metadata.modelName !== '') return metadata.modelName;
  return stem || 'model';
}

// --- the whole read --------------------------------------------------------------------------

function readModel(files: InputFile[], options: ReadOptions, acceptGraph: boolean): ImportedModel | ImportedGraphModel {
  const drop = expandDrop(files, options);
  // A packed model (.secpak, also inside its .zip) is read as the model JSON and weights it holds.
  drop.entries = drop.entries.flatMap((e) => (isPackedFile(e.bytes) ? unpacked(e.path, e.bytes).map((f) => ({ ...f, zip: e.zip })) : [e]));

  const parsed: ParsedJson[] = [];
  const invalid: { path: string; message: string }[] = [];
  for (const entry of [...drop.entries].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    if (!mayBeJson(entry.path, entry.bytes)) continue;
    const tooDeep = checkJsonDepth(entry.path, entry.bytes);
    if (tooDeep) throw new ImportError(tooDeep);
    const text = decodeText(entry.bytes);
    try {
      parsed.push({ entry, value: JSON.parse(text) as JsonValue });
    } catch {
      if (hasJsonName(entry.path)) invalid.push({ path: entry.path, message: invalidJsonMessage(entry.path, text) });
    }
  }

  const models = parsed.filter((p) => isModelJson(p.value));
  if (models.length > 1) {
    throw new ImportError(`Found ${models.length} model JSON files: ${models.map((m) => m.entry.path).join(', ')}. Drop one model at a time.`);
  }
  if (models.length === 0) {
    const sealed = drop.entries.find((e) => isEncrypted(e.bytes));
    if (sealed) throw new EncryptedDropError(sealed.path);
    throw new ImportError(noModelMessage(drop, parsed, invalid));
  }
  const jsonEntry = models[0].entry;
  const json = models[0].value as JsonObject;
  const file = jsonEntry.path;
  const graph = isGraphModel(json);
  if (graph && !acceptGraph) throw new ImportError(GRAPH_MODEL(file));
  if (!graph && !isObject(json.modelTopology)) {
    throw new ImportError(`${file}: the modelTopology is not a JSON object, so there are no layers to load. Export the model again.`);
  }

  // Manifest and size first: they are cheap, and a model too large is refused before any work.
  const groups = readManifest(file, json.weightsManifest);
  const specs = groups.flatMap((g) => g.specs);
  const reserved = checkReservedNames(file, json.modelTopology, specs.map((s) => s.name));
  if (reserved) throw new ImportError(reserved);
  const modelSpecs = specs.filter((s) => s.group !== 'optimizer');
  const params = modelSpecs.reduce((n, s) => n + elementCount(s.shape), 0);
  const estimatedBytes = params * 4;
  if (options.maxParams !== undefined && params > options.maxParams) {
    throw new ImportError(
      `${file}: the model has ${formatCount(params)} parameters (about ${formatBytes(estimatedBytes)} as float32), more than this device can take (at most ${formatCount(options.maxParams)}). Use a smaller model, or open the studio on a computer with more memory.`,
    );
  }
  if (graph) return readGraphModel({ drop, parsed, invalid, jsonEntry, json, groups, specs, params, estimatedBytes });

  // Topology: Keras fixes, then what TF.js would fail on badly.
  const { topology, fixes } = fixKerasTopology(json.modelTopology as JsonObject); // an object: checked above
  const modelConfig = modelConfigOf(topology);
  checkModelClass(file, modelConfig);
  const entries = layerEntries(file, modelConfig);
  checkLayerClasses(file, entries);
  forEachFunctional(modelConfig, (config) => simulateGraph(file, config));

  // Weight files.
  const shardsByGroup = findWeightFiles(file, groups, drop, jsonEntry);

  // Weights against the layers TF.js builds. Leading model names come off the weight names when
  // that is what makes them match (Keras 3). Output shapes are kept for the labels check.
  const modelNames = new Set(entries.filter((e) => isModelClass(e.className)).map((e) => e.name));
  let weightSpecs = specs;
  const outputShapes = withBuiltModel(file, modelConfig as JsonObject, (model) => {
    const match = matchWeights(model, modelSpecs, modelNames);
    if (problemCount(match) > 0) throw new ImportError(weightMismatchMessage(file, match, modelSpecs.length));
    if (match.renamed.size > 0) {
      weightSpecs = specs.map((s) => (match.renamed.has(s.name) ? { ...s, name: match.renamed.get(s.name) as string } : s));
      fixes.push(weightPrefixFix(match.renamed, topology.keras_version));
    }
    return model.outputs.map((o) => o.shape);
  });

  // Weight data, in manifest order.
  const shards = shardsByGroup.flat();
  const weightData = joinShards(groups, shards);
  const warnings = nonFiniteWarnings(specs, weightData);
  const { labels, used } = readLabels(parsed, invalid, file, outputShapes, warnings);

  return {
    ...importedFiles(drop, parsed, file, shards, used),
    artifacts: {
      modelTopology: topology,
      weightSpecs,
      weightData,
      ...(typeof json.format === 'string' ? { format: json.format } : {}),
      ...(typeof json.generatedBy === 'string' ? { generatedBy: json.generatedBy } : {}),
      ...(typeof json.convertedBy === 'string' ? { convertedBy: json.convertedBy } : {}),
    },
    labels,
    fixes,
    warnings,
    params,
    estimatedBytes,
  };
}

/** The weight files of every group, found in the drop and checked against the sizes the manifest implies. */
function findWeightFiles(file: string, groups: Group[], drop: Drop, jsonEntry: Entry): Entry[][] {
  const candidates = drop.entries.filter((e) => e !== jsonEntry);
  const missing: string[] = [];
  const shardsByGroup = groups.map((g) =>
    g.paths.map((p) => {
      const hit = resolveWeightFile(file, p, file, candidates);
      if (!hit) missing.push(p);
      return hit;
    }),
  );
  if (missing.length > 0) {
    const hint = `Drop ${missing.length === 1 ? 'it' : 'them'} together with ${baseName(file)}, or drop the whole folder or a .zip of it.`;
    throw new ImportError(
      missing.length === 1
        ? `${file}: the weight file ${missing[0]} is missing. ${hint}`
        : `${file}: ${missing.length} weight files are missing: ${missing.join(', ')}. ${hint}`,
    );
  }
  groups.forEach((g, k) => {
    const shards = shardsByGroup[k] as Entry[];
    const got = shards.reduce((n, e) => n + e.bytes.length, 0);
    if (got === g.bytes) return;
    const why = got < g.bytes ? 'is incomplete (a download cut short?) or belongs to another model' : 'belongs to another model or was changed';
    throw new ImportError(
      shards.length === 1
        ? `${shards[0].path}: ${formatCount(got)} bytes, but ${baseName(file)} expects ${formatCount(g.bytes)} for the weights it lists. The file ${why}: export the model again.`
        : `${shards.map((e) => e.path).join(' + ')}: ${formatCount(got)} bytes together, but ${baseName(file)} expects ${formatCount(g.bytes)} for the weights of group ${k + 1}. One of the files ${why}: export the model again.`,
    );
  });
  return shardsByGroup as Entry[][];
}

/** The weight files' bytes joined in manifest order: one buffer, as tf.io.fromMemory takes it. */
function joinShards(groups: Group[], shards: Entry[]): ArrayBuffer {
  const weightData = new ArrayBuffer(groups.reduce((n, g) => n + g.bytes, 0));
  const view = new Uint8Array(weightData);
  let offset = 0;
  for (const shard of shards) {
    view.set(shard.bytes, offset);
    offset += shard.bytes.length;
  }
  return weightData;
}

/** Labels, when a labels file describes the model's single output; warnings for those that do not fit. */
function readLabels(
  parsed: ParsedJson[],
  invalid: { path: string; message: string }[],
  file: string,
  outputShapes: (readonly (number | null)[] | null)[],
  warnings: string[],
): { labels: string[] | null; used: string[] } {
  const labelsFile = pickLabelsFile(parsed, file);
  let labels: string[] | null = null;
  if (labelsFile) {
    const list = labelsOf(labelsFile.value) as string[];
    const shape = outputShapes.length === 1 ? outputShapes[0] : null;
    // A graph model without a signature records no output shape: its single output is taken at its word.
    if (outputShapes.length === 1 && shape === null) labels = list;
    else if (shape !== null && shape[shape.length - 1] === list.length) labels = list;
    else {
      const output = shape === null ? `${outputShapes.length} outputs` : `an output of shape [${shape.map((d) => d ?? 'null').join(',')}]`;
      warnings.push(`${labelsFile.entry.path}: ${list.length} labels, but the model has ${output}; the labels are not used.`);
    }
  }

  // A labels file that does not parse is worth a word; other unreadable JSON next to a model is not.
  for (const { path } of invalid) {
    if (['metadata.json', 'manifest.json'].includes(baseName(path))) warnings.push(`${path}: not valid JSON, so its labels are not used.`);
  }
  return { labels, used: labels && labelsFile ? [labelsFile.entry.path] : [] };
}

/** name, jsonPath, weightFiles and ignoredFiles of an import. */
function importedFiles(drop: Drop, parsed: ParsedJson[], file: string, shards: Entry[], used: string[]): Pick<ImportedModel, 'name' | 'jsonPath' | 'weightFiles' | 'ignoredFiles' | 'shards' | 'report'> {
  const usedPaths = new Set([file, ...shards.map((e) => e.path), ...used]);
  const beside = (name: string) => parsed.find((p) => baseName(p.entry.path) === name && dirName(p.entry.path) === dirName(file))?.value;
  const metadata = beside('metadata.json');
  return {
    name: modelName(file, metadata),
    jsonPath: file,
    weightFiles: [...new Set(shards.map((e) => e.path))],
    ignoredFiles: drop.entries.map((e) => e.path).filter((p) => !usedPaths.has(p)),
    shards: [...new Set(shards)].map((e) => ({ name: baseName(e.path), bytes: e.bytes })),
    report: beside('report.json') ?? null,
  };
}

interface GraphRead {
  drop: Drop;
  parsed: ParsedJson[];
  invalid: { path: string; message: string }[];
  jsonEntry: Entry;
  json: JsonObject;
  groups: Group[];
  specs: tf.io.WeightsManifestEntry[];
  params: number;
  estimatedBytes: number;
}

/** The rest of the read for a graph model: the graph's checks, then the same weight files and labels. */
function readGraphModel(r: GraphRead): ImportedGraphModel {
  const file = r.jsonEntry.path;
  const info = checkGraphTopology(file, { modelTopology: r.json.modelTopology, signature: r.json.signature, userDefinedMetadata: r.json.userDefinedMetadata }, new Set(r.specs.map((s) => s.name)));
  const { topology, fixes } = fixGraphTopology(r.json.modelTopology);
  const shards = findWeightFiles(file, r.groups, r.drop, r.jsonEntry).flat();
  const weightData = joinShards(r.groups, shards);
  const warnings = [...info.warnings, ...nonFiniteWarnings(r.specs, weightData)];
  const outputShapes = info.outputs.map((o) => (o.shape ? o.shape.map((d) => (d < 0 ? null : d)) : null));
  const { labels, used } = readLabels(r.parsed, r.invalid, file, outputShapes, warnings);
  const json = r.json;
  return {
    ...importedFiles(r.drop, r.parsed, file, shards, used),
    artifacts: {
      modelTopology: topology as JsonObject,
      weightSpecs: r.specs,
      weightData,
      format: 'graph-model',
      ...(typeof json.generatedBy === 'string' ? { generatedBy: json.generatedBy } : {}),
      ...(typeof json.convertedBy === 'string' ? { convertedBy: json.convertedBy } : {}),
      ...(isObject(json.signature) ? { signature: json.signature } : {}),
      ...(isObject(json.userDefinedMetadata) ? { userDefinedMetadata: json.userDefinedMetadata as Record<string, object> } : {}),
      ...(isObject(json.modelInitializer) ? { modelInitializer: json.modelInitializer } : {}),
      ...(isObject(json.initializerSignature) ? { initializerSignature: json.initializerSignature } : {}),
    },
    labels,
    fixes,
    warnings,
    params: r.params,
    estimatedBytes: r.estimatedBytes,
    graph: info,
  };
}
