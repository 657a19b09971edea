// User intents -> engine jobs -> store updates. Components call these; they never talk to the engine.
import type { BackendName } from '../engine/api';
import { EngineBridge } from './engineBridge';
import { setStudio, useStudio } from './store';

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
const isCancelled = (e: unknown) => e instanceof Error && e.name === 'CancelledError';

const bridge = new EngineBridge({
  onBusyChange: (busy) => setStudio((s) => ({ status: s.fatal ? 'error' : busy ? 'busy' : 'idle' })),
  onProgress: (progress) => setStudio({ progress }),
  onWorkerError: (message) => setStudio({ fatal: true, status: 'error', error: `The engine stopped: ${message}` }),
});

function reportError(e: unknown) {
  if (!isCancelled(e)) setStudio({ error: messageOf(e) });
}

export function dismissError() {
  setStudio({ error: null });
}

async function loadAndEvaluate(id: string) {
  const summary = await bridge.run((engine, jobId, onProgress) => engine.loadDemoModel(jobId, id, onProgress)).result;
  setStudio({ summary, modelId: id, current: null, baseline: null });
  const result = await bridge.run((engine, jobId, onProgress) => engine.evaluate(jobId, onProgress)).result;
  setStudio({ baseline: result, current: result });
}

/** Picks a backend, reads the demo catalog and opens the first demo model. */
export async function startStudio(forcedBackend: BackendName | null) {
  try {
    const baseUrl = new URL(import.meta.env.BASE_URL, location.href).href;
    const backend = await bridge.run((engine) => engine.init({ baseUrl, backend: forcedBackend })).result;
    setStudio({ backend });
    const catalog = await bridge.run((engine) => engine.demoCatalog()).result;
    setStudio({ catalog });
    await loadAndEvaluate(catalog.models[0].id);
    setStudio({ readyMs: Math.round(performance.now()) });
  } catch (e) {
    // Without a backend or a model nothing else can work: say so and stay in the error state.
    const { backend, summary } = useStudio.getState();
    const fatal = !backend || !summary;
    setStudio({ fatal, status: fatal ? 'error' : 'idle', error: messageOf(e) });
  }
}

export async function switchDemoModel(id: string) {
  if (id === useStudio.getState().modelId) return;
  try {
    dismissError();
    await loadAndEvaluate(id);
  } catch (e) {
    reportError(e);
  }
}
