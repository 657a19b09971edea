// "Plan for me": a sensitivity scan of the current starting point, then per-layer sparsities for a
// target, which become the layer sliders.
import type { PlanRequest } from '../../engine/api';
import { currentPoint, type StudioState } from '../store';
import { reportError, type ActionContext } from './actionContext';
import type { ControlActions } from './controlActions';
import type { PrunePump } from './prunePump';

export interface Planning {
  /** Scans the current starting point with the current granularity and criterion. */
  runScan(): Promise<boolean>;
  /** Scans when needed, plans per-layer sparsities for the target, and sets the layer sliders to them. */
  planForMe(target: PlanRequest): Promise<void>;
  cancelPlanning(): void;
}

/** Is the last scan one of the current starting point, with the current controls? */
function scanFits(s: StudioState): boolean {
  const base = currentPoint(s)?.baseId;
  return s.scan !== null && s.scan.baseId === base && s.scan.granularity === s.controls.granularity && s.scan.criterion === s.controls.criterion;
}

export function planning(
  { bridge, store }: ActionContext,
  pump: Pick<PrunePump, 'cancelPending'>,
  controls: Pick<ControlActions, 'updateControls'>,
): Planning {
  /** The job running a scan or a plan, so that the panel can cancel it. */
  let planJob: number | null = null;

  /** Runs a scan or plan job as the one the panel can cancel; a failure is shown and gives null. */
  async function asPlanJob<T>(job: { jobId: number; result: Promise<T> }): Promise<T | null> {
    planJob = job.jobId;
    try {
      return await job.result;
    } catch (e) {
      reportError(store, e);
      return null;
    } finally {
      planJob = null;
    }
  }

  async function runScan(): Promise<boolean> {
    const { granularity, criterion, channelNorm } = store.get().controls;
    if (granularity !== 'unstructured' && granularity !== 'channels') {
      store.set({ error: '2:4 and 4:8 have no sparsity to plan: choose unstructured or channels first' });
      return false;
    }
    pump.cancelPending();
    const scan = await asPlanJob(bridge.run((engine, jobId, onProgress) =>
      engine.scanSensitivity(jobId, { granularity, criterion, channelNorm }, onProgress)));
    if (scan) store.set({ scan, plan: null, error: null });
    return scan !== null;
  }

  async function planForMe(target: PlanRequest) {
    if (!scanFits(store.get()) && !(await runScan())) return;
    const plan = await asPlanJob(bridge.run((engine, jobId, onProgress) => engine.planAllocation(jobId, target, onProgress)));
    if (!plan) return;
    store.set({ plan });
    controls.updateControls({ granularity: plan.granularity, mode: 'perLayer', perLayer: { ...plan.sparsity } }, 'now');
  }

  return {
    runScan,
    planForMe,
    cancelPlanning: () => {
      if (planJob !== null) void bridge.cancel(planJob);
    },
  };
}
