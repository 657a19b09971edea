import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './components/App';
import { installBenchHooks, installTestHooks, startStudio } from './studioActions';
import { backendRequestFrom, modelUrlFrom } from './urlOptions';
import { setStudio } from './store';
import './styles.css';

// Nothing may escape as an uncaught error: show it instead.
window.addEventListener('unhandledrejection', (e) => {
  e.preventDefault();
  setStudio({ error: e.reason instanceof Error ? e.reason.message : String(e.reason) });
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

if (new URLSearchParams(location.search).has('bench')) installBenchHooks();
// Crash and device-loss hooks for the recovery tests: absent unless asked for.
const testHooks = new URLSearchParams(location.search).get('testhooks') === '1';
if (testHooks) installTestHooks();
const backend = backendRequestFrom(location.search);
// A ?backend= the studio does not know stops it with the reason: guessing would hide the mistake.
if ('error' in backend) setStudio({ fatal: true, status: 'error', error: backend.error });
else void startStudio(backend.request, modelUrlFrom(location.search), { testHooks });
