// The module worker: one StudioEngine, exposed with comlink. All tfjs code lives behind this line.
import * as Comlink from 'comlink';
import { StudioEngine } from './studioEngine';
import { BACKEND_CANDIDATES } from './backends';

Comlink.expose(new StudioEngine(BACKEND_CANDIDATES));
