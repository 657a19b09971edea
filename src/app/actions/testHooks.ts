// Hooks for tests that break things on purpose, installed only with ?testhooks=1 in the URL:
// crash the engine worker (uncaught error, unhandled rejection, closing itself) or lose its GPU device.
import type { StudioBridge } from './actionContext';

export type Fault = 'throw' | 'reject' | 'exit' | 'lose-device';

export function installTestHooks(bridge: StudioBridge) {
  // Called directly, not queued: a crash must be able to land while a job runs.
  (window as unknown as { __secateurTest: unknown }).__secateurTest = {
    fault: (fault: Fault) => bridge.engine.testFault(fault),
  };
}
