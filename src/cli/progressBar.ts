// Progress of the engine's jobs as one bar with an ETA on stderr (cli-progress). Quiet when stderr is
// not a terminal (a CI log, a pipe) or with --quiet: stdout stays for results.
import cliProgress from 'cli-progress';
import type { JobProgress } from '../engine/api';

export interface Progress {
  /** The engine's progress callback for one job called `title`. */
  job(title: string): (p: JobProgress) => void;
  /** Ends the current bar. */
  done(): void;
}

const SILENT: Progress = { job: () => () => {}, done: () => {} };

export function progressBar(options: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.quiet || !stream.isTTY) return SILENT;
  let bar: cliProgress.SingleBar | null = null;
  const done = () => {
    bar?.stop();
    bar = null;
  };
  return {
    job(title) {
      done();
      const b = new cliProgress.SingleBar({
        stream, format: `${title.padEnd(10)} {bar} {percentage}% | ETA {eta_formatted} | {label}`, hideCursor: true, clearOnComplete: false,
        etaBuffer: 20, fps: 10,
      }, cliProgress.Presets.shades_classic);
      b.start(1000, 0, { label: '' });
      bar = b;
      return (p) => {
        const label = p.train ? `${p.label} (step ${p.train.step}/${p.train.totalSteps}, loss ${p.train.loss.toFixed(4)})` : p.label;
        b.update(Math.round(Math.min(1, Math.max(0, p.fraction)) * 1000), { label });
      };
    },
    done,
  };
}
