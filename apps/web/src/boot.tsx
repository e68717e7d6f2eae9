// First: zod must be told not to compile schemas before anything parses (jitless.ts).
import './jitless';
import '@xyflow/react/dist/base.css';
import './styles.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { startAnalysis } from './core/analysis';
import { KIND_DEFINITIONS } from './kinds/definitions';
import { type Client, createClient } from './live/client';
import { createStores, type Stores } from './store';
import { AppProvider } from './ui/context';

/**
 * Puts a page together, once: its stores (with each kind's defaults), its
 * client, what `prepare` does with them (main.tsx: the browser's copy and
 * the server; the benchmark: a generated design), then the diagnosis and
 * the app. The benchmark page (bench/main.ts) boots the same app.
 */
export function boot(prepare: (stores: Stores, client: Client) => void): Stores {
  const stores = createStores(KIND_DEFINITIONS);
  const client = createClient(stores);
  prepare(stores, client);
  startAnalysis(stores);
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <AppProvider value={{ stores, client }}>
        <App />
      </AppProvider>
    </StrictMode>,
  );
  return stores;
}
