// The module worker: one StudioEngine, exposed with comlink. All tfjs code lives behind this line.
import * as Comlink from 'comlink';
import { StudioEngine } from './studioEngine';
import { BACKEND_CANDIDATES } from './backends';
import { registerCpuConv2DBackpropFilter } from '../core/train/conv2DBackpropFilter';

// The cpu backend's own filter gradient is ~70x slower than its forward conv (Taylor scores, training).
registerCpuConv2DBackpropFilter();

Comlink.expose(new StudioEngine(BACKEND_CANDIDATES));
