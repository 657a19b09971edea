// Writes the bad-data corpus under e2e/fixtures/bad-data/ (see its README.md):
//
//   npx tsx scripts/build-bad-data-fixtures.ts     (after build-data-fixtures.ts: the table cases use its flowers model)
//
// One folder per case holding what the user drops (a folder, a zip or a table), each one way a
// data set goes wrong, and cases.json: { models, cases: [{ case, model, drop, message, warning?,
// count?, skipped? }] }:
// - `model`: a key of `models`, the model loaded before the data is dropped: `demo` is the
//   studio's demo CNN with the demo's class names; the others are files to drop as a model.
// - `drop`: the items of the case folder to drop together, each a folder (its files reach the
//   studio with paths from the folder's name, as a folder drop gives them) or a file.
// - `message`: the exact text the studio shows: the error (the data is refused, what was loaded
//   before stays) or, with `warning: true`, the one warning of a drop that loads with `count`
//   images used and `skipped` skipped.
//
// The messages are the specification: written here by hand, never computed by the data code.
// The images are Fashion-MNIST test images from public/demo as PNGs, so running the script again
// writes the same bytes; src/core/data/badDataFixtures.test.ts checks the committed files against
// this script and every case against the data code.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FASHION_MNIST_CLASSES, type LabelledImages } from '../src/core/data/fashionMnist';
import { corruptJpegFile, greyPngFile } from '../src/core/data/testImages';
import { DEMO_CNN, FLOWERS_MODEL } from './build-data-fixtures';
import { BAD_DATA_FIXTURES, fixedZip, json, text, writeTree } from './dataFixtureFiles';
import { loadDemoSplit } from './demoAssets';

export interface BadDataModel {
  /** Model files, relative to the repository. */
  files: string[];
  /** Class names the studio knows for it without its files (the demo's), or null. */
  classNames: string[] | null;
}

export interface BadDataCase {
  case: string;
  model: string;
  drop: string[];
  message: string;
  warning?: true;
  count?: number;
  skipped?: number;
}

export const BAD_DATA_MODELS: Record<string, BadDataModel> = {
  demo: { files: DEMO_CNN, classNames: [...FASHION_MNIST_CLASSES] },
  flowers: { files: FLOWERS_MODEL, classNames: null },
  'flowers-unnamed': { files: FLOWERS_MODEL.filter((f) => !f.endsWith('metadata.json')), classNames: null },
};

const WAYS_IN =
  'Drop a folder or .zip of images in class subfolders (cats/001.jpg, dogs/001.jpg), a Teachable Machine .tm project, a folder of unlabelled images, or a CSV table.';
const CLASSES = 'T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot';

type Files = Record<string, Uint8Array>;

function png(set: LabelledImages, label: number, nth: number): Uint8Array {
  let seen = 0;
  for (let i = 0; i < set.count; i++) {
    if (set.labels[i] === label && seen++ === nth) return greyPngFile(28, 28, set.images.subarray(i * 784, (i + 1) * 784));
  }
  throw new Error(`no image ${nth} of class ${label}`);
}

const CSV_HEADER = 'f1,f2,f3,f4,species';
const csv = (...lines: string[]) => text(`${lines.join('\n')}\n`);

export async function buildBadDataFixtures(): Promise<{ files: Map<string, Uint8Array>; cases: BadDataCase[] }> {
  const test = await loadDemoSplit('test');
  // Three trousers (class 1) and three bags (class 8): classes the demo CNN tells apart.
  const clothes = (root: string): Files => {
    const f: Files = {};
    for (let k = 0; k < 3; k++) {
      f[`${root}Trouser/00${k + 1}.png`] = png(test, 1, k);
      f[`${root}Bag/00${k + 1}.png`] = png(test, 8, k);
    }
    return f;
  };
  const files = new Map<string, Uint8Array>();
  const cases: BadDataCase[] = [];
  const add = (c: BadDataCase, caseFiles: Files) => {
    for (const [p, b] of Object.entries(caseFiles)) files.set(`${c.case}/${p}`, b);
    cases.push(c);
  };
  const warn = (name: string, caseFiles: Files, message: string, count: number, skipped: number, drop = ['clothes']) =>
    add({ case: name, model: 'demo', drop, message, warning: true, count, skipped }, caseFiles);

  // --- images (the demo CNN: 28×28×1, ten named classes) --------------------------------------
  warn('corrupt-jpeg', { ...clothes('clothes/'), 'clothes/Bag/broken.jpg': corruptJpegFile() }, 'clothes/Bag/broken.jpg: a corrupt JPEG image that cannot be decoded; skipped.', 6, 1);
  warn('not-an-image', { ...clothes('clothes/'), 'clothes/Bag/notes.txt': text('bags from the spring catalogue\n') }, 'clothes/Bag/notes.txt: not an image (JPEG, PNG, WebP, BMP or GIF); skipped.', 6, 1);
  warn('zero-byte-image', { ...clothes('clothes/'), 'clothes/Bag/empty.png': new Uint8Array(0) }, 'clothes/Bag/empty.png: an empty file (0 bytes); skipped.', 6, 1);
  warn('tiny-image', { ...clothes('clothes/'), 'clothes/Bag/tiny.png': greyPngFile(4, 4, new Uint8Array(16).fill(90)) }, 'clothes/Bag/tiny.png: 4×4 pixels, smaller than the 8×8 the studio needs; skipped.', 6, 1);
  warn('image-outside-class-folders', { ...clothes('clothes/'), 'clothes/cover.png': png(test, 0, 0) }, 'clothes/cover.png: an image outside the class folders; skipped.', 6, 1);
  warn(
    'empty-class-folder',
    { 'clothes.zip': fixedZip({ ...clothes(''), 'Coat/': new Uint8Array(0) }) },
    'clothes.zip/Coat: an empty class folder (no images); the class is left out.',
    6,
    0,
    ['clothes.zip'],
  );
  warn(
    'folder-matches-no-class',
    { ...clothes('clothes/'), 'clothes/Cats/001.png': png(test, 5, 0), 'clothes/Cats/002.png': png(test, 5, 1) },
    `clothes/Cats: matches no class of the model (${CLASSES}); its 2 images are left out. Rename each folder to one of the model's classes.`,
    8,
    0,
  );
  add(
    { case: 'single-class', model: 'demo', drop: ['clothes'], message: 'clothes/Trouser: the only class folder, and accuracy needs images of at least two classes. Add a folder for each class beside it, or drop the images without class folders to measure agreement with the original model.' },
    Object.fromEntries(Object.entries(clothes('clothes/')).filter(([p]) => p.includes('Trouser'))),
  );
  add(
    { case: 'zip-without-images', model: 'demo', drop: ['clothes.zip'], message: 'clothes.zip: no images or table inside (it holds notes.txt, sizes.xml). Put the images in one folder per class (cats/001.jpg, dogs/001.jpg) and zip that folder.' },
    { 'clothes.zip': fixedZip({ 'notes.txt': text('to do: photos\n'), 'sizes.xml': text('<sizes/>\n') }) },
  );
  add(
    { case: 'not-data', model: 'demo', drop: ['report.pdf'], message: `report.pdf: neither an image nor a table. ${WAYS_IN}` },
    { 'report.pdf': text('%PDF-1.4\n%\u00e2\u00e3\n') },
  );
  add(
    { case: 'images-and-table', model: 'demo', drop: ['clothes'], message: 'The drop holds both 6 images and a table (clothes/sizes.csv); drop one data set at a time.' },
    { ...clothes('clothes/'), 'clothes/sizes.csv': csv('size,label', '1,0') },
  );
  add(
    { case: 'table-for-image-model', model: 'demo', drop: ['flowers.csv'], message: 'flowers.csv: a table, but the model takes images ([28, 28, 1]). Drop images in class folders.' },
    { 'flowers.csv': csv(CSV_HEADER, '5.1,3.5,1.4,0.2,alpha') },
  );

  // --- tables (the flowers MLP: 4 features, classes alpha / beta / gamma) -----------------------
  const table = (name: string, bytes: Uint8Array, message: string, model = 'flowers') => add({ case: name, model, drop: ['flowers.csv'], message }, { 'flowers.csv': bytes });
  table('csv-ragged-row', csv(CSV_HEADER, '5.1,3.5,1.4,0.2,alpha', '6.0,2.9,4.5,beta', '6.4,3.1,5.5,1.8,gamma'), 'flowers.csv: row 3 has 4 fields, but the header has 5 columns. Give every row one value per column.');
  table('csv-not-a-number', csv(CSV_HEADER, '5.1,3.5,1.4,0.2,alpha', '6.0,2.9,4.5,1.5,beta', '6.4,tall,5.5,1.8,gamma'), 'flowers.csv: row 4, column f2: "tall" is not a number. Features must be numbers.');
  table('csv-missing-value', csv(CSV_HEADER, '5.1,3.5,1.4,0.2,alpha', '6.0,2.9,,1.5,beta'), 'flowers.csv: row 3, column f3 is empty. Fill in every feature, or delete the row.');
  table('csv-missing-na', csv(CSV_HEADER, '5.1,3.5,1.4,NA,alpha'), 'flowers.csv: row 2, column f4 is missing ("NA"). Fill in every feature, or delete the row.');
  table(
    'csv-feature-count',
    csv('f1,f2,f3,species', '5.1,3.5,1.4,alpha', '6.0,2.9,4.5,beta'),
    "flowers.csv: 3 feature columns (f1, f2, f3) besides the label column species, but the model takes 4 features. Give the table one column per model input, in the model's order.",
  );
  table(
    'csv-no-label-column',
    csv('f1,f2,f3,f4', '5.1,3.5,1.4,0.2', '6.0,2.9,4.5,1.5'),
    'flowers.csv: no label column: its 4 columns are all features the model takes. Add a label column (named label, class, target or y), or choose "no labels" to measure agreement with the original model.',
  );
  table(
    'csv-label-outside-classes',
    csv(CSV_HEADER, '5.1,3.5,1.4,0.2,alpha', '6.0,2.9,4.5,1.5,delta'),
    'flowers.csv: row 3: the label "delta" is not a class of the model (alpha, beta, gamma). Use the model\'s class names or class numbers.',
  );
  table(
    'csv-label-count',
    csv(CSV_HEADER, '5.1,3.5,1.4,0.2,a', '6.0,2.9,4.5,1.5,b', '6.4,3.1,5.5,1.8,c', '5.0,3.0,1.6,0.2,d'),
    "flowers.csv: 4 different labels (a, b, c, d), but the model has 3 classes. Use the model's classes only.",
    'flowers-unnamed',
  );
  table('csv-missing-label', csv(CSV_HEADER, '5.1,3.5,1.4,0.2,alpha', '6.0,2.9,4.5,1.5,'), 'flowers.csv: row 3, column species: the label is empty. Give every row a label, or delete the row.');
  table('csv-unclosed-quote', csv(CSV_HEADER, '5.1,3.5,1.4,0.2,alpha', '6.0,2.9,4.5,1.5,"beta'), 'flowers.csv: row 3 opens a quote that is never closed. Close the quote, or remove it.');
  table('csv-header-only', csv(CSV_HEADER), 'flowers.csv: a header row but no data rows. Add one row per example.');
  table('csv-zero-bytes', new Uint8Array(0), 'flowers.csv: an empty file (0 bytes). Export the table again.');
  add(
    { case: 'images-for-table-model', model: 'flowers', drop: ['clothes'], message: 'clothes: images, but the model takes rows of 4 numbers. Drop a CSV table with one column per input.' },
    clothes('clothes/'),
  );

  files.set('cases.json', json({ models: BAD_DATA_MODELS, cases }));
  return { files, cases };
}

async function main() {
  const { files, cases } = await buildBadDataFixtures();
  const total = writeTree(BAD_DATA_FIXTURES, files, ['README.md']);
  console.log(`wrote ${cases.length} cases (${cases.filter((c) => c.warning).length} warnings), ${files.size} files, ${(total / 1024).toFixed(1)} KiB, under ${BAD_DATA_FIXTURES}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
