// The module worker: one StudioEngine, exposed with comlink. All tfjs code lives behind this line.
import * as Comlink from 'comlink';
import { StudioEngine } from './studioEngine';
import { BACKEND_CANDIDATES } from './backends';
import { indexedDbChoiceMemory } from './backendMemory';
import { registerCpuConv2DBackpropFilter } from '../core/train/conv2DBackpropFilter';

// The cpu backend's own filter gradient is ~70x slower than its forward conv (Taylor scores, training).
registerCpuConv2DBackpropFilter();

// The worker holds a Web Lock named after itself for its whole life: the page is granted the lock
// once the worker is gone, however it ended (engineBridge.ts). init waits until it is held.
const scope = self as unknown as { name: string; navigator: Navigator; addEventListener: typeof addEventListener };
const held = new Promise<void>((resolve) => {
  if (!scope.name || !scope.navigator.locks) return resolve();
  void scope.navigator.locks.request(scope.name, () => {
    resolve();
    return new Promise<never>(() => {});
  });
});

// A rejection nobody handles is a crash like an uncaught error: it reaches the page's error event.
scope.addEventListener('unhandledrejection', (e) => {
  e.preventDefault();
  const reason = e.reason instanceof Error ? e.reason : new Error(String(e.reason));
  setTimeout(() => {
    throw reason;
  });
});

const engine = new StudioEngine(BACKEND_CANDIDATES, { choiceMemory: indexedDbChoiceMemory() });
const init = engine.init.bind(engine);
engine.init = async (options) => {
  await held;
  return init(options);
};
Comlink.expose(engine);
