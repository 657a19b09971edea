// Every sentence the studio says about a user's data set, in one place. Each names the file (and
// the row and column of a table) first and ends with what to do. The tests and the e2e corpus
// (e2e/fixtures/bad-data/cases.json, written by scripts/build-bad-data-fixtures.ts) assert them
// verbatim, so change them together.
//
// Two kinds: an error (DataError) refuses the drop, and the data the studio had stays; a warning
// names something that was skipped or left out, and the rest of the drop is used.

/** A data set the studio refuses; `message` is what the user sees, verbatim. */
export class DataError extends Error {
  override name = 'DataError';
}

/** 1,389,254: grouped by thousands with commas, the same in every locale. */
export function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${formatCount(n / 1e6)} MB`;
  if (n >= 1e3) return `${formatCount(n / 1e3)} KB`;
  return `${n} bytes`;
}

/** a, b, c and 4 more */
export function listNames(names: readonly string[], max = 6): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${formatCount(n)} ${n === 1 ? one : many}`;

export const WAYS_IN =
  'Drop a folder or .zip of images in class subfolders (cats/001.jpg, dogs/001.jpg), a Teachable Machine .tm project, a folder of unlabelled images, or a CSV table.';

export const MIN_IMAGE_SIDE = 8;

export const dataMessages = {
  // --- the drop -------------------------------------------------------------------------------
  nothingDropped: () => `Nothing to read: the drop holds no files. ${WAYS_IN}`,
  noData: (paths: readonly string[]) =>
    paths.length === 1
      ? `${paths[0]}: neither an image nor a table. ${WAYS_IN}`
      : `No images or table among the ${formatCount(paths.length)} dropped files (${listNames(paths)}). ${WAYS_IN}`,
  zipNoImages: (zip: string, inside: readonly string[]) =>
    `${zip}: no images or table inside (it holds ${listNames(inside)}). Put the images in one folder per class (cats/001.jpg, dogs/001.jpg) and zip that folder.`,
  emptyZip: (zip: string) => `${zip}: the archive holds no files. Zip the data folder again.`,
  corruptZip: (zip: string) => `${zip}: not a readable zip archive. Zip the data folder again, or drop the folder itself.`,
  imagesAndTable: (images: number, table: string) =>
    `The drop holds both ${plural(images, 'image')} and a table (${table}); drop one data set at a time.`,
  severalTables: (paths: readonly string[]) => `The drop holds ${formatCount(paths.length)} tables (${listNames(paths)}); drop one at a time.`,

  // --- image folders --------------------------------------------------------------------------
  singleClass: (folder: string) =>
    `${folder}: the only class folder, and accuracy needs images of at least two classes. Add a folder for each class beside it, or drop the images without class folders to measure agreement with the original model.`,
  emptyClassFolder: (folder: string) => `${folder}: an empty class folder (no images); the class is left out.`,
  looseImages: (paths: readonly string[]) =>
    paths.length === 1
      ? `${paths[0]}: an image outside the class folders; skipped.`
      : `${listNames(paths, 3)}: ${formatCount(paths.length)} images outside the class folders; skipped.`,
  notAnImage: (path: string) => `${path}: not an image (JPEG, PNG, WebP, BMP or GIF); skipped.`,
  emptyFile: (path: string) => `${path}: an empty file (0 bytes); skipped.`,
  corruptImage: (path: string, format: string) => `${path}: a corrupt ${format} image that cannot be decoded; skipped.`,
  tooSmall: (path: string, width: number, height: number) =>
    `${path}: ${width}×${height} pixels, smaller than the ${MIN_IMAGE_SIDE}×${MIN_IMAGE_SIDE} the studio needs; skipped.`,
  nodeCannotDecode: (path: string, format: string) =>
    `${path}: a ${format} image, which the Node decoder cannot read (it reads PNG and JPEG; ${format} decodes in the browser); skipped.`,
  noImagesLeft: (total: number) =>
    `None of the ${plural(total, 'image')} could be used (see the warnings above). Drop images of at least ${MIN_IMAGE_SIDE}×${MIN_IMAGE_SIDE} pixels in JPEG, PNG, WebP, BMP or GIF.`,
  tooBig: (count: number, shape: string, bytes: number, budget: number, fits: number) =>
    `${formatCount(count)} images at ${shape} would hold ${formatBytes(bytes)} of pixels, more than the ${formatBytes(budget)} the studio keeps for data. Drop at most ${formatCount(fits)} images (a sample of each class folder).`,
  unmatchedFolders: (folders: readonly string[], images: number, classes: readonly string[]) =>
    `${listNames(folders)}: ${folders.length === 1 ? 'matches' : 'match'} no class of the model (${listNames(classes, 10)}); ${folders.length === 1 ? 'its' : 'their'} ${plural(images, 'image')} ${images === 1 ? 'is' : 'are'} left out. Rename each folder to one of the model's classes.`,
  unmatchedByPrediction: (folders: readonly string[], images: number) =>
    `${listNames(folders)}: the original model gives none of ${folders.length === 1 ? 'its' : 'their'} ${plural(images, 'image')} a class of ${folders.length === 1 ? 'its' : 'their'} own, so ${folders.length === 1 ? 'it matches' : 'they match'} no class of the model and ${images === 1 ? 'is' : 'are'} left out. Check the class table, or add the model's metadata.json with its labels.`,
  noFolderMatches: (folders: readonly string[], classes: readonly string[]) =>
    `${listNames(folders)}: no class folder matches a class of the model (${listNames(classes, 10)}). Rename each folder to one of the model's classes.`,
  namesMatchNone: (classes: readonly string[]) =>
    `The folder names match none of the model's classes (${listNames(classes, 10)}), so the original model's predictions matched them instead; check the class table.`,
  modelNotSupported: (shape: string) =>
    `The model takes inputs of shape ${shape}; the studio measures your own data on image models ([height, width, 1 or 3]) and table models ([features]) with one input and one output.`,
  tableUnmatchedLabels: (path: string, labels: readonly string[], rows: number) =>
    `${path}: the original model predicts none of the rows labelled ${listNames(labels)} as a class of ${labels.length === 1 ? 'its' : 'their'} own, so ${labels.length === 1 ? 'that label matches' : 'those labels match'} no class of the model; ${plural(rows, 'row')} left out. Use the model's class numbers as labels.`,
  mergedSplitFolders: (folders: readonly string[]) =>
    `${listNames(folders)}: the class folders inside were merged; the studio makes its own seeded split into training and held-out images.`,
  imagesForTabularModel: (where: string, inputs: string) =>
    `${where}: images, but the model takes ${inputs}. Drop a CSV table with one column per input.`,
  tableForImageModel: (path: string, inputs: string) =>
    `${path}: a table, but the model takes images (${inputs}). Drop images in class folders.`,

  // --- tables ---------------------------------------------------------------------------------
  // Rows are numbered as a spreadsheet shows them: the header is row 1, the first example row 2.
  tableEmpty: (path: string) => `${path}: the table is empty. A table needs a header row and then one row per example.`,
  tableHeaderOnly: (path: string) => `${path}: a header row but no data rows. Add one row per example.`,
  tableRagged: (path: string, row: number, fields: number, columns: number) =>
    `${path}: row ${row} has ${plural(fields, 'field')}, but the header has ${plural(columns, 'column')}. Give every row one value per column.`,
  tableQuote: (path: string, row: number) =>
    `${path}: row ${row} opens a quote that is never closed. Close the quote, or remove it.`,
  tableMissing: (path: string, row: number, column: string, value: string) =>
    `${path}: row ${row}, column ${column} is ${value === '' ? 'empty' : `missing ("${value}")`}. Fill in every feature, or delete the row.`,
  tableNotNumber: (path: string, row: number, column: string, value: string) =>
    `${path}: row ${row}, column ${column}: "${value}" is not a number. Features must be numbers.`,
  tableLabelNotNumber: (path: string, row: number, column: string, value: string) =>
    `${path}: row ${row}, column ${column}: "${value}" is not a number, and a regression model's label must be one.`,
  tableFeatureCount: (path: string, got: number, columns: readonly string[], expected: number, label: string | null) =>
    `${path}: ${plural(got, 'feature column')} (${listNames(columns)})${label === null ? '' : ` besides the label column ${label}`}, but the model takes ${plural(expected, 'feature')}. Give the table one column per model input, in the model's order.`,
  tableNoLabel: (path: string, columns: number) =>
    `${path}: no label column: its ${plural(columns, 'column')} are all features the model takes. Add a label column (named label, class, target or y), or choose "no labels" to measure agreement with the original model.`,
  tableNoSuchColumn: (path: string, name: string, columns: readonly string[]) =>
    `${path}: no column named "${name}" (its columns: ${listNames(columns, 12)}). Choose the label column from the header.`,
  tableLabelOutside: (path: string, row: number, label: string, classes: string) =>
    `${path}: row ${row}: the label "${label}" is not a class of the model (${classes}). Use the model's class names or class numbers.`,
  tableLabelCount: (path: string, labels: readonly string[], outputs: number) =>
    `${path}: ${formatCount(labels.length)} different labels (${listNames(labels)}), but the model has ${plural(outputs, 'class', 'classes')}. Use the model's classes only.`,
  tableMissingLabel: (path: string, row: number, column: string) =>
    `${path}: row ${row}, column ${column}: the label is empty. Give every row a label, or delete the row.`,
  tableZeroBytes: (path: string) => `${path}: an empty file (0 bytes). Export the table again.`,
};
