import { createContext, type ReactNode, useContext } from 'react';
import { useStore } from 'zustand';
import type { Client } from '../live/client';
import type { WorkspaceState } from '../live/workspace';
import type { Stores } from '../store';
import type { AnalysisState } from '../store/analysis';
import type { AppState } from '../store/app';
import type { LiveState } from '../store/live';

/**
 * The page's stores and its client, handed down to every component (the
 * app makes them once, in main.tsx; a test makes its own). Components read
 * the stores with the selector hooks below, zustand's idiom for a store
 * that is not a module singleton.
 */
export interface AppContextValue {
  stores: Stores;
  client: Client;
}

const AppContext = createContext<AppContextValue | null>(null);

export function AppProvider({ value, children }: { value: AppContextValue; children: ReactNode }) {
  return <AppContext value={value}>{children}</AppContext>;
}

function useAppContext(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('netcanvas: a component was rendered outside <AppProvider>');
  return value;
}

/** The stores themselves: for event handlers that read or act outside a render. */
export const useStores = (): Stores => useAppContext().stores;
/** What the user asks of the server (live/client.ts). */
export const useClient = (): Client => useAppContext().client;

export const useApp = <T,>(select: (s: AppState) => T): T => useStore(useStores().app, select);
export const useLive = <T,>(select: (s: LiveState) => T): T => useStore(useStores().live, select);
export const useAnalysis = <T,>(select: (s: AnalysisState) => T): T =>
  useStore(useStores().analysis, select);
export const useWorkspace = <T,>(select: (s: WorkspaceState) => T): T =>
  useStore(useClient().workspace.store, select);
