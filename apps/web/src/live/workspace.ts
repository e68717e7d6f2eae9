import type { Design } from '@netcanvas/shared';
import {
  DesignList,
  DesignRecord,
  type DesignSummary,
  DestroyAnswer,
  type LabEntry,
  LabList,
  VersionList,
  type VersionSummary,
} from '@netcanvas/shared';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { laidOut, openDesign as openLocally, readDesignOrSay } from '../core/io';
import { needsLayout } from '../model/flow';
import { autoLayout } from '../model/layout';
import type { Stores } from '../store';
import { emptyDesign } from '../store/design';
import { labDeployed } from '../store/live';
import { type Api, ApiError } from './api';
import type { Sync } from './sync';

/**
 * Which design this tab edits, and the designs and labs around it. Every
 * design owns one lab, fixed by the server when the design is created; so
 * opening, importing or creating another design never touches the lab of
 * the one left behind: it keeps running, attached to its design, and the
 * Labs view lists it. A scenario or a file opened here becomes a new
 * design with a lab of its own (two opens, two labs).
 */

export type View = 'designs' | 'labs';

export interface WorkspaceState {
  view: View | null;
  designs: DesignSummary[] | null;
  labs: LabEntry[] | null;
  /** Why a list could not be read. */
  error: string | null;
  /** What the last switch of design did to labs, until dismissed (`workspace-notice`). */
  notices: string[];
}

export type WorkspaceStore = StoreApi<WorkspaceState>;

export interface Workspace {
  /** The Designs and Labs views' state. */
  store: WorkspaceStore;
  /**
   * Finds the server's design for this tab: the one in the address, else the
   * one this browser had open, else (a first visit) the most recently changed
   * one; work drawn without a server becomes a design of its own.
   */
  attachDesign(): Promise<void>;
  /** The design this tab deletes itself: its `design-deleted` echo is no news. */
  deletedHere(id: string): boolean;
  /** Gallery and Import: a new design on the server (its own lab), or, without a server, in place of this one. */
  openAsNewDesign(design: Design, source: string): Promise<boolean>;
  /** A file's or a scenario's text, opened as a new design. */
  importText(text: string, source: string): Promise<boolean>;
  newDesign(): Promise<DesignRecord | undefined>;
  openDesignById(id: string): Promise<DesignRecord | undefined>;
  /** A copy of a design, with its own lab; the list shows it, the canvas stays where it is. */
  duplicateDesign(id: string): Promise<void>;
  /**
   * Deletes a design. A design whose lab runs is refused by the server; the
   * answer is `{ labRunning }` so the view can offer to destroy the lab first.
   */
  deleteDesign(
    id: string,
    opts?: { destroyLabFirst?: boolean },
  ): Promise<{ labRunning?: string } | undefined>;
  versionsOf(id: string): Promise<VersionSummary[]>;
  /**
   * Makes an old version current again (as a new version, the ops between
   * the current one and it). The canvas follows when it is this design: the
   * server sends those ops to every tab on it, this one too.
   */
  /**
   * Makes `version` current again. `seen` is the version the user was looking at:
   * edits made since (by another tab) are kept.
   */
  restoreVersion(id: string, version: number, seen: number): Promise<void>;
  refreshDesigns(): Promise<void>;
  refreshLabs(): Promise<void>;
  openView(view: View | null): void;
  dismissNotices(): void;
  /** Destroys any lab of this machine, whoever owns it (its design keeps its lab name). */
  destroyLab(entry: LabEntry): Promise<void>;
  /**
   * "Open as design": a lab with no design here (brought up by the CLI) becomes
   * a design of this dashboard, made from the design it was last applied from,
   * and owns the lab from now on. Only on the user's explicit request.
   */
  adoptLab(lab: string): Promise<void>;
}

export interface WorkspaceDeps extends Pick<Stores, 'app' | 'live'> {
  api: Api;
  sync: Sync;
  /** Follows a design's edits and its lab's live state (live/connection.ts `watch`). */
  watch(design: string, lab: string): void;
}

/** The design this browser had open last, for a visit without `#design=` in the address. */
const REMEMBERED = 'netcanvas:design-id';

/** How a design is named to a person: its title, else the lab name it asks for. */
export const designLabel = (d: { name: string; title?: string }) => d.title || d.name;

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function remembered(): string | null {
  try {
    return localStorage.getItem(REMEMBERED);
  } catch {
    return null;
  }
}

export function createWorkspace({ app, live, api, sync, watch }: WorkspaceDeps): Workspace {
  const store = createStore<WorkspaceState>()(() => ({
    view: null,
    designs: null,
    labs: null,
    error: null,
    notices: [],
  }));
  const set = store.setState;
  const toast = (text: string, tone?: 'info' | 'error') => app.getState().toast(text, tone);
  /** The design this tab is deleting: its `design-deleted` echo is no news. */
  let deletingHere: string | null = null;

  const getDesign = (id: string) =>
    api.call('GET', `/designs/${encodeURIComponent(id)}`, DesignRecord);
  const createDesign = (doc: Design) => api.call('POST', '/designs', DesignRecord, { doc });

  /**
   * Makes `rec` the design this tab edits, and follows its lab. The document
   * goes through live/sync.ts's `attach`, the one way in: attaching the
   * design this tab already edits (a reconnect) keeps its unsaved edits.
   */
  function adopt(rec: DesignRecord) {
    // Another design: the review and the capture were of the one left (a reconnect keeps them).
    const other = rec.id !== live.getState().designId;
    live.setState({ labName: rec.lab, ...(other ? { change: null, capture: null } : {}) });
    sync.attach(rec);
    history.replaceState(null, '', `#design=${rec.id}`);
    try {
      localStorage.setItem(REMEMBERED, rec.id);
    } catch {
      // storage disabled: the address still names the design
    }
    watch(rec.id, rec.lab);
  }

  /**
   * Leaves the current design for the one `load` gives (saving pending edits
   * first) and says what happened to labs: the lab left running keeps
   * running under its design; a lab name that was taken was replaced.
   */
  async function switchTo(
    what: string,
    load: () => Promise<DesignRecord>,
    opened: (rec: DesignRecord) => string,
  ): Promise<DesignRecord | undefined> {
    await sync.saveNow();
    const { labName, lab } = live.getState();
    const leaving = labName && labDeployed(lab) ? labName : null;
    let rec: DesignRecord;
    try {
      rec = await load();
    } catch (err) {
      toast(`${what} failed: ${message(err)}`, 'error');
      return undefined;
    }
    adopt(rec);
    const notices = [opened(rec)];
    if (rec.labNotice) notices.push(rec.labNotice);
    if (leaving && leaving !== rec.lab)
      notices.push(`Lab ${leaving} keeps running with its design; it is in Labs.`);
    set({ notices, view: null });
    return rec;
  }

  const workspace: Workspace = {
    store,

    async attachDesign() {
      const wanted = new URLSearchParams(location.hash.slice(1)).get('design') ?? remembered();
      const local = app.getState().design;
      try {
        let rec: DesignRecord | null = null;
        if (wanted) rec = await getDesign(wanted).catch(() => null);
        if (!rec && Object.keys(local.nodes).length === 0) {
          const { designs } = await api.call('GET', '/designs', DesignList);
          if (designs[0]) rec = await getDesign(designs[0].id);
        }
        rec ??= await createDesign(local);
        adopt(rec);
        if (rec.labNotice) set({ notices: [rec.labNotice] });
      } catch (err) {
        live.setState({ save: 'error', connectionNote: message(err) });
      }
    },

    deletedHere: (id) => id === deletingHere,

    async openAsNewDesign(design, source) {
      if (live.getState().connection !== 'online') {
        await openLocally(app, design, source);
        return true;
      }
      const doc = await laidOut(design);
      const rec = await switchTo(
        `Opening ${source}`,
        () => createDesign(doc),
        (r) => `Opened ${source} as a new design${r.labNotice ? '' : ` with lab ${r.lab}`}.`,
      );
      return rec !== undefined;
    },

    async importText(text, source) {
      const design = readDesignOrSay(app, text, source);
      return design ? workspace.openAsNewDesign(design, source) : false;
    },

    newDesign: () =>
      switchTo(
        'New design',
        () => createDesign(emptyDesign()),
        (r) => `New design with lab ${r.lab}.`,
      ),

    openDesignById(id) {
      if (id === live.getState().designId) {
        set({ view: null });
        return Promise.resolve(undefined);
      }
      return switchTo(
        'Open',
        () => getDesign(id),
        (r) => `Opened ${designLabel(r)}${designLabel(r) === r.lab ? '' : ` (lab ${r.lab})`}.`,
      );
    },

    async duplicateDesign(id) {
      try {
        if (id === live.getState().designId) await sync.saveNow();
        const copy = await api.call('POST', `/designs/${id}/duplicate`, DesignRecord, {});
        toast(`Duplicated as ${designLabel(copy)} with lab ${copy.lab}`);
        if (copy.labNotice) set({ notices: [copy.labNotice] });
      } catch (err) {
        toast(`Duplicate failed: ${message(err)}`, 'error');
      }
      await workspace.refreshDesigns();
    },

    async deleteDesign(id, opts = {}) {
      try {
        if (opts.destroyLabFirst) await api.send('POST', `/labs/${id}/destroy`, {});
        deletingHere = id;
        await api.send('DELETE', `/designs/${id}`);
      } catch (err) {
        if (err instanceof ApiError && err.code === 'lab-running')
          return { labRunning: String(err.extra.lab ?? '') };
        toast(`Delete failed: ${message(err)}`, 'error');
        return undefined;
      } finally {
        deletingHere = null;
      }
      if (id === live.getState().designId) {
        // Nothing to save into any more: go on with another design, or a new one.
        sync.detach();
        live.setState({ labName: null });
        const other = (store.getState().designs ?? []).find((d) => d.id !== id);
        const rec = other
          ? await getDesign(other.id).catch(() => null)
          : await createDesign(emptyDesign()).catch(() => null);
        if (rec) adopt(rec);
      }
      await workspace.refreshDesigns();
      return {};
    },

    async versionsOf(id) {
      const { versions } = await api.call('GET', `/designs/${id}/versions`, VersionList);
      return versions;
    },

    async restoreVersion(id, version, seen) {
      try {
        let baseVersion = seen;
        if (id === live.getState().designId) {
          await sync.saveNow();
          // This tab's own edits, just saved, are part of what it saw.
          baseVersion = live.getState().version ?? seen;
        }
        const rec = await api.call('POST', `/designs/${id}/restore`, DesignRecord, {
          version,
          baseVersion,
        });
        toast(`Restored version ${version} as version ${rec.version}`);
      } catch (err) {
        toast(`Restore failed: ${message(err)}`, 'error');
      }
      await workspace.refreshDesigns();
    },

    async refreshDesigns() {
      try {
        const [{ designs }, { labs }] = await Promise.all([
          api.call('GET', '/designs', DesignList),
          api.call('GET', '/labs', LabList),
        ]);
        set({ designs, labs, error: null });
      } catch (err) {
        set({ error: message(err) });
      }
    },

    async refreshLabs() {
      try {
        const { labs } = await api.call('GET', '/labs', LabList);
        set({ labs, error: null });
      } catch (err) {
        set({ error: message(err) });
      }
    },

    openView(view) {
      set({ view, error: null });
      if (view === 'designs') void workspace.refreshDesigns();
      if (view === 'labs') void workspace.refreshLabs();
    },

    dismissNotices: () => set({ notices: [] }),

    async destroyLab(entry) {
      try {
        const r = await api.call('POST', `/labs/by-name/${entry.lab}/destroy`, DestroyAnswer, {});
        toast(`Destroyed lab ${entry.lab}: ${r.removed.length} namespaces removed`);
      } catch (err) {
        toast(`Destroy failed: ${message(err)}`, 'error');
      }
      await workspace.refreshLabs();
    },

    async adoptLab(lab) {
      const rec = await switchTo(
        `Opening lab ${lab}`,
        () => api.call('POST', `/labs/by-name/${lab}/adopt`, DesignRecord, {}),
        (r) => `Lab ${r.lab} is now a design of this dashboard: edit it and Apply.`,
      );
      if (rec && needsLayout(rec.doc)) {
        const laid = await autoLayout(rec.doc).catch(() => rec.doc);
        app.getState().moveNodes(laid.layout ?? {});
        window.dispatchEvent(new CustomEvent('netcanvas:fit', { detail: { instant: true } }));
      }
    },
  };
  return workspace;
}
