// User intents -> engine jobs -> store updates. Components call these; they never talk to the engine.
// This module only wires the pieces in actions/ together around the page's one bridge and store.
import { EngineBridge } from './engineBridge';
import { setStudio, useStudio } from './store';
import type { ActionContext, StudioStore } from './actions/actionContext';
import { studioEvents } from './actions/studioEvents';
import { historyActions } from './actions/history';
import { prunePump } from './actions/prunePump';
import { controlActions } from './actions/controlActions';
import { modelLoading } from './actions/modelLoading';
import { finetuning } from './actions/finetuning';
import { measurements } from './actions/measurements';
import { exportAction } from './actions/exporting';
import { planning } from './actions/planning';
import { weightsOverviewActions } from './actions/weightsOverview';
import { installBenchHooks as installHooks } from './actions/benchHooks';

const store: StudioStore = { get: useStudio.getState, set: setStudio };
const context: ActionContext = { bridge: new EngineBridge(studioEvents(store)), store };

const history = historyActions(context);
const pump = prunePump(context, history);
const controls = controlActions(store, pump);

export function dismissError() {
  setStudio({ error: null });
}

export const { restorePoint, undo, redo } = history;
export const { setGlobalSparsity, setLayerSparsity, setCriterion, setChannelNorm, setGranularity } = controls;
export const { startStudio, switchDemoModel, importModelFiles, importModelUrl } = modelLoading(context, pump);
export const { startFinetune, cancelFinetune, pauseFinetune, resumeFinetune, recalibrateBatchNorm } = finetuning(context, history, pump);
export const { measureSizes, compareWithOriginal, loadLayerDetail } = measurements(context);
export const exportCurrent = exportAction(context);
export const { fetchWeightsOverview } = weightsOverviewActions(context);
export const { runScan, planForMe, cancelPlanning } = planning(context, pump, controls);
export const installBenchHooks = () => installHooks(context.bridge);
