// The user's dataset inside a saved session: its files (paths and bytes, one run of bytes) and the
// choices it was read with, so a restored session is measured and fine-tuned on the same examples.
import type * as tf from '@tensorflow/tfjs';
import type { DataChoices, DataSummary, ModelFile, ModelSource } from './api';
import type { JobControl } from '../core/job';
import type { ImageDecoder } from '../core/data/imageDecoder';
import type { PlainData, SessionSnapshot } from '../core/session/sessionFormat';
import { measureData } from './dataLoading';
import type { DataTask } from './dataTask';

type Dataset = NonNullable<SessionSnapshot['dataset']>;

const DAMAGED = 'The saved session\'s dataset is damaged; the session opens measured without it. Drop the data again.';

/** The packed entry of each loaded dataset (its files and choices never change once loaded; autosave packs after every step). */
const packed = new WeakMap<object, Dataset>();

/** The files and choices as a saved session's dataset entry; null without data. */
export function packDataset(data: { files: ModelFile[]; choices: DataChoices } | undefined): Dataset | null {
  if (!data) return null;
  const known = packed.get(data);
  if (known) return known;
  const entry = pack(data);
  packed.set(data, entry);
  return entry;
}

function pack(data: { files: ModelFile[]; choices: DataChoices }): Dataset {
  const total = data.files.reduce((n, f) => n + f.bytes.length, 0);
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const f of data.files) {
    bytes.set(f.bytes, at);
    at += f.bytes.length;
  }
  const meta = { format: 1, choices: JSON.parse(JSON.stringify(data.choices)) as PlainData, files: data.files.map((f) => ({ path: f.path, length: f.bytes.length })) };
  return { meta: meta as unknown as PlainData, bytes };
}

/** The files and choices back; throws an Error with the user's message when the entry does not add up. */
export function unpackDataset(dataset: Dataset): { files: ModelFile[]; choices: DataChoices } {
  const meta = dataset.meta as unknown as { format?: unknown; choices?: unknown; files?: unknown };
  const entries = Array.isArray(meta?.files) ? (meta.files as { path?: unknown; length?: unknown }[]) : null;
  const fits = meta?.format === 1 && typeof meta.choices === 'object' && meta.choices !== null && entries !== null &&
    entries.every((e) => typeof e.path === 'string' && Number.isInteger(e.length) && (e.length as number) >= 0) &&
    entries.reduce((n, e) => n + (e.length as number), 0) === dataset.bytes.length;
  if (!fits) throw new Error(DAMAGED);
  let at = 0;
  const files = entries!.map((e) => {
    const f = { path: e.path as string, bytes: dataset.bytes.slice(at, at + (e.length as number)) };
    at += e.length as number;
    return f;
  });
  return { files, choices: meta.choices as DataChoices };
}

export const datasetMessages = { damaged: DAMAGED };

/**
 * A restored session's data task: its saved dataset read again and measured on `original`. Without a
 * dataset: nothing. When it cannot be used: no task and the notice the page shows (the caller then
 * measures as it would without data).
 */
export async function savedDataTask(
  snapshot: SessionSnapshot, original: tf.LayersModel, context: { decoder: ImageDecoder; control: JobControl },
): Promise<{ task?: DataTask; data?: { files: ModelFile[]; choices: DataChoices; summary: DataSummary }; notice?: string }> {
  if (!snapshot.dataset) return {};
  try {
    const { files, choices } = unpackDataset(snapshot.dataset);
    const classNames = (snapshot.meta as { source?: ModelSource }).source?.labels ?? null;
    const measured = await measureData(original, files, choices, { classNames, ...context });
    return { task: measured.task, data: { files, choices, summary: measured.summary } };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { notice: message === DAMAGED ? message : `The session's saved data could not be read again (${message}); it opens measured without it.` };
  }
}
