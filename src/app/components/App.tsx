import { useEffect, useRef } from 'react';
import { useStudio } from '../store';
import { redo, undo } from '../studioActions';
import { Header } from './Header';
import { ErrorBanner } from './ErrorBanner';
import { JobProgressBar } from './JobProgressBar';
import { MetricCards } from './MetricCards';
import { SummaryTable } from './SummaryTable';
import { PrunePanel } from './PrunePanel';
import { WeightsOverview } from './WeightsOverview';
import { HistogramTimeline } from './HistogramTimeline';
import { HistoryPanel } from './HistoryPanel';
import { FinetunePanel } from './FinetunePanel';
import { DropOverlay } from './DropOverlay';
import { ModelSourceNote } from './ModelSourceNote';
import { ExportPanel } from './ExportPanel';
import { ComparePanel } from './ComparePanel';
import { PlanPanel } from './PlanPanel';
import { PassphraseDialog } from './PassphraseDialog';
import { RestoreOffer } from './RestoreOffer';
import { ModelUrlOffer } from './ModelUrlOffer';
import { RecoveryNote } from './RecoveryNote';
import { SessionsList } from './SessionsList';
import { ClusterPanel } from './ClusterPanel';
import { DataPanel } from './DataPanel';
import { ClassDamagePanel } from './ClassDamagePanel';
import { ModelGraphPanel } from './ModelGraphPanel';

export function App() {
  const summary = useStudio((s) => s.summary);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // Ctrl+Z / Ctrl+Shift+Z (Cmd on macOS; Ctrl+Y too) walk the history, anywhere but in a text field.
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (!(e.ctrlKey || e.metaKey) || e.altKey || target?.matches('input[type="text"], input[type="number"], textarea')) return;
      const key = e.key.toLowerCase();
      if (key === 'z' && !e.shiftKey) undo();
      else if ((key === 'z' && e.shiftKey) || key === 'y') redo();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <div className="app" data-testid="dropzone" ref={root}>
      <DropOverlay target={root} />
      <Header />
      <StatusAnnouncer />
      <main className="main">
        <ErrorBanner />
        <RecoveryNote />
        <ModelUrlOffer />
        <RestoreOffer />
        <JobProgressBar />
        <MetricCards />
        <ModelSourceNote />
        <DataPanel />
        <div className="workbench">
          <div className="left-column">
            <PrunePanel />
            <WeightsOverview />
            <HistogramTimeline />
            <PlanPanel />
            <FinetunePanel />
            <ClusterPanel />
          </div>
          <HistoryPanel />
        </div>
        <div className="outputs">
          <ExportPanel />
          <ComparePanel />
        </div>
        <SessionsList />
        <ClassDamagePanel />
        <ModelGraphPanel />
        {summary ? <SummaryTable summary={summary} /> : <p className="placeholder">Loading the demo model…</p>}
      </main>
      <PassphraseDialog />
      <footer className="footer">
        Everything runs in this tab: the model and the data never leave your device. Demo data: Fashion-MNIST by
        Zalando Research (MIT license).
      </footer>
    </div>
  );
}

/**
 * The global state hook (`status`) and its screen-reader text. Its own component so that a change of
 * state re-renders this line only, not the whole studio (which would block the page for tens of ms
 * at every job start and end).
 */
function StatusAnnouncer() {
  const status = useStudio((s) => s.status);
  return (
    <div data-testid="status" data-state={status} className="visually-hidden" aria-live="polite">
      {status === 'busy' ? 'Working' : status === 'error' ? 'Error' : 'Ready'}
    </div>
  );
}
