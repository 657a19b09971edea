// The drawable graph of the model as it is now (after the current step's pruning: removed channels
// show as smaller shapes): nodes, edges and channel groups as plain data. The page lays it out.
import type * as tf from '@tensorflow/tfjs';
import { modelGraphData, type ModelGraphData } from '../core/graph/modelGraph';

/** Reads the live model, never changes it. */
export function modelGraphView(live: tf.LayersModel): ModelGraphData {
  return modelGraphData(live);
}
