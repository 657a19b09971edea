// A drop of data files, read as one data source (nothing decoded, nothing measured yet):
//
//   const source = readDataSource(files);   // throws DataError
//
// - images in class folders, a Teachable Machine .tm project, or unlabelled images (imageLayout.ts);
// - one CSV / TSV table (csvTable.ts);
// - the model's own files in the same drop (model.json, weight shards, metadata.json) are set aside,
//   and metadata.json / manifest.json are read for class names and Teachable Machine's settings.
import type { InputFile } from '../model/importFiles';
import { parseTable, type Table } from './csvTable';
import { expandDataDrop } from './dataDrop';
import { DataError, dataMessages } from './dataMessages';
import { imageLayout, imageLike, type ImageLayout } from './imageLayout';
import { findModelMetadata, type ModelMetadata } from './modelMetadata';

export type DataSource =
  | { kind: 'images' | 'tm' | 'unlabelled'; layout: ImageLayout; metadata: ModelMetadata | null; ignored: string[] }
  | { kind: 'csv'; table: Table; metadata: ModelMetadata | null; ignored: string[] };

export function readDataSource(files: InputFile[]): DataSource {
  const drop = expandDataDrop(files);
  const metadata = findModelMetadata(drop.entries.filter((e) => e.kind === 'model'));
  const tables = drop.entries.filter((e) => e.kind === 'table');
  const images = drop.entries.filter(imageLike);
  if (tables.length > 0 && images.length > 0) throw new DataError(dataMessages.imagesAndTable(images.length, tables[0].path));
  if (tables.length > 1) throw new DataError(dataMessages.severalTables(tables.map((t) => t.path)));
  if (tables.length === 1) {
    const table = parseTable(tables[0].path, tables[0].bytes);
    return { kind: 'csv', table, metadata, ignored: drop.entries.filter((e) => e !== tables[0]).map((e) => e.path) };
  }
  const layout = imageLayout(drop);
  if (!layout) {
    if (drop.archives.length === 1 && drop.entries.every((e) => e.zip === drop.archives[0].path)) {
      throw new DataError(dataMessages.zipNoImages(drop.archives[0].path, drop.archives[0].names));
    }
    throw new DataError(dataMessages.noData(drop.entries.map((e) => e.path).sort()));
  }
  const used = new Set(layout.images.map((i) => i.path));
  const inRoot = (p: string) => layout.root === '' || p.startsWith(`${layout.root}/`);
  const ignored = drop.entries.filter((e) => !used.has(e.path) && (e.kind === 'model' || !inRoot(e.path))).map((e) => e.path);
  return { kind: layout.kind, layout, metadata, ignored };
}
