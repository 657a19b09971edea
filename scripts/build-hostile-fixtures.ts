// Writes the hostile-file corpus under e2e/fixtures/hostile/ (see e2e/fixtures/README.md):
//
//   npx tsx scripts/build-hostile-fixtures.ts
//
// One folder per case with the files a user (or an attacker) would drop, and hostile/cases.json:
// [{ case, files, message }] with the exact message the studio shows. Files crafted to hurt: a zip
// bomb, a zip that lies about its sizes, JSON nested 100,000 levels deep, impossible weight shapes,
// manifest paths that point elsewhere, a file name carrying HTML, names JavaScript reserves. The 2 GB
// file is not written: `simulated` cases give a name and size for a test to fake (checkFileSize).
//
// Deterministic (fflate in pure JS, fixed dates), so src/core/model/hostileFixtures.test.ts can
// check that the committed files are what this script writes. The messages are the specification,
// written by hand here, never computed by the import code.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { deflateSync } from 'fflate';
import type { JsonObject } from '../src/core/model/kerasJson';
import { SHARD, jsonBytes, manifestWeights, modelFiles, tinyFunctional, tinyMlp } from '../src/core/model/tinyModelFiles';
import { FIXTURES_DIR } from './build-bad-fixtures';

export const HOSTILE_DIR = join(FIXTURES_DIR, 'hostile');

export interface HostileCase {
  case: string;
  /** Files of the case's folder, dropped as loose files. */
  files: string[];
  message: string;
}

/** A case with no files: a test fakes a file of this name and size. */
export interface SimulatedCase {
  case: string;
  simulated: { name: string; size: number };
  message: string;
}

const text = (s: string) => new TextEncoder().encode(s);
const AGAIN = 'Export the model again.';
const ZIP_HINT = 'Zip the model folder again, or drop its files directly.';

// --- raw zips: what zipSync will not write (shared or lying entries) -------------------------

function crc32(data: Uint8Array): number {
  let c = ~0;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

class Bytes {
  private readonly parts: number[] = [];
  u16(n: number) {
    this.parts.push(n & 0xff, (n >>> 8) & 0xff);
    return this;
  }
  u32(n: number) {
    this.u16(n & 0xffff).u16(n >>> 16);
    return this;
  }
  raw(b: Uint8Array) {
    for (const x of b) this.parts.push(x);
    return this;
  }
  get length() {
    return this.parts.length;
  }
  done() {
    return Uint8Array.from(this.parts);
  }
}

interface RawEntry {
  /** Name in the central directory. */
  name: string;
  /** Index of the local entry (its data) this directory entry points to. */
  data: number;
  /** The uncompressed size the directory declares. */
  declared: number;
}

/**
 * A zip with `payloads` as deflated local entries and `entries` in its central directory, each
 * pointing at one payload and declaring whatever size it is told to. Several entries may share one
 * payload: the overlapping-files zip bomb (D. Fifield, 2019) without the overlap.
 */
function rawZip(payloads: { name: string; plain: Uint8Array }[], entries: RawEntry[]): Uint8Array {
  const DOS_TIME = (12 << 11) | 0; // 12:00:00
  const DOS_DATE = ((2024 - 1980) << 9) | (1 << 5) | 1; // 2024-01-01
  const out = new Bytes();
  const locals = payloads.map((p) => {
    const name = text(p.name);
    const compressed = deflateSync(p.plain, { level: 9 });
    const at = out.length;
    const crc = crc32(p.plain);
    out.u32(0x04034b50).u16(20).u16(0x800).u16(8).u16(DOS_TIME).u16(DOS_DATE).u32(crc).u32(compressed.length).u32(p.plain.length).u16(name.length).u16(0).raw(name).raw(compressed);
    return { at, crc, compressed: compressed.length };
  });
  const dirAt = out.length;
  for (const e of entries) {
    const l = locals[e.data];
    const name = text(e.name);
    out.u32(0x02014b50).u16(20).u16(20).u16(0x800).u16(8).u16(DOS_TIME).u16(DOS_DATE).u32(l.crc).u32(l.compressed).u32(e.declared)
      .u16(name.length).u16(0).u16(0).u16(0).u16(0).u32(0).u32(l.at).raw(name);
  }
  const dirSize = out.length - dirAt;
  out.u32(0x06054b50).u16(0).u16(0).u16(entries.length).u16(entries.length).u32(dirSize).u32(dirAt).u16(0);
  return out.done();
}

// --- the cases -------------------------------------------------------------------------------

export async function buildHostileFixtures(): Promise<{ files: Map<string, Uint8Array>; cases: HostileCase[]; simulated: SimulatedCase[] }> {
  const mlp = await modelFiles(tinyMlp());
  const out = new Map<string, Uint8Array>();
  const cases: HostileCase[] = [];
  const add = (name: string, files: Record<string, Uint8Array>, message: string) => {
    for (const [f, b] of Object.entries(files)) out.set(`hostile/${name}/${f}`, b);
    cases.push({ case: name, files: Object.keys(files).sort(), message });
  };
  /** The tiny MLP's files with the JSON edited. */
  const edited = (edit: (json: JsonObject) => void, weights = mlp.weights) => {
    const json = structuredClone(mlp.json);
    edit(json);
    return { 'model.json': jsonBytes(json), [SHARD]: weights };
  };
  const setPaths = (paths: string[]) => (json: JsonObject) => void ((json.weightsManifest as JsonObject[])[0].paths = paths);

  // 200 directory entries of 10 MiB each share one 10 KB deflated run of zeros: 2.1 GB declared.
  const MIB10 = 10 * 1024 * 1024;
  const bombEntries = Array.from({ length: 200 }, (_, k) => ({ name: `group1-shard${k + 1}of200.bin`, data: 0, declared: MIB10 }));
  add(
    'zip-bomb',
    { 'bomb.zip': rawZip([{ name: 'group1-shard1of200.bin', plain: new Uint8Array(MIB10) }], bombEntries) },
    'bomb.zip: the archive says it expands to 1.95 GB, more than the studio unpacks (at most 1.00 GB), so nothing was unpacked. A model export is never that large; the file may be a zip bomb.',
  );
  // One entry that declares 2,000 bytes and inflates to 10 MiB: stopped just past 2,000.
  add(
    'zip-lies-about-size',
    { 'liar.zip': rawZip([{ name: 'model.json', plain: new Uint8Array(MIB10).fill(0x20) }], [{ name: 'model.json', data: 0, declared: 2000 }]) },
    `liar.zip: model.json expands past the 2.0 KB the archive declares for it, so unpacking stopped. The archive is damaged or crafted (a zip bomb?). ${ZIP_HINT}`,
  );
  add(
    'json-100000-deep',
    { 'model.json': text(`{"modelTopology":${'['.repeat(100_000)}${']'.repeat(100_000)},"weightsManifest":[]}`) },
    'model.json: the JSON nests more than 1,000 levels deep, which no model does. The file is damaged or crafted: export the model again.',
  );
  add(
    'shape-past-2-31',
    edited((j) => void (manifestWeights(j)[0].shape = [65536, 32768])),
    'model.json: weight dense_1/kernel has shape [65536,32768], 2,147,483,648 values, more than one TF.js tensor can hold (2,147,483,647). The file is damaged or crafted: export the model again.',
  );
  add(
    'shape-fractional',
    edited((j) => void (manifestWeights(j)[0].shape = [4, 2.5])),
    `model.json: weight dense_1/kernel has shape [4,2.5]; a shape must be a list of non-negative integers. ${AGAIN}`,
  );
  add(
    'shape-negative-huge',
    edited((j) => void (manifestWeights(j)[0].shape = [-65536, -65536])),
    `model.json: weight dense_1/kernel has shape [-65536,-65536]; a shape must be a list of non-negative integers. ${AGAIN}`,
  );
  add(
    'path-climbs',
    edited(setPaths([`../../private/${SHARD}`])),
    `model.json: the weight path "../../private/${SHARD}" climbs out of the model's folder (".."); the studio reads weight files only from the model's own folder. ${AGAIN}`,
  );
  add(
    'path-absolute-url',
    edited(setPaths(['https://attacker.example/collect?model=1'])),
    `model.json: the weight path "https://attacker.example/collect?model=1" is an absolute URL or path; the studio reads weight files only from the model's own folder, never from another address. ${AGAIN}`,
  );
  {
    const dataUrl = `data:application/octet-stream;base64,${Buffer.from(mlp.weights).toString('base64')}`;
    add(
      'path-data-url',
      edited(setPaths([dataUrl])),
      `model.json: the weight path "${dataUrl.slice(0, 77)}..." is a data: URL; the studio reads weight files only from the model's own folder. ${AGAIN}`,
    );
  }
  {
    const name = '<img src=x onerror=alert(document.domain)>.json';
    add(
      'html-file-name',
      { [name]: jsonBytes({ hello: 'world' }) },
      `${name}: not a TF.js model (the JSON has no modelTopology or weightsManifest). Drop a model's JSON file with its weight files, its folder, or a .zip of it.`,
    );
  }
  {
    // Functional models: TF.js keys its node tables by layer name, so these names break it.
    const functional = await modelFiles(tinyFunctional());
    const renamed = (from: string, to: string) => {
      const json = JSON.parse(JSON.stringify(functional.json).replaceAll(`"${from}`, `"${to}`)) as JsonObject;
      return { 'model.json': jsonBytes(json), [SHARD]: functional.weights };
    };
    add('layer-named-proto', renamed('dense_1', '__proto__'),
      'model.json: layer "__proto__" has a name JavaScript reserves for every object, which TF.js cannot load safely. Rename the layer and export the model again.');
    add('layer-named-constructor', renamed('dense_1', 'constructor'),
      'model.json: layer "constructor" has a name JavaScript reserves for every object, which TF.js cannot load safely. Rename the layer and export the model again.');
  }
  add(
    'weight-named-proto',
    edited((j) => void (manifestWeights(j)[1].name = '__proto__')),
    'model.json: weight "__proto__" has a name JavaScript reserves for every object, which TF.js cannot load safely. Rename its layer and export the model again.',
  );

  const simulated: SimulatedCase[] = [
    {
      case: 'two-gigabytes',
      simulated: { name: 'huge-model.zip', size: 2 * 1024 ** 3 },
      message: "huge-model.zip: 2.00 GB, more than the studio opens (at most 1.00 GB), so it was not read. A model this large would not fit in the tab's memory: use a smaller model.",
    },
  ];
  out.set('hostile/cases.json', text(`${JSON.stringify([...cases, ...simulated], null, 2)}\n`));
  return { files: out, cases, simulated };
}

async function main() {
  tf.env().set('IS_TEST', true);
  await tf.setBackend('cpu');
  const { files, cases } = await buildHostileFixtures();
  rmSync(HOSTILE_DIR, { recursive: true, force: true });
  let total = 0;
  for (const [path, b] of files) {
    mkdirSync(dirname(join(FIXTURES_DIR, path)), { recursive: true });
    writeFileSync(join(FIXTURES_DIR, path), b);
    total += b.length;
  }
  console.log(`wrote ${cases.length} hostile cases, ${files.size} files, ${(total / 1024).toFixed(1)} KiB, under ${HOSTILE_DIR}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
