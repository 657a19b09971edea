// Writes the studio's export of the current model to a folder: its .zip as the studio downloads it,
// the same .zip's entries as loose files (model.json, the weight shards, README.md, report.json,
// report.html), or the packed .zip (model.secpak, decoder.mjs, README.md, report.json). With a
// command-line record (fine-tune and clustering options), report.json gains it under "commandLine"
// and the .zip is written again around it (the model files inside are unchanged).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import type { ExportBundle, ExportFormat, ExportPrecision } from '../engine/api';
import type { ExportReport } from '../engine/exportReport';
import type { CommandLineRecord } from './commandLineRecord';
import type { NodeStudio } from './nodeStudio';

export interface ExportChoice {
  dir: string;
  precision: ExportPrecision;
  format: ExportFormat;
}

export interface WrittenExport {
  format: ExportFormat;
  precision: ExportPrecision;
  /** Paths written, the model's files first. */
  files: string[];
  weightBytes: number;
  weightGzipBytes: number;
  report: ExportReport;
}

/** Entries as the studio zips them: the packed file stored (it is entropy-coded already), the rest at level 6. */
function rezip(entries: Record<string, Uint8Array>): Uint8Array {
  const zippable: Zippable = {};
  for (const [name, bytes] of Object.entries(entries)) zippable[name] = name.endsWith('.secpak') ? [bytes, { level: 0 }] : bytes;
  return zipSync(zippable, { level: 6 });
}

export async function writeExport(studio: NodeStudio, out: ExportChoice, record: CommandLineRecord | null = null): Promise<WrittenExport> {
  const { dir, format } = out;
  // Packed is float32 (its shared values are exact); the others are always the studio's .zip: the
  // loose files are its entries, so both formats hold the same bytes and a report.
  const precision = format === 'packed' ? 'float32' : out.precision;
  const bundle: ExportBundle = await studio.job('export', (id, p) => studio.engine.exportModel(id, { precision, format: format === 'packed' ? 'packed' : 'zip' }, p));
  const zip = bundle.files[0];
  const entries = unzipSync(zip.bytes);
  const report = JSON.parse(strFromU8(entries['report.json'])) as ExportReport;
  let zipBytes = zip.bytes;
  if (record) {
    entries['report.json'] = strToU8(JSON.stringify({ ...report, commandLine: record }, null, 2));
    zipBytes = rezip(entries);
  }
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  if (format === 'files') {
    for (const [name, bytes] of Object.entries(entries)) {
      const path = join(dir, name);
      await writeFile(path, bytes);
      files.push(path);
    }
  } else {
    const path = join(dir, zip.name);
    await writeFile(path, zipBytes);
    files.push(path);
  }
  return { format, precision, files, weightBytes: bundle.weightBytes, weightGzipBytes: bundle.weightGzipBytes, report };
}
