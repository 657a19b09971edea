// The packed export (docs/packed-format.md): a LayersModel -> one `.secpak` file that holds the whole
// model exactly, and a .zip of it with the dependency-free decoder (decoder.mjs), a README that shows
// how to load it, and a JSON report. Also the studio's way back in: re-opening a packed file.
//
//   exportPacked(model, { clusters? }) -> Promise<{ bytes, report }>     (compress/packedEncoder.ts)
//   packedZip(bytes, { decoderSource, readme, report }) -> Uint8Array    model.secpak, decoder.mjs, README.md, report.json
//   packedReadme(info) -> string                                         what it is, sizes, how to load it
//   packedFileName('fashion-cnn', 0.9) -> 'fashion-cnn-90pct-sparse-packed.zip'
//   isPackedFile(bytes) -> boolean                                       starts with the SECPAK magic
//   loadPackedModel(bytes) -> Promise<tf.LayersModel>                    decode + tf.loadLayersModel(fromMemory)
//   packedAsFiles(path, bytes) -> [model JSON, weights]                  a dropped packed file as the files it stands for
// decoderSource is the text of src/core/compress/decoder.mjs: the engine imports it with Vite's
// `?raw`, Node reads the file; this module does not care where it came from.
import * as tf from '@tensorflow/tfjs';
import { strToU8, zipSync } from 'fflate';
import { decode } from '../compress/decoder.mjs';
import { encodePacked, type PackedReport, type PackOptions } from '../compress/packedEncoder';
import { PACKED_MAGIC } from '../compress/packedStreams';
import { CONVERTED_BY, exportFileName, savedModel, type ReadmeInfo } from './exportModel';

export const PACKED_FILE = 'model.secpak';
export const DECODER_FILE = 'decoder.mjs';

/** The model as one packed file, and what went into it per tensor. */
export async function exportPacked(model: tf.LayersModel, options: PackOptions = {}): Promise<{ bytes: Uint8Array; report: PackedReport }> {
  const saved = await savedModel(model);
  return encodePacked({ ...saved, format: 'layers-model', generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`, convertedBy: CONVERTED_BY }, options);
}

/** The .zip: model.secpak, decoder.mjs, README.md, report.json. */
export function packedZip(bytes: Uint8Array, extras: { decoderSource: string; readme: string; report: unknown }): Uint8Array {
  // The packed file is entropy-coded already: store it; compress the text files.
  return zipSync({
    [PACKED_FILE]: [bytes, { level: 0 }],
    [DECODER_FILE]: strToU8(extras.decoderSource),
    'README.md': strToU8(extras.readme),
    'report.json': strToU8(JSON.stringify(extras.report, null, 2)),
  }, { level: 6 });
}

export const packedFileName = (name: string, sparsity: number) => exportFileName(name, sparsity, 'float32', 'zip').replace(/-float32\.zip$/, '-packed.zip');

export interface PackedReadmeInfo extends Omit<ReadmeInfo, 'precision'> {
  /** Bytes of model.secpak. */
  bytes: number;
  /** Bytes of the model's float32 weights (what `bytes` is compared with). */
  float32Bytes: number;
  /** Kernels with shared values, and the most values any of them holds (0 when none is clustered). */
  clustered: { kernels: number; maxValues: number };
}

/** README.md of the packed .zip: what it is, its size, how it was made and how to load it. */
export function packedReadme(info: PackedReadmeInfo): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  return [
    `# ${info.name}, pruned and packed with Secateur`,
    '',
    `\`${PACKED_FILE}\` holds the whole TensorFlow.js Layers model (architecture and every weight, bit for bit) in ${kb(info.bytes)}:`,
    `${(info.float32Bytes / info.bytes).toFixed(1)}x smaller than its float32 weights (${kb(info.float32Bytes)}). \`${DECODER_FILE}\` (no dependencies) turns it back`,
    'into what `tf.io.fromMemory` takes. `report.json` has the details below as data.',
    '',
    `- ${info.params.toLocaleString('en-US')} parameters, ${info.nonzero.toLocaleString('en-US')} nonzero; ${pct(info.sparsity)} of the prunable weights are zero.`,
    info.clustered.kernels
      ? `- Weight sharing: ${info.clustered.kernels} kernel${info.clustered.kernels === 1 ? '' : 's'} hold at most ${info.clustered.maxValues} distinct values each; the file stores each weight as a short index into its kernel's values.`
      : '- No weight sharing: the nonzero weights are stored as they are.',
    `- ${info.metric.metric === 'accuracy' ? 'Accuracy' : 'Fidelity to the original model'}: ${pct(info.metric.value)} on ${info.metric.count} examples.`,
    '',
    '## Load it',
    '',
    '```js',
    "import * as tf from '@tensorflow/tfjs';",
    `import { decode } from './${DECODER_FILE}';`,
    '',
    `// In a page, served over http(s) next to ${DECODER_FILE}:`,
    `const bytes = new Uint8Array(await (await fetch('${PACKED_FILE}')).arrayBuffer());`,
    '// Or in Node: const bytes = new Uint8Array(fs.readFileSync(\'model.secpak\'));',
    '',
    'const model = await tf.loadLayersModel(tf.io.fromMemory(decode(bytes)));',
    'const prediction = model.predict(input);',
    '```',
    '',
    '`decode(bytes)` returns `{ modelTopology, weightSpecs, weightData }` and throws an Error starting',
    "with \"packed: \" when the file is not a packed model or is damaged. The format is documented byte",
    "by byte in Secateur's docs/packed-format.md (version 1).",
    '',
    '## How it was made',
    '',
    ...(info.recipe.length ? info.recipe.map((r, i) => `${i + 1}. ${r.label}`) : ['The original model, unchanged.']),
    '',
  ].join('\n');
}

/** Whether `bytes` start like a packed model (the SECPAK magic). */
export function isPackedFile(bytes: Uint8Array): boolean {
  return bytes.length >= PACKED_MAGIC.length && PACKED_MAGIC.every((b, i) => bytes[i] === b);
}

/** Decodes a packed file and loads it with tfjs's own loader. The caller owns the model. */
export async function loadPackedModel(bytes: Uint8Array): Promise<tf.LayersModel> {
  const { modelTopology, weightSpecs, weightData } = decode(bytes);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology, weightSpecs, weightData }));
}

/**
 * A dropped packed file as the plain files it stands for: 'x.zip/model.secpak' becomes
 * 'x.zip/model.json' and 'x.zip/model.weights.bin', so the import reads and checks it like any
 * model. Throws an Error naming the file when it does not decode.
 */
export function packedAsFiles(path: string, bytes: Uint8Array): { path: string; bytes: Uint8Array }[] {
  let decoded: ReturnType<typeof decode>;
  try {
    decoded = decode(bytes);
  } catch (e) {
    throw new Error(`${path}: not a readable packed model (${e instanceof Error ? e.message : String(e)}). Export the model again.`);
  }
  const base = path.replace(/\.secpak$/i, '');
  const weights = `${base.split('/').pop()}.weights.bin`;
  const json = {
    format: decoded.format ?? 'layers-model', generatedBy: decoded.generatedBy, convertedBy: decoded.convertedBy,
    modelTopology: decoded.modelTopology, weightsManifest: [{ paths: [weights], weights: decoded.weightSpecs }],
  };
  return [{ path: `${base}.json`, bytes: strToU8(JSON.stringify(json)) }, { path: `${base}.weights.bin`, bytes: new Uint8Array(decoded.weightData) }];
}
