import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readDataSource, type DataSource } from './dataSource';
import { sniffImage } from './imageFormat';
import { corruptJpegFile, greyPngFile, jpegFile, rgbaOf } from './testImages';
import { dataErrorOf } from './dataErrorOf';

const png = greyPngFile(8, 8, new Uint8Array(64).fill(100));
const jpg = jpegFile(8, 8, rgbaOf(8, 8, () => 90));
const text = (s: string) => new TextEncoder().encode(s);
const files = (paths: Record<string, Uint8Array>) => Object.entries(paths).map(([path, bytes]) => ({ path, bytes }));
const zip = (entries: Record<string, Uint8Array>) => zipSync(entries, { mtime: new Date(2024, 0, 1) });

function images(source: DataSource) {
  if (source.kind === 'csv') throw new Error('a table');
  return source.layout;
}


describe('sniffImage', () => {
  it('knows the five formats by their bytes, whatever the name', () => {
    expect(sniffImage(png)).toBe('image/png');
    expect(sniffImage(jpg)).toBe('image/jpeg');
    expect(sniffImage(text('GIF89a......'))).toBe('image/gif');
    expect(sniffImage(Uint8Array.from([...text('RIFF'), 0, 0, 0, 0, ...text('WEBPVP8 ')]))).toBe('image/webp');
    const bmp = new Uint8Array(60);
    bmp.set(text('BM'));
    bmp[10] = 54;
    expect(sniffImage(bmp)).toBe('image/bmp');
    expect(sniffImage(text('BM is a name'))).toBeNull();
    expect(sniffImage(text('label,x\n1,2'))).toBeNull();
  });
});

describe('readDataSource: image folders', () => {
  it('reads class subfolders of a dropped folder, classes sorted, images by class then by number', () => {
    const layout = images(readDataSource(files({ 'pets/dogs/10.png': png, 'pets/dogs/9.png': png, 'pets/cats/1.jpg': jpg })));
    expect(layout.kind).toBe('images');
    expect(layout.root).toBe('pets');
    expect(layout.classes).toEqual(['cats', 'dogs']);
    expect(layout.classPaths).toEqual(['pets/cats', 'pets/dogs']);
    expect(layout.images.map((i) => [i.path, i.folder, i.mime])).toEqual([
      ['pets/cats/1.jpg', 0, 'image/jpeg'],
      ['pets/dogs/9.png', 1, 'image/png'],
      ['pets/dogs/10.png', 1, 'image/png'],
    ]);
    expect(layout.warnings).toEqual([]);
  });

  it('reads class folders inside a zip, and folders dropped side by side', () => {
    const z = images(readDataSource(files({ 'pets.zip': zip({ 'pets/cats/a.png': png, 'pets/dogs/b.png': png }) })));
    expect([z.root, z.classes, z.classPaths]).toEqual(['pets.zip/pets', ['cats', 'dogs'], ['pets.zip/pets/cats', 'pets.zip/pets/dogs']]);
    const side = images(readDataSource(files({ 'cats/a.png': png, 'dogs/b.png': png })));
    expect([side.root, side.classes]).toEqual(['', ['cats', 'dogs']]);
  });

  it('finds the data part of a drop that also holds the model, and sets the model files aside', () => {
    const meta = text(JSON.stringify({ labels: ['dogs', 'cats'], imageSize: 96, packageName: '@teachablemachine/image' }));
    const source = readDataSource(files({
      'my-model/model.json': text('{"modelTopology":{},"weightsManifest":[]}'),
      'my-model/weights.bin': new Uint8Array(16),
      'my-model/metadata.json': meta,
      'my-model/README.md': text('hello'),
      'my-model/data/cats/1.png': png,
      'my-model/data/dogs/1.png': png,
    }));
    const layout = images(source);
    expect([layout.root, layout.classes, layout.warnings]).toEqual(['my-model/data', ['cats', 'dogs'], []]);
    expect(source.ignored.sort()).toEqual(['my-model/README.md', 'my-model/metadata.json', 'my-model/model.json', 'my-model/weights.bin']);
    expect(source.metadata).toEqual({ path: 'my-model/metadata.json', labels: ['dogs', 'cats'], imageSize: 96, teachableImage: true, grayscale: null });
  });

  it('merges train/ and test/ folders that hold the class folders', () => {
    const layout = images(readDataSource(files({ 'd/train/cats/1.png': png, 'd/train/dogs/1.png': png, 'd/test/cats/2.png': png })));
    expect(layout.classes).toEqual(['cats', 'dogs']);
    expect(layout.images.map((i) => i.folder)).toEqual([0, 0, 1]);
    expect(layout.warnings).toEqual(['d/test, d/train: the class folders inside were merged; the studio makes its own seeded split into training and held-out images.']);
  });

  it('reads a plain folder, or loose images, as unlabelled', () => {
    const folder = images(readDataSource(files({ 'photos/1.png': png, 'photos/2.jpg': jpg })));
    expect([folder.kind, folder.classes, folder.images.map((i) => i.folder)]).toEqual(['unlabelled', [], [-1, -1]]);
    const loose = images(readDataSource(files({ '1.png': png, '2.png': png })));
    expect([loose.kind, loose.root]).toEqual(['unlabelled', '']);
  });

  it('reads a Teachable Machine project by its <Class>-!-<n> names, and one in class folders', () => {
    const byName = images(readDataSource(files({ 'my.tm': zip({ 'manifest.json': text('{}'), 'Dog-!-1.jpg': jpg, 'Cat-!-1.jpg': jpg, 'Cat-!-2.jpg': jpg }) })));
    expect([byName.kind, byName.classes, byName.images.map((i) => i.folder)]).toEqual(['tm', ['Cat', 'Dog'], [0, 0, 1]]);
    const folders = images(readDataSource(files({ 'my.tm': zip({ 'Cat/1.jpg': jpg, 'Dog/1.jpg': jpg }) })));
    expect([folders.kind, folders.classes]).toEqual(['tm', ['Cat', 'Dog']]);
  });

  it('skips, names and counts what cannot be an image in a class folder', () => {
    const layout = images(readDataSource(files({
      'pets/cats/1.png': png,
      'pets/cats/2.jpg': corruptJpegFile().slice(0, 2), // named .jpg, not a JPEG
      'pets/cats/notes.txt': text('cute'),
      'pets/dogs/1.png': png,
      'pets/dogs/empty.png': new Uint8Array(0),
      'pets/stray.png': png,
    })));
    expect(layout.images.map((i) => i.path)).toEqual(['pets/cats/1.png', 'pets/dogs/1.png']);
    expect(layout.skipped).toBe(4);
    expect(layout.warnings).toEqual([
      'pets/stray.png: an image outside the class folders; skipped.',
      'pets/cats/2.jpg: a corrupt JPEG image that cannot be decoded; skipped.',
      'pets/cats/notes.txt: not an image (JPEG, PNG, WebP, BMP or GIF); skipped.',
      'pets/dogs/empty.png: an empty file (0 bytes); skipped.',
    ]);
  });

  it('names an empty class folder of a zip, and one that holds no images', () => {
    const layout = images(readDataSource(files({ 'pets.zip': zip({ 'cats/1.png': png, 'dogs/1.png': png, 'birds/': new Uint8Array(0), 'fish/readme.txt': text('x') }) })));
    expect(layout.classes).toEqual(['cats', 'dogs']);
    expect(layout.warnings).toEqual([
      'pets.zip/fish/readme.txt: not an image (JPEG, PNG, WebP, BMP or GIF); skipped.',
      'pets.zip/birds: an empty class folder (no images); the class is left out.',
      'pets.zip/fish: an empty class folder (no images); the class is left out.',
    ]);
  });

  it('refuses a single class folder', () => {
    expect(dataErrorOf(() => readDataSource(files({ 'data/cats/1.png': png, 'data/cats/2.png': png })))).toBe(
      'data/cats: the only class folder, and accuracy needs images of at least two classes. Add a folder for each class beside it, or drop the images without class folders to measure agreement with the original model.',
    );
  });

  it('refuses a zip with no images, an empty drop and a drop of model files only', () => {
    expect(dataErrorOf(() => readDataSource(files({ 'pets.zip': zip({ 'notes.txt': text('x'), 'readme.md': text('y') }) })))).toBe(
      'pets.zip: no images or table inside (it holds notes.txt, readme.md). Put the images in one folder per class (cats/001.jpg, dogs/001.jpg) and zip that folder.',
    );
    expect(dataErrorOf(() => readDataSource([]))).toBe(
      'Nothing to read: the drop holds no files. Drop a folder or .zip of images in class subfolders (cats/001.jpg, dogs/001.jpg), a Teachable Machine .tm project, a folder of unlabelled images, or a CSV table.',
    );
    expect(dataErrorOf(() => readDataSource(files({ 'model.json': text('{}'), 'weights.bin': new Uint8Array(4) })))).toBe(
      'No images or table among the 2 dropped files (model.json, weights.bin). Drop a folder or .zip of images in class subfolders (cats/001.jpg, dogs/001.jpg), a Teachable Machine .tm project, a folder of unlabelled images, or a CSV table.',
    );
    expect(dataErrorOf(() => readDataSource(files({ 'x.zip': text('not a zip') })))).toBe('x.zip: not a readable zip archive. Zip the data folder again, or drop the folder itself.');
    expect(dataErrorOf(() => readDataSource(files({ 'x.zip': zip({}) })))).toBe('x.zip: the archive holds no files. Zip the data folder again.');
  });

  it('reads one table, and refuses a table with images or two tables', () => {
    const source = readDataSource(files({ 'iris.csv': text('a,b,label\n1,2,x\n') }));
    expect(source.kind).toBe('csv');
    expect(dataErrorOf(() => readDataSource(files({ 'd/a.csv': text('a\n1'), 'd/x/1.png': png, 'd/y/1.png': png })))).toBe(
      'The drop holds both 2 images and a table (d/a.csv); drop one data set at a time.',
    );
    expect(dataErrorOf(() => readDataSource(files({ 'a.csv': text('a\n1'), 'b.tsv': text('a\n1') })))).toBe('The drop holds 2 tables (a.csv, b.tsv); drop one at a time.');
  });
});
