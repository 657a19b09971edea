// The packed export as the page downloads it: model.secpak (the whole model, nonzero positions and
// shared-value indices, entropy-coded) in a .zip with its dependency-free decoder, a README with a
// loading snippet and a JSON report. The encoder finds each tensor's distinct values itself (a
// clustered kernel takes its codebook path); the step's clusters only feed the README.
import type * as tf from '@tensorflow/tfjs';
import type { ExportBundle } from './api';
import type { JobControl } from '../core/job';
import type { ClusterSet } from '../core/compress/clusterModel';
import { exportPacked, packedFileName, packedReadme, packedZip } from '../core/model/packedExport';
import { exportReport } from './exportReport';
import type { ExportSubject } from './exportBundle';

/**
 * The decoder's text, bundled by Vite (`?raw`). Imported on first use, so that the engine's modules
 * also load where `?raw` means nothing (Node without Vite); there the engine is given a reader of the file.
 */
async function bundledDecoderSource(): Promise<string> {
  return (await import('../core/compress/decoder.mjs?raw')).default;
}

/** Bytes of the model as one packed file (the export panel's "packed" size). */
export async function packedBytes(model: tf.LayersModel): Promise<number> {
  return (await exportPacked(model)).bytes.length;
}

export async function packedBundle(
  subject: ExportSubject, clusters: ClusterSet | undefined, control: JobControl, decoderSource: () => Promise<string> = bundledDecoderSource,
): Promise<ExportBundle> {
  await control.checkpoint(0.1, 'Packing the weights');
  const { bytes, report: packed } = await exportPacked(subject.model);
  await control.checkpoint(0.7, 'Writing the .zip');
  const { name, point, recipe } = subject;
  const float32Bytes = point.params * 4;
  const maxValues = Math.max(0, ...Object.values(clusters ?? {}).map((c) => c.codebook.length));
  const readme = packedReadme({
    name, sparsity: point.prunableSparsity, params: point.params, nonzero: point.nonzero, metric: point.metric, recipe,
    bytes: bytes.length, float32Bytes, clustered: { kernels: Object.keys(clusters ?? {}).length, maxValues },
  });
  const report = {
    ...exportReport({
      name, precision: 'float32', summary: await subject.summary(), point, original: subject.original, recipe, source: subject.source,
      sizes: { weightBytes: bytes.length, weightGzipBytes: bytes.length },
    }),
    format: 'packed',
    packed,
  };
  const fileName = packedFileName(name, point.prunableSparsity);
  return {
    fileName, precision: 'float32', weightBytes: bytes.length, weightGzipBytes: bytes.length,
    files: [{ name: fileName, bytes: packedZip(bytes, { decoderSource: await decoderSource(), readme, report }), type: 'application/zip' }],
  };
}
