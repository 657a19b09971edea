// Hooks for the browser benchmark (bench/browserBackends.ts), installed only with ?bench in the URL.
import type { StudioBridge } from './actionContext';

export function installBenchHooks(bridge: StudioBridge) {
  (window as unknown as { __secateurBench: unknown }).__secateurBench = {
    maskedStep: (options: { steps: number; warmup: number; batchSize: number }) =>
      bridge.run((engine, jobId, onProgress) => engine.benchMaskedStep(jobId, options, onProgress)).result,
    scan: (granularity: 'unstructured' | 'channels') =>
      bridge.run((engine, jobId, onProgress) => engine.scanSensitivity(jobId, { granularity, criterion: 'magnitude' }, onProgress)).result,
  };
}
