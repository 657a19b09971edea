// Writes the studio's export of the current model to a folder: its .zip as the studio downloads it,
// or the same .zip's entries as loose files (model.json, the weight shards, README.md, report.json, report.html).
// With a command-line record (fine-tune options), report.json gains it under "commandLine" and the
// .zip is written again around it (the model files inside are unchanged).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import type { ExportBundle, ExportFormat, ExportPrecision } from '../engine/api';
import type { ExportReport } from '../engine/exportReport';
import type { CommandLineRecord } from './commandLineRecord';
import type { NodeStudio } from './nodeStudio';

export interface WrittenExport {
  format: ExportFormat;
  precision: ExportPrecision;
  /** Paths written, the model's files first. */
  files: string[];
  weightBytes: number;
  weightGzipBytes: number;
  report: ExportReport;
}

export async function writeExport(
  studio: NodeStudio, outDir: string, precision: ExportPrecision, format: ExportFormat, record: CommandLineRecord | null = null,
): Promise<WrittenExport> {
  // Always the studio's .zip: the loose files are its entries, so both formats hold the same bytes and a report.
  const bundle: ExportBundle = await studio.job('export', (id, p) => studio.engine.exportModel(id, { precision, format: 'zip' }, p));
  const zip = bundle.files[0];
  const entries = unzipSync(zip.bytes);
  const report = JSON.parse(strFromU8(entries['report.json'])) as ExportReport;
  let zipBytes = zip.bytes;
  if (record) {
    entries['report.json'] = strToU8(JSON.stringify({ ...report, commandLine: record }, null, 2));
    // The same level as the studio's exportZip.
    zipBytes = zipSync(entries, { level: 6 });
  }
  await mkdir(outDir, { recursive: true });
  const files: string[] = [];
  if (format === 'zip') {
    const path = join(outDir, zip.name);
    await writeFile(path, zipBytes);
    files.push(path);
  } else {
    for (const [name, bytes] of Object.entries(entries)) {
      const path = join(outDir, name);
      await writeFile(path, bytes);
      files.push(path);
    }
  }
  return { format, precision, files, weightBytes: bundle.weightBytes, weightGzipBytes: bundle.weightGzipBytes, report };
}
