import { type AnalysisStore, createAnalysisStore } from './analysis';
import { type AppStore, createAppStore } from './app';
import type { KindRules } from './design';
import { createLiveStore, type LiveStore } from './live';

/**
 * The page's state, in three zustand stores: the document and the page
 * around it (`app`), what the server says about the running lab (`live`),
 * and the browser's own diagnosis of the design (`analysis`). The app makes
 * them once (main.tsx) and hands them down (ui/context.tsx, createClient);
 * each test makes its own.
 */
export interface Stores {
  app: AppStore;
  live: LiveStore;
  analysis: AnalysisStore;
}

export function createStores(kinds: KindRules): Stores {
  return { app: createAppStore(kinds), live: createLiveStore(), analysis: createAnalysisStore() };
}
