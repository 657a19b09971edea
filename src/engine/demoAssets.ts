// The embedded demo as the engine reads it: the manifest (public/demo/demo.json), the demo models'
// files, and the Fashion-MNIST image sets, each read once. Reading goes through an AssetReader, so
// tests and scripts hand the engine files from memory or disk instead of fetch.
import type { DemoCatalog, DemoModelInfo, ModelFile } from './api';
import { fetchBytes, fetchGunzipped, fetchJson } from './fetchAssets';
import { decodeImageSet, FASHION_MNIST_CLASSES, type LabelledImages } from '../core/data/fashionMnist';
import { asLayersModelJson, shardPaths, type ModelJson } from '../core/model/layersArtifacts';

/** How the engine reads files by URL (the demo's, and a model URL the user gives). */
export interface AssetReader {
  bytes(url: string): Promise<ArrayBuffer>;
  /** Parsed JSON; a message naming the URL when it is not JSON. */
  json(url: string): Promise<unknown>;
  /** A .gz file's inflated bytes (or the bytes as they came, when the server already inflated them). */
  gunzipped(url: string): Promise<Uint8Array>;
}

export const FETCH_ASSETS: AssetReader = { bytes: fetchBytes, json: fetchJson, gunzipped: fetchGunzipped };

export interface DemoManifest {
  dataset: {
    name: string;
    license: string;
    classes?: string[];
    train: { images: string; labels: string; count: number };
    test: { images: string; labels: string; count: number };
  };
  models: DemoModelInfo[];
}

export class DemoAssets {
  private manifestRead: DemoManifest | null = null;
  private readonly imageSets: Partial<Record<'train' | 'test', Promise<LabelledImages>>> = {};

  /** `url` resolves a path against the page's base URL. */
  constructor(private readonly reader: AssetReader, private readonly url: (path: string) => string) {}

  async manifest(): Promise<DemoManifest> {
    this.manifestRead ??= (await this.reader.json(this.url('demo/demo.json'))) as DemoManifest;
    return this.manifestRead;
  }

  /** The demo's class names: the manifest's once it is read, else Fashion-MNIST's (no read). */
  classes(): readonly string[] {
    return this.manifestRead?.dataset.classes ?? FASHION_MNIST_CLASSES;
  }

  async catalog(): Promise<DemoCatalog> {
    const m = await this.manifest();
    return {
      dataset: {
        name: m.dataset.name,
        license: m.dataset.license,
        classes: [...(m.dataset.classes ?? FASHION_MNIST_CLASSES)],
        trainCount: m.dataset.train.count,
        testCount: m.dataset.test.count,
      },
      models: m.models,
    };
  }

  /** A demo image set, read and decoded once (a failed read is retried on the next call). */
  imageSet(which: 'train' | 'test'): Promise<LabelledImages> {
    this.imageSets[which] ??= (async () => {
      const files = (await this.manifest()).dataset[which];
      const [images, labels] = await Promise.all([this.reader.gunzipped(this.url(files.images)), this.reader.gunzipped(this.url(files.labels))]);
      return decodeImageSet(images, labels, files.images);
    })().catch((e: unknown) => {
      delete this.imageSets[which];
      throw e;
    });
    return this.imageSets[which];
  }

  async modelInfo(id: string): Promise<DemoModelInfo> {
    const info = (await this.manifest()).models.find((m) => m.id === id);
    if (!info) throw new Error(`There is no demo model called "${id}"`);
    return info;
  }

  /** A demo model's JSON and weight shards (by the paths the JSON names). */
  async modelFiles(info: DemoModelInfo): Promise<{ json: ModelJson; shards: Map<string, ArrayBuffer> }> {
    const modelUrl = this.url(info.path);
    const json = asLayersModelJson(await this.reader.json(modelUrl), info.path);
    const shards = new Map<string, ArrayBuffer>();
    await Promise.all(shardPaths(json).map(async (p) => shards.set(p, await this.reader.bytes(new URL(p, modelUrl).href))));
    return { json, shards };
  }

  /**
   * The files of a model at `url` (its JSON, then the shards it names, relative to it), as a user's
   * dropped files: a JSON that is not a model, or a shard that cannot be read, is reported by the
   * import's own checks, with every missing file named.
   */
  async modelFilesAt(url: string): Promise<ModelFile[]> {
    const modelUrl = this.url(url);
    const name = decodeURIComponent(new URL(modelUrl).pathname.split('/').pop() || 'model.json');
    const jsonBytes = new Uint8Array(await this.reader.bytes(modelUrl));
    const files: ModelFile[] = [{ path: name, bytes: jsonBytes }];
    let paths: string[] = [];
    try {
      paths = shardPaths(JSON.parse(new TextDecoder().decode(jsonBytes)) as ModelJson);
    } catch {
      paths = [];
    }
    await Promise.all(paths.map(async (p) => {
      try {
        files.push({ path: p.replace(/^\.\//, ''), bytes: new Uint8Array(await this.reader.bytes(new URL(p, modelUrl).href)) });
      } catch {
        // Reported by the import's validation, with every missing shard named.
      }
    }));
    return files;
  }
}
