import { useStudio } from '../store';
import { Header } from './Header';
import { ErrorBanner } from './ErrorBanner';
import { JobProgressBar } from './JobProgressBar';
import { MetricCards } from './MetricCards';
import { SummaryTable } from './SummaryTable';
import { PrunePanel } from './PrunePanel';
import { HistoryPanel } from './HistoryPanel';

export function App() {
  const status = useStudio((s) => s.status);
  const summary = useStudio((s) => s.summary);
  return (
    <div className="app" data-testid="dropzone">
      <Header />
      <div data-testid="status" data-state={status} className="visually-hidden" aria-live="polite">
        {status === 'busy' ? 'Working' : status === 'error' ? 'Error' : 'Ready'}
      </div>
      <main className="main">
        <ErrorBanner />
        <JobProgressBar />
        <MetricCards />
        <div className="workbench">
          <PrunePanel />
          <HistoryPanel />
        </div>
        {summary ? <SummaryTable summary={summary} /> : <p className="placeholder">Loading the demo model…</p>}
      </main>
      <footer className="footer">
        Everything runs in this tab: the model and the data never leave your device. Demo data: Fashion-MNIST by
        Zalando Research (MIT license).
      </footer>
    </div>
  );
}
