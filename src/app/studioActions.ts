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
import { clustering } from './actions/clustering';
import { weightsOverviewActions } from './actions/weightsOverview';
import { histogramTimelineActions } from './actions/histogramTimeline';
import { modelGraphActions } from './actions/modelGraph';
import { installBenchHooks as installHooks } from './actions/benchHooks';
import { encryptedOpen } from './actions/encryptedOpen';
import { sessionActions } from './actions/sessions';
import { recovery } from './actions/recovery';
import { installTestHooks as installFaultHooks } from './actions/testHooks';
import type { BackendRequest, ImportOptions, ModelFile } from '../engine/api';
import { dataActions, splitDataTree } from './actions/data';
import { isDataDrop } from './files/dropKind';

const store: StudioStore = { get: useStudio.getState, set: setStudio };
// A crashed worker is restarted by the bridge; `recover` (set below) brings the session back.
let recover: (reason: string, interrupted: string | null) => Promise<void> = async () => {};
const events = { ...studioEvents(store), onWorkerCrash: (reason: string, interrupted: string | null) => void recover(reason, interrupted) };
const context: ActionContext = { bridge: new EngineBridge(events), store };

const history = historyActions(context);
const pump = prunePump(context, history);
const controls = controlActions(store, pump);

export function dismissError() {
  setStudio({ error: null });
}

export const { restorePoint, undo, redo } = history;
export const { setGlobalSparsity, setLayerSparsity, setCriterion, setChannelNorm, setGranularity } = controls;
const loading = modelLoading(context, pump);
const sessions = sessionActions(context, pump);
sessions.watch(useStudio.subscribe);
export const { switchDemoModel, importModelUrl } = loading;
export const { openSession, dismissRestore, renameSession, deleteSession } = sessions;

const start = { backend: null as BackendRequest | null, testHooks: false };
recover = recovery(context, { openSession: sessions.openSession, switchDemoModel: loading.switchDemoModel, start });

/** Starts the engine with the first demo, and offers the newest saved session meanwhile. */
export function startStudio(forcedBackend: BackendRequest | null, modelUrl: string | null = null, options: { testHooks?: boolean } = {}): Promise<void> {
  Object.assign(start, { backend: forcedBackend, testHooks: options.testHooks ?? false });
  void sessions.offerRestore();
  return loading.startStudio(forcedBackend, modelUrl, options);
}
export const dismissRecovery = () => setStudio({ recovery: null });
export const installTestHooks = () => installFaultHooks(context.bridge);
const data = dataActions(context, pump);
export const { loadDataFiles, updateDataChoices, clearData, measureClassDamage } = data;

/** Opens a model; a data/ tree in the same drop is then loaded as its data (when the model opened). */
async function importModelAndData(files: ModelFile[], options?: ImportOptions): Promise<boolean> {
  const split = splitDataTree(files);
  const opened = await loading.importModelFiles(split.model, options);
  if (opened && split.data.length > 0) await data.loadDataFiles(split.data);
  return opened;
}
/** A drop of model files (and its data/ tree); an encrypted one asks for its passphrase first. */
export const { importModelFiles, submitPassphrase, cancelPassphrase } = encryptedOpen(store, importModelAndData);
/** A drop anywhere on the page: data when every file is data (dropKind.ts), else a model. */
export const importDroppedFiles = async (files: ModelFile[]): Promise<void> => {
  if (isDataDrop(files)) await data.loadDataFiles(files);
  else await importModelFiles(files);
};
export const { startFinetune, cancelFinetune, pauseFinetune, resumeFinetune, recalibrateBatchNorm } = finetuning(context, history, pump);
export const { measureSizes, compareWithOriginal, loadLayerDetail, measureWhole } = measurements(context);
export const exportCurrent = exportAction(context);
export const { fetchWeightsOverview } = weightsOverviewActions(context);
export const { fetchTimeline } = histogramTimelineActions(context);
export const { loadModelGraph } = modelGraphActions(context);
export const { runScan, planForMe, cancelPlanning } = planning(context, pump, controls);
export const { clusterWeights } = clustering(context, history, pump);
export const installBenchHooks = () => installHooks(context.bridge);
