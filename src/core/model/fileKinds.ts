// What a dropped file is, judged by its bytes first and its name second, and what to tell a user
// who dropped a model in a format the studio cannot read. Also the path rules of a drop: how paths
// are normalised, and which entries are operating-system litter to ignore.
//
// Every message names the file first and ends with what to do. They are asserted verbatim by the
// tests and by e2e/fixtures/bad/cases.json, so change them together.

export const LAYERS_MODEL_HINT =
  'A TF.js Layers model is a JSON file with modelTopology and weightsManifest plus its weight files: drop them together, or a .zip of their folder.';

const CONVERT_H5 = 'tensorflowjs_converter --input_format keras model.h5 out/';

/** Forward slashes, no leading './' or '/', '.' and '..' segments resolved. */
export function normalisePath(path: string): string {
  const out: string[] = [];
  for (const segment of path.replace(/\\/g, '/').split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return out.join('/');
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function dirName(path: string): string {
  const k = path.lastIndexOf('/');
  return k < 0 ? '' : path.slice(0, k);
}

function extension(path: string): string {
  const base = baseName(path).toLowerCase();
  const k = base.lastIndexOf('.');
  return k <= 0 ? '' : base.slice(k + 1);
}

/**
 * Files that come along with a drop but are never part of a model: macOS resource forks and
 * folder metadata, Windows thumbnails, version-control folders.
 */
export function isLitter(path: string): boolean {
  const segments = path.split('/');
  const base = segments[segments.length - 1];
  return (
    segments.some((s) => s === '__MACOSX' || s === '.git' || s === '.svn') ||
    base.startsWith('._') ||
    base === '.DS_Store' ||
    base === 'Thumbs.db' ||
    base === 'desktop.ini'
  );
}

function startsWith(bytes: Uint8Array, signature: number[] | string, at = 0): boolean {
  const sig = typeof signature === 'string' ? Array.from(signature, (c) => c.charCodeAt(0)) : signature;
  if (bytes.length < at + sig.length) return false;
  return sig.every((b, k) => bytes[at + k] === b);
}

/** A zip archive (local file header, or the end record of an empty archive). */
export function isZip(bytes: Uint8Array): boolean {
  return startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06]);
}

/** Whether the name says zip archive (the contents decide whether it really is one). */
export function hasZipName(path: string): boolean {
  return extension(path) === 'zip';
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

function isHdf5(bytes: Uint8Array): boolean {
  // The superblock sits at 0, or after a user block of 512, 1024, 2048... bytes.
  for (let at = 0; at <= Math.min(bytes.length - 8, 1 << 16); at = at === 0 ? 512 : at * 2) {
    if (startsWith(bytes, HDF5_SIGNATURE, at)) return true;
  }
  return false;
}

function imageKind(bytes: Uint8Array): string | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'PNG';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'JPEG';
  if (startsWith(bytes, 'GIF87a') || startsWith(bytes, 'GIF89a')) return 'GIF';
  if (startsWith(bytes, 'RIFF') && startsWith(bytes, 'WEBP', 8)) return 'WebP';
  if (startsWith(bytes, 'BM') && bytes.length > 26) return 'BMP';
  return null;
}

const IMAGE_EXTENSIONS: Record<string, string> = { png: 'PNG', jpg: 'JPEG', jpeg: 'JPEG', gif: 'GIF', webp: 'WebP', bmp: 'BMP', svg: 'SVG' };

const pytorchMessage = (path: string, what: string) =>
  `${path}: ${what}; the studio works on TensorFlow.js Layers models, and there is no direct converter. ` +
  `Rebuild the network in Keras, load these weights into it, save it as .h5 and run ${CONVERT_H5}.`;

/**
 * The message for a file that is a model of another framework or format, or null. Zips are looked
 * into by the caller (see archiveKindMessage); this judges single files.
 */
export function foreignModelMessage(path: string, bytes: Uint8Array): string | null {
  const ext = extension(path);
  const base = baseName(path);
  if (isHdf5(bytes) || ext === 'h5' || ext === 'hdf5') {
    return `${path}: a Keras HDF5 model, which the browser cannot read. Convert it first: tensorflowjs_converter --input_format keras ${base} out/ and drop the files in out/.`;
  }
  if (startsWith(bytes, 'TFL3', 4) || ext === 'tflite') {
    return `${path}: a TensorFlow Lite model, which keeps no Keras layers to prune or fine-tune. Convert the Keras model it was made from instead: ${CONVERT_H5}.`;
  }
  if (ext === 'pt' || ext === 'pth' || (ext === 'pkl' && bytes[0] === 0x80)) {
    return pytorchMessage(path, 'a PyTorch checkpoint');
  }
  if (ext === 'safetensors') return pytorchMessage(path, 'a safetensors weights file (PyTorch or Hugging Face)');
  if (ext === 'onnx') {
    return `${path}: an ONNX model; the studio works on TensorFlow.js Layers models. Convert it to Keras first (for example with onnx2tf), save it as .h5 and run ${CONVERT_H5}.`;
  }
  if (base === 'saved_model.pb' || base === 'saved_model.pbtxt') {
    const dir = dirName(path) ? baseName(dirName(path)) : 'saved_model_dir';
    return `${path}: a TensorFlow SavedModel. If it was saved from Keras, convert it to a Layers model: tensorflowjs_converter --input_format keras_saved_model ${dir} out/ (converting a plain SavedModel gives a graph model, which cannot be fine-tuned).`;
  }
  if (ext === 'pb') {
    return `${path}: a TensorFlow graph, which keeps no Keras layers to prune or fine-tune. Convert the Keras model it was made from instead: ${CONVERT_H5}.`;
  }
  return null;
}

/** The message for an image file (by signature, or by name), or null. */
export function imageMessage(path: string, bytes: Uint8Array): string | null {
  const image = imageKind(bytes) ?? IMAGE_EXTENSIONS[extension(path)] ?? null;
  if (image) {
    return `${path}: a ${image} image, not a model. Drop the model's JSON file with its weight files, or a .zip of its folder.`;
  }
  return null;
}

/**
 * The message for a zip that is a model archive of another framework (a Keras 3 .keras file, a
 * PyTorch checkpoint), judged by the names inside it; null for an ordinary zip to look into.
 */
export function archiveKindMessage(path: string, entryNames: string[]): string | null {
  const bases = new Set(entryNames.map(baseName));
  const ext = extension(path);
  if (bases.has('model.weights.h5') || (ext === 'keras' && bases.has('config.json'))) {
    return `${path}: a Keras 3 .keras archive, which the browser cannot read. In Python, save the model as .h5 (model.save("model.h5")), convert it with ${CONVERT_H5} and drop the files in out/.`;
  }
  if (bases.has('data.pkl') || ext === 'pt' || ext === 'pth') return pytorchMessage(path, 'a PyTorch checkpoint');
  return null;
}

/** Weight shards as converters and model.save name them; a drop of only these lacks its JSON. */
export function looksLikeWeightFile(path: string): boolean {
  return extension(path) === 'bin' || /^group\d+-shard\d+of\d+/.test(baseName(path));
}

/** Whether a file might be a JSON text: named .json, or starting with '{' and not named as binary. */
export function mayBeJson(path: string, bytes: Uint8Array): boolean {
  const ext = extension(path);
  if (ext === 'json') return true;
  if (ext === 'bin' || looksLikeWeightFile(path)) return false;
  let k = 0;
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) k = 3;
  while (k < bytes.length && (bytes[k] === 0x20 || bytes[k] === 0x0a || bytes[k] === 0x0d || bytes[k] === 0x09)) k++;
  return bytes[k] === 0x7b;
}

/** Whether the name says JSON (such a file is reported when it does not parse). */
export function hasJsonName(path: string): boolean {
  return extension(path) === 'json';
}
