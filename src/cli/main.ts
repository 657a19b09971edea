// The command line: `secateur inspect | prune | replay`, parsed with commander. Every command runs
// the studio's engine in this process (nodeStudio.ts). Results go to stdout (text, or JSON with
// --json), progress and errors to stderr. Exit codes: 0 done, 1 bad input (the studio's own message),
// 2 bad usage.
import { Command, CommanderError, Option } from 'commander';
import type { ExportFormat, ExportPrecision } from '../engine/api';
import type { NodeBackendName, NodeStudio } from './nodeStudio';
import { checkExportFlags, dataJob, numberFlag, parseFraction, pruneJob, type PruneFlags } from './pruneFlags';
import { EXIT, UsageError } from './usage';

interface CommonFlags {
  json?: boolean;
  quiet?: boolean;
  backend: NodeBackendName;
  seed?: number;
}

const print = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

// tfjs and the engine are loaded only once the flags are known to be right: a usage error is quick.
async function withStudio<T>(flags: CommonFlags, work: (studio: NodeStudio) => Promise<T>, seed = flags.seed ?? 1): Promise<T> {
  const [{ startNodeStudio }, { progressBar }] = await Promise.all([import('./nodeStudio'), import('./progressBar')]);
  return work(await startNodeStudio(flags.backend, progressBar({ quiet: flags.quiet }), seed));
}

const PRUNE_SEED = 'seeds the random criterion (default: the studio\'s seed, 1) and the random numbers tfjs draws without a seed (Dropout while fine-tuning), so a run can be replayed';
const REPLAY_SEED = 'seeds the random numbers tfjs draws without a seed (Dropout while fine-tuning; default: the seed the report records); the random criterion takes the seed each step\'s settings record';
const seedOption = (c: Command, help: string) => c.option(
  '--seed <n>',
  help,
  (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new UsageError(`--seed must be a whole number from 0 to 4294967295, got "${v}"`);
    return n;
  },
);

const common = (c: Command) => c
  .option('--json', 'print the result as JSON on stdout')
  .option('-q, --quiet', 'no progress bar')
  .addOption(new Option('--backend <name>', 'tfjs backend in Node').choices(['wasm', 'cpu']).default('wasm'));

type DataFlags = Pick<PruneFlags, 'data' | 'labelColumn'>;

const dataOptions = (c: Command) => c
  .option('-d, --data <path>', 'your data, as the studio\'s Data panel takes it: a folder of class folders of images, a .zip, a .tm project or a CSV; the model is measured and fine-tuned on it')
  .option('--label-column <name>', 'the CSV\'s label column (default: guessed, as the studio does); none: the table has no labels');

const FORMAT_HELP = 'loose files (model.json, shards, README.md, report.json), the studio\'s .zip, or the packed .zip (model.secpak and its decoder.mjs; float32)';
const exportOptions = (c: Command, format: Option) => c
  .requiredOption('-o, --out <dir>', 'folder to write the export to (created if missing)')
  .addOption(format.choices(['files', 'zip', 'packed']));

export function program(): Command {
  const prog = new Command('secateur')
    .description('Prune TensorFlow.js models from the command line, with the same engine as the Secateur studio.')
    .showHelpAfterError('(secateur <command> --help lists the options)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });

  common(prog.command('inspect')
    .description('the summary table: layers, parameters, MACs, what is prunable, what is locked and why')
    .argument('<model>', 'a model folder, a model JSON (its weight files beside it), or a .zip'))
    .action(async (model: string, flags: CommonFlags) => {
      const [{ inspectResult, inspectText }, { importModelAt }] = await Promise.all([import('./inspect'), import('./pruneCommand')]);
      const r = await withStudio(flags, async (studio) => inspectResult(await importModelAt(studio, model), studio.backend));
      print(flags.json ? JSON.stringify(r, null, 2) : inspectText(r));
    });

  common(seedOption(exportOptions(dataOptions(prog.command('prune')
    .description('prune a model (one shot from the original, optionally planned, clustered and fine-tuned) and write the studio\'s export')
    .argument('<model>', 'a model folder, a model JSON (its weight files beside it), or a .zip'))
    .addOption(new Option('-g, --granularity <g>', 'what is cut').choices(['unstructured', '2:4', '4:8', 'channels']).default('unstructured'))
    .addOption(new Option('-c, --criterion <c>', 'importance: magnitude, random, taylor (gradients on the model\'s data), or merge (channels: similar units merged)').choices(['magnitude', 'random', 'taylor', 'merge']).default('magnitude'))
    .option('-s, --sparsity <fraction>', 'global target: fraction of prunable weights (channels: of channels), e.g. 0.8', (v) => parseFraction(v, '--sparsity'))
    .option('-l, --layer <layer=fraction>', 'per-layer target, repeatable: --layer conv1=0.3 --layer dense=0.9', (v, prev: string[]) => [...prev, v], [])
    .addOption(new Option('--channel-norm <norm>', 'channels with magnitude: rank channels by their L1 or L2 norm').choices(['l1', 'l2']))
    .option('--plan <target>', 'scan sensitivity and allocate per-layer targets: sparsity=0.9, gzip-bytes=60000, macs=400000 or max-drop=0.01')
    .addOption(new Option('-p, --precision <p>', 'weights of the export').choices(['float32', 'float16', 'uint8']).default('float32'))
    .option('--epochs <n>', 'fine-tune after pruning for this many epochs (pruned weights stay 0)', numberFlag('--epochs'))
    .option('--lr <rate>', 'fine-tuning learning rate', numberFlag('--lr'), 0.001)
    .addOption(new Option('--optimizer <name>', 'fine-tuning optimizer').choices(['adam', 'sgd']).default('adam'))
    .option('--batch <n>', 'fine-tuning batch size', numberFlag('--batch'), 64)
    .option('--distill', 'fine-tune on the original model\'s outputs instead of labels')
    .addOption(new Option('--schedule <kind>', 'prune while fine-tuning instead of once: agp (gradual, cubic) or iterative, up to --sparsity; needs --epochs').choices(['agp', 'iterative']))
    .option('--rounds <n>', 'pruning events of the schedule (1 to 100, default 10)', numberFlag('--rounds'))
    .option('--cluster-k <k>', 'weight sharing after pruning: k shared values (2 to 256) per kernel, pruned weights kept at 0', numberFlag('--cluster-k'))
    .addOption(new Option('--cluster-init <init>', 'how k-means starts (default kmeans++)').choices(['linear', 'kmeans++', 'density']))
    .option('--cluster <layer=k>', 'a layer\'s own k, repeatable; 0 leaves the layer as it is: --cluster conv1=8 --cluster fc2=0', (v, prev: string[]) => [...prev, v], []),
  new Option('--format <format>', FORMAT_HELP).default('files')), PRUNE_SEED))
    .action(async (model: string, flags: CommonFlags & PruneFlags) => {
      const job = pruneJob(flags);
      checkExportFlags(flags.format, flags.precision);
      const out = { dir: flags.out, format: flags.format, precision: flags.precision };
      const [{ runPrune }, { outcomeText }] = await Promise.all([import('./pruneCommand'), import('./outcomeText')]);
      const r = await withStudio(flags, (studio) => runPrune(studio, model, job, out, flags.seed ?? 1));
      for (const w of r.data?.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
      print(flags.json ? JSON.stringify(r, null, 2) : outcomeText(r));
    });

  common(seedOption(exportOptions(dataOptions(prog.command('replay')
    .description('re-run the steps of a Secateur export\'s report.json on the same model and write the export again')
    .argument('<report>', 'report.json, or the studio\'s exported .zip that holds it')
    .argument('<model>', 'the original model: a folder, a model JSON, or a .zip'))
    .addOption(new Option('-p, --precision <p>', 'weights of the export (default: the report\'s)').choices(['float32', 'float16', 'uint8'])),
    new Option('--format <format>', `${FORMAT_HELP} (default: packed for a packed export's report, else files)`)), REPLAY_SEED))
    .action(async (report: string, model: string, flags: CommonFlags & DataFlags & { out: string; format?: ExportFormat; precision?: ExportPrecision }) => {
      checkExportFlags(flags.format, flags.precision);
      const data = dataJob(flags);
      const [{ readReport, runReplay }, { recordOf }, { outcomeText }] = await Promise.all([import('./replayCommand'), import('./commandLineRecord'), import('./outcomeText')]);
      const recorded = await readReport(report);
      // The seed the report's fine-tunes ran with, unless --seed says otherwise.
      const seed = flags.seed ?? recordOf(recorded)?.seed ?? 1;
      const r = await withStudio(flags, (studio) => runReplay(studio, recorded, report, model, { dir: flags.out, precision: flags.precision, format: flags.format }, seed, data), seed);
      print(flags.json ? JSON.stringify(r, null, 2) : outcomeText(r));
      if (!r.matches) throw new Error(`The replayed model does not match the report: ${r.mismatches.join('; ')}`);
    });

  return prog;
}

/** Runs the command line on `argv` (without node and the script) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and --version end with exit code 0; commander has already printed its message.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`${message}\n`);
    if (e instanceof UsageError) return EXIT.usage;
    if (process.env.SECATEUR_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return EXIT.badInput;
  }
}
