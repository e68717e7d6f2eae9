import type { Design } from '@netcanvas/shared';
import { create } from 'zustand';
import { laidOut, openDesign as openLocally, readDesignOrSay } from '../core/io';
import { needsLayout } from '../model/flow';
import { autoLayout } from '../model/layout';
import { useApp } from '../store';
import { emptyDesign } from '../store/design';
import { ApiError, api } from './api';
import { saveNow, showServerDocument, watchDesign } from './client';
import { labDeployed, useLive } from './store';

/**
 * Which design this tab edits, and the designs and labs around it. Every
 * design owns one lab, fixed by the server when the design is created; so
 * opening, importing or creating another design never touches the lab of
 * the one left behind: it keeps running, attached to its design, and the
 * Labs view lists it. A scenario or a file opened here becomes a new
 * design with a lab of its own (two opens, two labs).
 */

export interface DesignSummary {
  id: string;
  /** The lab name the design asks for. */
  name: string;
  title?: string;
  /** The lab it owns. */
  lab: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}
export interface DesignRecord extends DesignSummary {
  doc: Design;
  /** Set when the lab asked for was taken: which lab the design got instead, and why. */
  labNotice?: string;
}
export interface VersionSummary {
  version: number;
  name: string;
  createdAt: string;
}
export type LabOwner =
  | { kind: 'design'; id: string; name: string; title?: string }
  | { kind: 'cli' };
export interface LabEntry {
  lab: string;
  /** Its design in this dashboard's store, if any. */
  design: { id: string; version: number; name: string; title?: string } | null;
  owner: LabOwner | null;
  elements: number | null;
  since: string | null;
  status: {
    state: 'running' | 'partial' | 'absent';
    elements: Record<string, { state: string; differences: string[] }>;
  };
}

export type View = 'designs' | 'labs';

interface WorkspaceState {
  view: View | null;
  designs: DesignSummary[] | null;
  labs: LabEntry[] | null;
  /** Why a list could not be read. */
  error: string | null;
  /** What the last switch of design did to labs, until dismissed (`workspace-notice`). */
  notices: string[];
}

export const useWorkspace = create<WorkspaceState>()(() => ({
  view: null,
  designs: null,
  labs: null,
  error: null,
  notices: [],
}));

const set = useWorkspace.setState;
const live = () => useLive.getState();
const toast = (message: string, tone?: 'info' | 'error') => useApp.getState().toast(message, tone);
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
/** The design this browser had open last, for a visit without `#design=` in the address. */
const REMEMBERED = 'netcanvas:design-id';

/** How a design is named to a person: its title, else the lab name it asks for. */
export const designLabel = (d: { name: string; title?: string }) => d.title || d.name;

function remembered(): string | null {
  try {
    return localStorage.getItem(REMEMBERED);
  } catch {
    return null;
  }
}

const getDesign = (id: string) => api<DesignRecord>('GET', `/designs/${encodeURIComponent(id)}`);

/**
 * Finds the server's design for this tab: the one in the address, else the
 * one this browser had open, else (a first visit) the most recently changed
 * one; work drawn without a server becomes a design of its own.
 */
export async function attachDesign() {
  const wanted = new URLSearchParams(location.hash.slice(1)).get('design') ?? remembered();
  const local = useApp.getState().design;
  try {
    let rec: DesignRecord | null = null;
    if (wanted) rec = await getDesign(wanted).catch(() => null);
    if (!rec && Object.keys(local.nodes).length === 0) {
      const { designs } = await api<{ designs: DesignSummary[] }>('GET', '/designs');
      if (designs[0]) rec = await getDesign(designs[0].id);
    }
    rec ??= await api<DesignRecord>('POST', '/designs', { doc: local });
    adopt(rec);
    if (rec.labNotice) set({ notices: [rec.labNotice] });
  } catch (err) {
    useLive.setState({ save: 'error', connectionNote: message(err) });
  }
}

/** Makes `rec` the design this tab edits, and follows its lab. */
function adopt(rec: DesignRecord) {
  // Another design: the review and the capture were of the one left (a reconnect keeps them).
  const other = rec.id !== live().designId;
  useLive.setState({
    designId: rec.id,
    labName: rec.lab,
    version: rec.version,
    save: 'saved',
    ...(other ? { change: null, capture: null } : {}),
  });
  history.replaceState(null, '', `#design=${rec.id}`);
  try {
    localStorage.setItem(REMEMBERED, rec.id);
  } catch {
    // storage disabled: the address still names the design
  }
  if (showServerDocument(rec.doc)) window.dispatchEvent(new CustomEvent('netcanvas:fit'));
  watchDesign(rec.id, rec.lab);
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
  await saveNow();
  const { labName, lab } = live();
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

/** Gallery and Import: a new design on the server (its own lab), or, without a server, in place of this one. */
export async function openAsNewDesign(design: Design, source: string): Promise<boolean> {
  if (live().connection !== 'online') {
    await openLocally(design, source);
    return true;
  }
  const doc = await laidOut(design);
  const rec = await switchTo(
    `Opening ${source}`,
    () => api<DesignRecord>('POST', '/designs', { doc }),
    (r) => `Opened ${source} as a new design${r.labNotice ? '' : ` with lab ${r.lab}`}.`,
  );
  return rec !== undefined;
}

/** A file's or a scenario's text, opened as a new design. */
export async function importText(text: string, source: string): Promise<boolean> {
  const design = readDesignOrSay(text, source);
  return design ? openAsNewDesign(design, source) : false;
}

export function newDesign() {
  return switchTo(
    'New design',
    () => api<DesignRecord>('POST', '/designs', { doc: emptyDesign() }),
    (r) => `New design with lab ${r.lab}.`,
  );
}

export function openDesignById(id: string) {
  if (id === live().designId) {
    set({ view: null });
    return Promise.resolve(undefined);
  }
  return switchTo(
    'Open',
    () => getDesign(id),
    (r) => `Opened ${designLabel(r)}${designLabel(r) === r.lab ? '' : ` (lab ${r.lab})`}.`,
  );
}

/** A copy of a design, with its own lab; the list shows it, the canvas stays where it is. */
export async function duplicateDesign(id: string) {
  try {
    if (id === live().designId) await saveNow();
    const rec = await getDesign(id);
    const title = `${designLabel(rec)} (copy)`.slice(0, 120);
    const copy = await api<DesignRecord>('POST', '/designs', { doc: { ...rec.doc, title } });
    toast(`Duplicated as ${designLabel(copy)} with lab ${copy.lab}`);
    if (copy.labNotice) set({ notices: [copy.labNotice] });
  } catch (err) {
    toast(`Duplicate failed: ${message(err)}`, 'error');
  }
  await refreshDesigns();
}

/** The design this tab deletes itself: its `design-deleted` echo is no news. */
let deletingHere: string | null = null;
export const deletedHere = (id: string) => id === deletingHere;

/**
 * Deletes a design. A design whose lab runs is refused by the server; the
 * answer is `{ labRunning }` so the view can offer to destroy the lab first.
 */
export async function deleteDesign(
  id: string,
  opts: { destroyLabFirst?: boolean } = {},
): Promise<{ labRunning?: string } | undefined> {
  try {
    if (opts.destroyLabFirst) await api('POST', `/labs/${id}/destroy`, {});
    deletingHere = id;
    await api('DELETE', `/designs/${id}`);
  } catch (err) {
    if (err instanceof ApiError && err.code === 'lab-running')
      return { labRunning: String(err.extra.lab ?? '') };
    toast(`Delete failed: ${message(err)}`, 'error');
    return undefined;
  } finally {
    deletingHere = null;
  }
  if (id === live().designId) {
    // Nothing to save into any more: go on with another design, or a new one.
    useLive.setState({ designId: null, labName: null, version: null });
    const other = (useWorkspace.getState().designs ?? []).find((d) => d.id !== id);
    const rec = other
      ? await getDesign(other.id).catch(() => null)
      : await api<DesignRecord>('POST', '/designs', { doc: emptyDesign() }).catch(() => null);
    if (rec) adopt(rec);
  }
  await refreshDesigns();
  return {};
}

export async function versionsOf(id: string): Promise<VersionSummary[]> {
  const { versions } = await api<{ versions: VersionSummary[] }>('GET', `/designs/${id}/versions`);
  return versions;
}

/** Makes an old version current again (as a new version); the canvas follows when it is this design. */
export async function restoreVersion(id: string, version: number) {
  const current = id === live().designId;
  try {
    if (current) await saveNow();
    const base = current
      ? live().version
      : (useWorkspace.getState().designs ?? []).find((d) => d.id === id)?.version;
    const rec = await api<DesignRecord>('POST', `/designs/${id}/restore`, {
      version,
      baseVersion: base,
    });
    if (current && rec.version > (live().version ?? 0)) {
      showServerDocument(rec.doc);
      useLive.setState({ version: rec.version, save: 'saved' });
    }
    toast(`Restored version ${version} as version ${rec.version}`);
  } catch (err) {
    toast(`Restore failed: ${message(err)}`, 'error');
  }
  await refreshDesigns();
}

export async function refreshDesigns() {
  try {
    const [{ designs }, { labs }] = await Promise.all([
      api<{ designs: DesignSummary[] }>('GET', '/designs'),
      api<{ labs: LabEntry[] }>('GET', '/labs'),
    ]);
    set({ designs, labs, error: null });
  } catch (err) {
    set({ error: message(err) });
  }
}

export async function refreshLabs() {
  try {
    const { labs } = await api<{ labs: LabEntry[] }>('GET', '/labs');
    set({ labs, error: null });
  } catch (err) {
    set({ error: message(err) });
  }
}

export function openView(view: View | null) {
  set({ view, error: null });
  if (view === 'designs') void refreshDesigns();
  if (view === 'labs') void refreshLabs();
}

/** Destroys any lab of this machine, whoever owns it (its design keeps its lab name). */
export async function destroyLab(entry: LabEntry) {
  try {
    const r = await api<{ removed: string[] }>('POST', `/labs/by-name/${entry.lab}/destroy`, {});
    toast(`Destroyed lab ${entry.lab}: ${r.removed.length} namespaces removed`);
  } catch (err) {
    toast(`Destroy failed: ${message(err)}`, 'error');
  }
  await refreshLabs();
}

/**
 * "Open as design": a lab with no design here (brought up by the CLI) becomes
 * a design of this dashboard, made from the design it was last applied from,
 * and owns the lab from now on. Only on the user's explicit request.
 */
export async function adoptLab(lab: string) {
  const rec = await switchTo(
    `Opening lab ${lab}`,
    () => api<DesignRecord>('POST', `/labs/by-name/${lab}/adopt`, {}),
    (r) => `Lab ${r.lab} is now a design of this dashboard: edit it and Apply.`,
  );
  if (rec && needsLayout(rec.doc)) {
    const laid = await autoLayout(rec.doc).catch(() => rec.doc);
    useApp.getState().moveNodes(laid.layout ?? {});
    window.dispatchEvent(new CustomEvent('netcanvas:fit'));
  }
}
