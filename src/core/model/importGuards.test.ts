import { describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import { encryptBytes } from '../secure/encryptedFile';
import {
  MAX_FILE_BYTES, checkDropSize, checkFileSize, checkJsonDepth, checkManifestPath, checkReservedNames, checkWeightShape, guardMessages,
} from './importGuards';
import { EncryptedDropError, ImportError, loadImportedModel, readModelFiles, type InputFile } from './importFiles';
import { shardPaths } from './layersArtifacts';
import { SHARD, jsonBytes, modelFiles, tinyMlp } from './tinyModelFiles';
import { disposeModel } from '../graph/disposeModel';

const text = (s: string) => new TextEncoder().encode(s);

function importError(files: InputFile[], options = {}): string {
  try {
    readModelFiles(files, options);
  } catch (e) {
    expect(e).toBeInstanceOf(ImportError);
    return (e as Error).message;
  }
  return 'accepted';
}

describe('file sizes, before anything is read', () => {
  it('refuses a 2 GB file by its size, and a drop that is too large together', () => {
    expect(MAX_FILE_BYTES).toBe(1024 ** 3);
    expect(checkFileSize('model.zip', 2 * 1024 ** 3)).toBe(
      "model.zip: 2.00 GB, more than the studio opens (at most 1.00 GB), so it was not read. A model this large would not fit in the tab's memory: use a smaller model.");
    expect(checkFileSize('model.zip', 200_000_000)).toBeNull();
    expect(checkDropSize([{ name: 'a.bin', size: 600e6 }, { name: 'b.bin', size: 600e6 }])).toBe(
      'The 2 dropped files take 1.12 GB together, more than the studio opens (at most 1.00 GB), so none was read. Drop one model at a time.');
    expect(checkDropSize([{ name: 'model.json', size: 2e3 }, { name: 'huge.bin', size: 3e9 }])).toBe(guardMessages.fileTooLarge('huge.bin', 3e9));
    expect(checkDropSize([{ name: 'model.json', size: 2e3 }])).toBeNull();
  });

  it('readModelFiles refuses a file past the limit too, and shares the unzip budget across archives', async () => {
    const files = await modelFiles(tinyMlp());
    const drop = [{ path: 'model.json', bytes: jsonBytes(files.json) }, { path: SHARD, bytes: files.weights }];
    expect(importError(drop, { maxFileBytes: 50 })).toBe(
      "model.json: 1.4 KB, more than the studio opens (at most 50 B), so it was not read. A model this large would not fit in the tab's memory: use a smaller model.");
    const a = zipSync({ 'a/model.json': jsonBytes(files.json) });
    const b = zipSync({ [`b/${SHARD}`]: files.weights, 'b/notes.txt': new Uint8Array(3000) });
    expect(readModelFiles([{ path: 'a.zip', bytes: a }, { path: 'b.zip', bytes: b }]).params).toBe(23);
    expect(importError([{ path: 'a.zip', bytes: a }, { path: 'b.zip', bytes: b }], { maxUnzippedBytes: 3500 })).toBe(
      'b.zip: the archive says it expands to 3.0 KB, more than the studio unpacks (at most 2.0 KB), so nothing was unpacked. A model export is never that large; the file may be a zip bomb.');
  });
});

describe('JSON nesting', () => {
  it('measures depth on the bytes, strings skipped', () => {
    const deep = (n: number) => text(`${'['.repeat(n)}${']'.repeat(n)}`);
    expect(checkJsonDepth('a.json', deep(1000))).toBeNull();
    expect(checkJsonDepth('a.json', deep(1001))).toBe(
      'a.json: the JSON nests more than 1,000 levels deep, which no model does. The file is damaged or crafted: export the model again.');
    expect(checkJsonDepth('a.json', text(`{"s": "${'['.repeat(5000)}", "t": "\\"${'{'.repeat(5000)}"}`))).toBeNull();
  });

  it('a model JSON nested 100,000 levels deep fails with the message, not a stack overflow', () => {
    const deep = `{"modelTopology": {"config": ${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}, "weightsManifest": []}`;
    expect(importError([{ path: 'model.json', bytes: text(deep) }])).toBe(guardMessages.tooDeep('model.json'));
  });
});

describe('weight shapes', () => {
  it('refuses negative, fractional and too large shapes', () => {
    expect(checkWeightShape('m.json', 'k', [3, 4])).toBeNull();
    expect(checkWeightShape('m.json', 'k', [])).toBeNull();
    expect(checkWeightShape('m.json', 'k', [46341, 46341])).toBe(
      'm.json: weight k has shape [46341,46341], 2,147,488,281 values, more than one TF.js tensor can hold (2,147,483,647). The file is damaged or crafted: export the model again.');
    expect(checkWeightShape('m.json', 'k', [46340, 46340])).toBeNull();
    expect(checkWeightShape('m.json', 'k', [1e200, 1e200])).toBe(
      'm.json: weight k has shape [1e+200,1e+200], too many values, more than one TF.js tensor can hold (2,147,483,647). The file is damaged or crafted: export the model again.');
    const nonInteger = 'm.json: weight k has shape [2,-1]; a shape must be a list of non-negative integers. Export the model again.';
    expect(checkWeightShape('m.json', 'k', [2, -1])).toBe(nonInteger);
    expect(checkWeightShape('m.json', 'k', [2, 0.5])).toBe(guardMessages.badShape('m.json', 'k', [2, 0.5]));
    expect(checkWeightShape('m.json', 'k', '[2]')).toBe(guardMessages.badShape('m.json', 'k', '[2]'));
  });
});

describe('manifest paths', () => {
  it('accepts paths inside the model folder', () => {
    for (const p of ['group1-shard1of1.bin', './weights/group1-shard1of1.bin', 'group1-shard1of1.bin?v=2', 'a..b.bin', '...bin']) {
      expect(checkManifestPath('model.json', p), p).toBeNull();
    }
  });

  it('refuses a climb, an absolute URL or path, and a data: URL', () => {
    const climbs = (p: string) => guardMessages.pathClimbs('model.json', p);
    const absolute = (p: string) => guardMessages.pathAbsolute('model.json', p);
    const cases: [string, string][] = [
      ['../x.bin', climbs('../x.bin')], ['weights/../../x.bin', climbs('weights/../../x.bin')], ['%2e%2e/x.bin', climbs('%2e%2e/x.bin')],
      ['.%2E/x.bin', climbs('.%2E/x.bin')], ['..\\x.bin', climbs('..\\x.bin')],
      ['https://a.example/x.bin', absolute('https://a.example/x.bin')], ['//a.example/x.bin', absolute('//a.example/x.bin')],
      ['/etc/x.bin', absolute('/etc/x.bin')], ['javascript:alert(1)', absolute('javascript:alert(1)')], ['blob:http://x/1', absolute('blob:http://x/1')],
      ['C:\\weights\\x.bin', absolute('C:\\weights\\x.bin')], [' DATA:,abc', guardMessages.pathDataUrl('model.json', ' DATA:,abc')],
    ];
    for (const [p, m] of cases) expect(checkManifestPath('model.json', p), p).toBe(m);
    expect(climbs('../x.bin')).toBe(
      `model.json: the weight path "../x.bin" climbs out of the model's folder (".."); the studio reads weight files only from the model's own folder. Export the model again.`);
    expect(guardMessages.pathDataUrl('model.json', `data:,${'A'.repeat(1_000_000)}`)).toBe(
      `model.json: the weight path "data:,${'A'.repeat(71)}..." is a data: URL; the studio reads weight files only from the model's own folder. Export the model again.`);
  });

  it('shardPaths refuses them too, so nothing is fetched for a model URL', () => {
    const json = { modelTopology: {}, weightsManifest: [{ paths: ['group1-shard1of1.bin', 'https://a.example/x.bin'], weights: [] }] };
    expect(() => shardPaths(json, 'model.json')).toThrow(guardMessages.pathAbsolute('model.json', 'https://a.example/x.bin'));
    expect(shardPaths({ ...json, weightsManifest: [{ paths: ['a.bin', './b.bin'], weights: [] }] })).toEqual(['a.bin', './b.bin']);
  });
});

describe('reserved names', () => {
  it('finds layer names anywhere in the topology, and weight names by segment', () => {
    const topology = { class_name: 'Sequential', config: { name: 'm', layers: [{ class_name: 'Sequential', config: { name: 'inner', layers: [{ class_name: 'Dense', config: { name: 'toString' } }] } }] } };
    expect(checkReservedNames('model.json', topology, [])).toBe(guardMessages.reservedLayer('model.json', 'toString'));
    expect(checkReservedNames('model.json', { class_name: 'Sequential', config: { name: 'm', layers: [] } }, ['m/hasOwnProperty/kernel'])).toBe(
      'model.json: weight "m/hasOwnProperty/kernel" has a name JavaScript reserves for every object, which TF.js cannot load safely. Rename its layer and export the model again.');
    expect(checkReservedNames('model.json', topology.config.layers[0].config.layers[0].config, ['dense/kernel'])).toBeNull();
  });

  it('"__proto__" and "constructor" keys in a model JSON load as data, and pollute nothing', async () => {
    const files = await modelFiles(tinyMlp());
    const json = JSON.stringify(files.json)
      .replace('"units":3', '"units":3,"__proto__":{"polluted":true},"constructor":{"polluted":true}')
      .replace('"modelTopology":{', '"modelTopology":{"__proto__":{"polluted":true},');
    const imported = readModelFiles([{ path: 'model.json', bytes: text(json) }, { path: SHARD, bytes: files.weights }]);
    const model = await loadImportedModel(imported);
    expect(model.countParams()).toBe(23);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    disposeModel(model);
  });
});

describe('a file name carrying HTML', () => {
  it('is in the message as the very characters of the name', () => {
    const name = '<img src=x onerror=alert(1)>.json';
    expect(importError([{ path: name, bytes: jsonBytes({ hello: 'world' }) }])).toBe(
      `${name}: not a TF.js model (the JSON has no modelTopology or weightsManifest). Drop a model's JSON file with its weight files, its folder, or a .zip of it.`);
  });
});

describe('an encrypted export in a drop', () => {
  it('asks for its passphrase, naming the file', async () => {
    const sealed = await encryptBytes(zipSync({ 'model.json': text('{}') }), 'pass phrase', { iterations: 100_000 });
    let error: unknown;
    try {
      readModelFiles([{ path: 'fashion-cnn.zip.enc', bytes: sealed }]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EncryptedDropError);
    expect(error).toBeInstanceOf(ImportError);
    expect((error as EncryptedDropError).path).toBe('fashion-cnn.zip.enc');
    expect((error as Error).message).toBe('fashion-cnn.zip.enc: encrypted with a passphrase. Open it with its passphrase to import it.');
  });
});
