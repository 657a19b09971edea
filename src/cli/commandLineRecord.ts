// What the command line adds to the report.json it writes, under "commandLine": the options of each
// fine-tune in the recipe (the studio's report keeps only their label) and the backend that ran
// them, and the seed. With it, `secateur replay` re-runs those fine-tunes too; training is deterministic for a
// given backend and seed (seeded data order, probe inputs and Dropout masks), so the result is identical to the first run
// on the same backend, and the record says so.
import type { FinetuneOptions } from '../engine/api';
import type { ExportReport } from '../engine/exportReport';

export interface CommandLineRecord {
  generator: 'secateur command line';
  backend: string;
  /** The --seed of the run (processSeed.ts). */
  seed: number;
  /** Fine-tune options by recipe step index. */
  finetune: Record<string, FinetuneOptions>;
  reproducible: string;
}

export function commandLineRecord(backend: string, seed: number, finetune: Record<string, FinetuneOptions>): CommandLineRecord {
  const steps = Object.keys(finetune);
  return {
    generator: 'secateur command line',
    backend,
    seed,
    finetune,
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
