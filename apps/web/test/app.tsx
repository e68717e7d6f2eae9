import type { ReactNode } from 'react';
import { KIND_DEFINITIONS } from '../src/kinds/definitions';
import { createClient } from '../src/live/client';
import { createStores } from '../src/store';
import { AppProvider } from '../src/ui/context';

/**
 * A page's stores and client, fresh for one test (the app makes them once,
 * in boot.tsx). The client is made but not started: no socket, no fetch
 * until a test calls one of its actions.
 */
export function freshApp() {
  const stores = createStores(KIND_DEFINITIONS);
  const client = createClient(stores);
  return {
    stores,
    client,
    /** The app store's state now. */
    app: () => stores.app.getState(),
    /** `ui` inside this page's provider, as boot.tsx renders the app. */
    wrap: (ui: ReactNode) => <AppProvider value={{ stores, client }}>{ui}</AppProvider>,
  };
}
export type TestApp = ReturnType<typeof freshApp>;
