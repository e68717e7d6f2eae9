import type { ServerMessage } from '@netcanvas/shared';
import type { Stores } from '../store';
import { createLabActions, type LabActions } from './actions';
import { createApi } from './api';
import { createConnection } from './connection';
import { labDelta, labSnapshot } from './reducer';
import { createSync, type Sync } from './sync';
import { createWorkspace, type Workspace } from './workspace';

/**
 * The dashboard's side of the server, put together: the connection
 * (live/connection.ts), the design sync (live/sync.ts), the live reducer
 * (live/reducer.ts), which design this tab edits (live/workspace.ts) and
 * what the user asks of the lab (live/actions.ts). The only code that talks
 * to the server. Without a server the app keeps working from the browser's
 * own copy; with one, the design is saved there, edit by edit, and the
 * lab's live state streams in over /ws.
 *
 * Making a client starts nothing: `start` connects (the app does, once;
 * tests drive the parts directly).
 */
export interface Client {
  start(): void;
  lab: LabActions;
  workspace: Workspace;
  sync: Sync;
}

export function createClient(stores: Stores): Client {
  const { app, live } = stores;
  const api = createApi();
  // The connection and the parts it serves name each other: these forward to it.
  const connection = createConnection(live, api, {
    attached: () => workspace.attachDesign(),
    message: (m) => route(m),
    lost: () => sync.connectionLost(),
  });
  const sync = createSync({ app, live, api, send: connection.send });
  const workspace = createWorkspace({ app, live, api, sync, watch: connection.watch });
  const lab = createLabActions({
    app,
    live,
    api,
    sync,
    endpointCount: () => stores.analysis.getState().topology?.endpoints.length ?? 0,
  });

  /** Where each server message goes. */
  function route(message: ServerMessage) {
    switch (message.type) {
      case 'welcome':
        sync.setConnection(message.connection);
        break;
      case 'snapshot':
        if (message.lab?.measure) measuringAt(message.lab.measure.size);
        if (message.lab) live.setState(labSnapshot(live.getState(), message.lab));
        if (message.design) sync.snapshot(message.design);
        break;
      case 'delta': {
        const ev = message.event;
        if (ev.kind === 'design') sync.remote(ev);
        else if (ev.kind === 'design-deleted') designDeleted(ev.id);
        else {
          if (ev.kind === 'measure' && ev.running) measuringAt(ev.running.size);
          const patch = labDelta(live.getState(), ev, Date.now());
          if (patch) live.setState(patch);
        }
        break;
      }
      case 'design-saved':
        sync.saved(message);
        break;
      case 'error':
        if (message.ref !== undefined) sync.refused(message.ref, message.message);
        else app.getState().toast(`Server: ${message.message}`, 'error');
        break;
      default:
        break;
    }
  }

  /**
   * A Measure runs at its size, whichever tab started it: this tab predicts at that size too,
   * or it would compare the kernel's answers with predictions for another packet.
   */
  function measuringAt(size: number | undefined) {
    if (app.getState().pingSize !== size) app.getState().setPingSize(size);
  }

  function designDeleted(id: string) {
    if (id !== live.getState().designId || workspace.deletedHere(id)) return;
    sync.detach();
    live.setState({ labName: null });
    app
      .getState()
      .toast('This design was deleted on the server: open or create one in Designs', 'error');
  }

  return {
    // A design's lab is fixed by the server: editing its name is an edit like
    // any other, and the tab follows no other lab.
    start: () => void connection.connect(),
    lab,
    workspace,
    sync,
  };
}
