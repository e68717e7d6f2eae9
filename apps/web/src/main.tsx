import './jitless';
import '@xyflow/react/dist/base.css';
import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { startBench } from './bench';
import { startAnalysis } from './core/analysis';
import { restoreLocal, startLocalAutosave } from './core/local';
import { startLive } from './live/client';

const bench = new URLSearchParams(location.search).get('bench');
if (bench) startBench(bench);
else {
  restoreLocal();
  startLocalAutosave();
  startLive();
}
startAnalysis();
// ELK is large: fetch it while the user looks around, so opening a scenario is instant.
setTimeout(() => void import('elkjs/lib/elk.bundled.js'), 1500);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
