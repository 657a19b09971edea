// What the command line adds to the report.json it writes, under "commandLine": the options of each
// fine-tune and clustering in the recipe (the studio's report keeps only their label), the backend
// that ran them, and the seed. With it, `secateur replay` re-runs those fine-tunes too; training is deterministic for a
// given backend and seed (seeded data order, probe inputs and Dropout masks), so the result is identical to the first run
// on the same backend, and the record says so.
import type { ClusterRequest, DataChoices, FinetuneOptions } from '../engine/api';
import type { ExportReport } from '../engine/exportReport';

export interface CommandLineRecord {
  generator: 'secateur command line';
  backend: string;
  /** The --seed of the run (processSeed.ts). */
  seed: number;
  /** Fine-tune options by recipe step index. */
  finetune: Record<string, FinetuneOptions>;
  /** Clustering requests by recipe step index (absent when none). */
  cluster?: Record<string, ClusterRequest>;
  /** The user's data the run was measured and fine-tuned on (--data), by name, and the choices it was read with. */
  data?: { name: string; choices: DataChoices };
  reproducible: string;
}

/** What a run did that its report cannot hold: the options of its fine-tunes and clusterings by step, and its data. */
export interface RunRecord {
  finetune: Record<string, FinetuneOptions>;
  cluster: Record<string, ClusterRequest>;
  data?: CommandLineRecord['data'];
}

/** A record when the run has anything a replay needs beyond the report's recipe; else null. */
export function recordOfRun(backend: string, seed: number, run: RunRecord): CommandLineRecord | null {
  return Object.keys(run.finetune).length || Object.keys(run.cluster).length || run.data ? commandLineRecord(backend, seed, run) : null;
}

export function commandLineRecord(backend: string, seed: number, { finetune, cluster, data }: RunRecord): CommandLineRecord {
  const steps = Object.keys(finetune);
  return {
    generator: 'secateur command line',
    backend,
    seed,
    finetune,
    ...(Object.keys(cluster).length ? { cluster } : {}),
    ...(data ? { data } : {}),
    reproducible: steps.length
      ? `secateur replay gives the same weights bit for bit on the ${backend} backend with seed ${seed}; fine-tuning on another backend rounds differently`
      : 'secateur replay gives the same weights bit for bit (no fine-tuning)',
  };
}

/** The record in a report, when the command line wrote it. */
export const recordOf = (report: ExportReport): CommandLineRecord | null => {
  const r = (report as ExportReport & { commandLine?: CommandLineRecord }).commandLine;
  return r && r.generator === 'secateur command line' && r.finetune && typeof r.finetune === 'object' ? r : null;
};
