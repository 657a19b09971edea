// The studio's own engine (engine/studioEngine.ts), run in this Node process: the tfjs backend of
// nodeBackend.ts, the demo files from the checkout's public/ folder, the user's images decoded in
// pure JS (PNG, JPEG), the packed decoder read from disk, and each call a job with its own id and a
// progress bar. Every command goes through it, so a prune here is the studio's prune and an export
// is the studio's export, byte for byte.
import type { BackendReport, JobProgress } from '../engine/api';
import { StudioEngine } from '../engine/studioEngine';
import { nodeImageDecoder } from '../core/data/nodeImageDecoder';
import { DISK_ASSETS, PUBLIC_URL, packedDecoderSource } from './diskAssets';
import { setUpNodeBackend } from './nodeBackend';
import { seedProcessRandom } from './processSeed';
import type { Progress } from './progressBar';

export type NodeBackendName = 'wasm' | 'cpu';

export interface NodeStudio {
  engine: StudioEngine;
  backend: BackendReport;
  /** Runs one engine job with a fresh id, its progress on the bar under `title`. */
  job<T>(title: string, run: (jobId: number, onProgress: (p: JobProgress) => void) => Promise<T>): Promise<T>;
}

/** `seed` seeds the random numbers tfjs draws without a seed (processSeed.ts). */
export async function startNodeStudio(want: NodeBackendName, progress: Progress, seed = 1): Promise<NodeStudio> {
  seedProcessRandom(seed);
  const chosen = await setUpNodeBackend(want);
  const name = chosen.name === 'wasm' ? 'wasm' : 'cpu';
  // The backend is active already: the engine's choice has one candidate to confirm.
  const engine = new StudioEngine([{ name, gpu: false, activate: async () => ({ device: chosen.note, software: false }) }], {
    assets: DISK_ASSETS, decoder: nodeImageDecoder, packedDecoderSource,
  });
  const backend = await engine.init({ baseUrl: PUBLIC_URL, backend: name });
  let nextId = 1;
  return {
    engine,
    backend,
    async job(title, run) {
      const onProgress = progress.job(title);
      try {
        return await run(nextId++, onProgress);
      } finally {
        progress.done();
      }
    },
  };
}
