import { describe, expect, it } from 'vitest';
import { zipSync, strToU8 } from 'fflate';
import { isDataDrop } from './dropKind';

const f = (path: string, bytes = new Uint8Array(1)) => ({ path, bytes });
const zip = (path: string, names: string[]) => f(path, zipSync(Object.fromEntries(names.map((n) => [n, strToU8('x')]))));

describe('isDataDrop', () => {
  it('images, tables and Teachable Machine projects are data; a README beside them changes nothing', () => {
    expect(isDataDrop([f('cats/1.jpg'), f('dogs/2.PNG'), f('README.md')])).toBe(true);
    expect(isDataDrop([f('rows.csv')])).toBe(true);
    expect(isDataDrop([f('project.tm')])).toBe(true);
    expect(isDataDrop([zip('images.zip', ['cats/', 'cats/1.jpg', 'dogs/2.webp'])])).toBe(true);
  });

  it('anything with a model file in it is a model drop', () => {
    expect(isDataDrop([f('model.json'), f('group1-shard1of1.bin')])).toBe(false);
    expect(isDataDrop([f('model.json'), f('data/cats/1.jpg')])).toBe(false);
    expect(isDataDrop([zip('model.zip', ['model.json', 'weights.bin'])])).toBe(false);
    expect(isDataDrop([f('export.secateur')])).toBe(false);
    expect(isDataDrop([f('broken.zip', new Uint8Array([1, 2, 3]))])).toBe(false);
    expect(isDataDrop([f('README.md')])).toBe(false);
    expect(isDataDrop([])).toBe(false);
  });
});
