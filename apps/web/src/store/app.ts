import type {
  AutoField,
  Design,
  DesignNode,
  EditOp,
  Link,
  NodeKind,
  StaticRoute,
} from '@netcanvas/shared';
import {
  applyOps,
  compactEndpoint,
  diffDesigns,
  endpointObject,
  linkIds,
  renameOps,
  shareUnchanged,
} from '@netcanvas/shared';
import {
  applyEdgeChanges,
  applyNodeChanges,
  type EdgeChange,
  type NodeChange,
  type XYPosition,
} from '@xyflow/react';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { type AppEdge, type AppNode, designToFlow, followPipes } from '../model/flow';
import { type AddLinkResult, edit, emptyDesign, type Fragment, type KindRules } from './design';
import { type HistoryEntry, redoOps, undoOps } from './history';

export type PanelId = 'problems' | 'plan' | 'matrix' | 'capture' | 'list';
/** The two panels of the side column (SideColumn.tsx): the lesson above the inspector. */
export type SidePanelId = 'lesson' | 'inspector';
export type HighlightTone = 'path' | 'fail' | 'hover';

export interface ContextMenuState {
  kind: 'node' | 'edge';
  id: string;
  x: number;
  y: number;
}

export interface Toast {
  id: number;
  tone: 'info' | 'error';
  message: string;
}

interface DesignSlice {
  /** The document as this tab sees it: the server's version plus this tab's edits on their way. */
  design: Design;
  /** React Flow's view of the document, plus what only the canvas knows (measured size, drag). */
  nodes: AppNode[];
  edges: AppEdge[];
  /** This tab's own changes, newest last: undo inverts the last one, never another tab's. */
  past: HistoryEntry[];
  future: HistoryEntry[];

  /** Starts from a design with no history behind it (the saved copy, a reload, the bench). */
  loadDesign(design: Design): void;
  /**
   * Shows the document the server's edits (and this tab's pending ones on
   * top) make: no history entry, unchanged elements keep their objects;
   * `renames` (elements the server renamed) are followed by the history and
   * the selection.
   */
  showServerDesign(design: Design, renames?: Readonly<Record<string, string>>): void;
  /** Puts another design in place of this one (a scenario, an import) as one undo step. */
  replaceDesign(design: Design): void;
  setDesignName(name: string): void;
  /** Free text; empty removes it. */
  setDesignTitle(title: string | undefined): void;
  addNode(kind: NodeKind, position: XYPosition, host?: string): string;
  addLink(a: string, b: string): AddLinkResult;
  removeElements(ids: readonly string[]): void;
  renameElement(from: string, to: string): void;
  moveNodes(positions: Record<string, XYPosition>): void;
  moveIntoHost(nsId: string, hostId: string, relative?: XYPosition): void;
  moveOutOfHost(nsId: string, absolute?: XYPosition): void;

  setLabel(id: string, label: string | undefined): void;
  setVlanId(id: string, vid: number): void;
  setSubnet(id: string, subnet: string | undefined): void;
  setVni(id: string, vni: number): void;
  setVxlanPort(id: string, port: number): void;
  setUnderlay(id: string, underlay: string): void;
  setHostMode(id: string, mode: 'bridged' | 'routed'): void;
  setRouting(id: string, routing: 'auto' | 'static'): void;
  setStaticRoutes(id: string, routes: StaticRoute[]): void;

  setInterfaceAddress(linkId: string, end: 0 | 1, ip: string | undefined): void;
  setInterfaceName(linkId: string, end: 0 | 1, ifname: string | undefined): void;
  setLinkMtu(linkId: string, mtu: number | undefined): void;
  setLinkState(linkId: string, state: 'up' | 'down'): void;
  /** A link cut or restored on the running lab (the server changed kernel and design): undoable. */
  recordLinkCut(linkId: string, state: 'up' | 'down'): void;
  /**
   * Runs `fn` (a field committing a draft it kept while another tab changed
   * the same value) with its sets marked `force`: the server then tells the
   * other tab that its change was replaced.
   */
  commitOverriding(fn: () => void): void;

  copySelection(): void;
  /**
   * Pastes the clipboard at the pointer (the last place it was seen on the
   * canvas, `notePointer`), or beside the copied elements; each further paste
   * of it lands `step` further, not on top of the last.
   */
  paste(step?: XYPosition): void;
  /** Where the pointer is on the canvas, in flow coordinates (null: off the canvas). */
  notePointer(at: XYPosition | null): void;
  undo(): void;
  redo(): void;

  onNodesChange(changes: NodeChange<AppNode>[]): void;
  onEdgesChange(changes: EdgeChange<AppEdge>[]): void;
}

interface UiSlice {
  selection: string[];
  panel: PanelId | null;
  galleryOpen: boolean;
  /** Destroy was pressed: the confirmation dialog is open (DestroyDialog). */
  destroyAsked: boolean;
  /** Projector mode: the canvas alone, large type, high contrast, a legend (`?present=1`). */
  presenting: boolean;
  /** Per-element highlight (matrix path, plan hover), looked up by id so only those elements re-render. */
  highlight: Record<string, HighlightTone>;
  highlightNote: string | null;
  contextMenu: ContextMenuState | null;
  toasts: Toast[];
  clipboard: Fragment | null;
  /** Pastes since the last copy: each lands one step further, not on top of the last. */
  pastes: number;
  /** Which side-column panels are folded to their title bar (kept across a reload: core/folds.ts). */
  folded: Record<SidePanelId, boolean>;
  /**
   * The ICMP payload of every ping and Measure, in bytes (`ping -s`, sent
   * with don't-fragment set); undefined: ping's default. The matrix predicts
   * at the same size.
   */
  pingSize: number | undefined;

  select(ids: readonly string[]): void;
  setPanel(panel: PanelId | null): void;
  togglePanel(panel: PanelId): void;
  setGalleryOpen(open: boolean): void;
  askDestroy(asked: boolean): void;
  setPresenting(on: boolean): void;
  setHighlight(ids: readonly string[], tone: HighlightTone, note?: string | null): void;
  setHighlightMap(map: Record<string, HighlightTone>, note?: string | null): void;
  clearHighlight(): void;
  openContextMenu(menu: ContextMenuState | null): void;
  toast(message: string, tone?: Toast['tone']): void;
  dismissToast(id: number): void;
  foldPanel(panel: SidePanelId, folded: boolean): void;
  /** Only through the live actions' `setPingSize`, which also marks earlier results stale. */
  setPingSize(size: number | undefined): void;
}

export type AppState = DesignSlice & UiSlice;

/** Undo and redo of a link cut on a running lab: the server cuts or restores it (false: it did not). */
export type LinkCutHandler = (linkId: string, state: 'up' | 'down') => Promise<boolean>;

/** The app's store: zustand's, plus the two ways the live layer hears what this tab does. */
export interface AppStore extends StoreApi<AppState> {
  /** Who hears this tab's edits, as applied (live/sync.ts sends them to the server). */
  onLocalEdits(listener: (ops: EditOp[]) => void): () => void;
  /** Undo and redo of a link cut on a running lab go to the server (live/actions.ts sets this). */
  onLinkCutUndo(handler: LinkCutHandler): void;
}

const HISTORY_LIMIT = 200;
const SETS = new Set(['node.set', 'link.set', 'endpoint.set', 'doc.set', 'node.replace']);

/**
 * The document and the page around it (selection, panels, toasts): one
 * store per page, made by the app at start (main.tsx) and by each test for
 * itself. `kinds` gives each node kind's defaults (kinds/definitions.ts).
 */
export function createAppStore(kinds: KindRules): AppStore {
  /** What this store's actions remember between calls, in one place. */
  const memory = {
    toastSeq: 0,
    /** Set while a field commits over another tab's newer value. */
    overriding: false,
    /** The pointer on the canvas, for paste; not state: nothing renders from it. */
    pointer: null as XYPosition | null,
    /** Where the pointer was at the first paste of the clipboard: the cascade starts there. */
    pasteAt: null as XYPosition | null,
    linkCut: (async () => false) as LinkCutHandler,
  };
  const editListeners = new Set<(ops: EditOp[]) => void>();
  const emitEdits = (ops: EditOp[]) => {
    if (ops.length > 0) for (const l of editListeners) l(ops);
  };
  const store = createStore<AppState>()((set, get) => {
    /**
     * Every change of the document goes here: as ops (explicit where intent
     * matters, a diff of the documents otherwise), applied with the same
     * `applyOps` the server uses, recorded as one undo step and handed to the
     * sync, which sends it to the server.
     */
    const commit = (
      next: Design | null,
      opts: { ops?: EditOp[]; auto?: Record<string, readonly AutoField[]> } = {},
    ) => {
      const state = get();
      if (next === state.design) return;
      let ops = opts.ops ?? diffDesigns(state.design, next!);
      const { overriding } = memory;
      if (opts.auto || overriding)
        ops = ops.map((op) => {
          if (op.op === 'node.add' && opts.auto?.[op.id]?.length)
            return { ...op, auto: [...opts.auto[op.id]!] };
          if (overriding && SETS.has(op.op)) return { ...op, force: true } as EditOp;
          return op;
        });
      if (ops.length === 0) return;
      const r = applyOps(state.design, ops);
      if (r.applied.length === 0) return;
      // One commit, one undo step: fields commit on Enter or leave, never per keystroke.
      const past = [...state.past, { ops: r.applied, at: Date.now() }].slice(-HISTORY_LIMIT);
      set({ design: r.doc, ...designToFlow(r.doc, state), past, future: [] });
      emitEdits(r.applied);
    };
    const patchNode = (id: string, patch: Partial<DesignNode>) =>
      commit(edit.updateNode(get().design, id, patch));
    const patchEndpoint = (
      linkId: string,
      end: 0 | 1,
      field: 'ip' | 'ifname',
      value: string | undefined,
    ) =>
      commit(
        edit.updateLink(get().design, linkId, (l) => {
          const endpoints = l.endpoints.slice() as Link['endpoints'];
          endpoints[end] = compactEndpoint({
            ...endpointObject(endpoints[end]),
            [field]: value || undefined,
          });
          return { ...l, endpoints };
        }),
      );
    /** Applies an undo or a redo step: what is no longer this tab's own is left alone, and said so. */
    const step = (from: 'past' | 'future') => {
      const state = get();
      const entry = state[from].at(-1);
      if (!entry) return;
      const rest = state[from].slice(0, -1);
      const other = from === 'past' ? 'future' : 'past';
      if (entry.link) {
        // A cut on the running lab: undone and redone by the server, in kernel and design.
        const back = { ...entry, link: { ...entry.link, state: flip(entry.link.state) } };
        set({ [from]: rest, [other]: [...state[other], back] } as Partial<AppState>);
        void memory.linkCut(entry.link.id, back.link.state).then((ok) => {
          if (!ok) set((s) => ({ [other]: s[other].slice(0, -1), [from]: [...s[from], entry] }));
        });
        return;
      }
      const { ops, skipped } = (from === 'past' ? undoOps : redoOps)(state.design, entry.ops);
      const r = applyOps(state.design, ops);
      set({
        design: r.doc,
        ...designToFlow(r.doc, state),
        [from]: rest,
        [other]: [...state[other], { ops: r.applied, at: Date.now() }],
      } as Partial<AppState>);
      emitEdits(r.applied);
      if (skipped.length > 0)
        get().toast(
          `Not ${from === 'past' ? 'undone' : 'redone'}: ${skipped.join(', ')} changed in another tab since`,
        );
    };

    return {
      design: emptyDesign(),
      nodes: [],
      edges: [],
      past: [],
      future: [],

      loadDesign(design) {
        set({
          design,
          ...designToFlow(design),
          past: [],
          future: [],
          selection: [],
          highlight: {},
          highlightNote: null,
        });
      },
      showServerDesign(next, renames = {}) {
        const state = get();
        const design = shareUnchanged(state.design, next);
        const follow = Object.keys(renames).length > 0;
        if (design === state.design && !follow) return;
        const rename = (id: string) => (Object.hasOwn(renames, id) ? renames[id]! : id);
        const links = new Set(linkIds(design));
        const selection = state.selection
          .map(rename)
          .filter((id) => Object.hasOwn(design.nodes, id) || links.has(id));
        const patch: Partial<AppState> = {};
        if (design !== state.design) Object.assign(patch, designToFlow(design, state), { design });
        if (follow) {
          const follows = (e: HistoryEntry): HistoryEntry => ({
            ...e,
            ops: renameOps(e.ops, renames),
          });
          patch.past = state.past.map(follows);
          patch.future = state.future.map(follows);
        }
        set(patch);
        if (selection.length !== state.selection.length || follow) get().select(selection);
      },
      replaceDesign(design) {
        commit(design);
        set({ selection: [], highlight: {}, highlightNote: null });
      },
      setDesignName: (name) => commit({ ...get().design, name }),
      setDesignTitle(title) {
        const { title: _old, ...rest } = get().design;
        commit(title ? { ...rest, title } : rest);
      },
      addNode(kind, position, host) {
        const { design, id } = edit.addNode(get().design, kinds, kind, position, host);
        commit(design, { auto: { [id]: kinds[kind].auto ?? [] } });
        return id;
      },
      addLink(a, b) {
        const { design, result } = edit.addLink(get().design, a, b);
        commit(design);
        return result;
      },
      removeElements(ids) {
        commit(edit.removeElements(get().design, ids));
        set({ selection: get().selection.filter((s) => !ids.includes(s)), contextMenu: null });
      },
      renameElement(from, to) {
        const selection = get().selection.map((s) => (s === from ? to : s));
        // Explicit: a diff would see a removed element and a new one, and lose what follows it.
        commit(null, { ops: [{ op: 'node.rename', from, to }] });
        // The renamed card is a new React Flow node: mark it selected as the old one was.
        get().select(selection);
      },
      moveNodes: (positions) => commit(edit.moveNodes(get().design, positions)),
      moveIntoHost: (ns, host, rel) => commit(edit.moveIntoHost(get().design, ns, host, rel)),
      moveOutOfHost: (ns, abs) => commit(edit.moveOutOfHost(get().design, ns, abs)),

      setLabel: (id, label) => patchNode(id, { label: label || undefined }),
      setVlanId: (id, vid) => patchNode(id, { vid } as Partial<DesignNode>),
      setSubnet: (id, subnet) =>
        patchNode(id, { subnet: subnet || undefined } as Partial<DesignNode>),
      setVni: (id, vni) => patchNode(id, { vni } as Partial<DesignNode>),
      setVxlanPort: (id, port) => patchNode(id, { port } as Partial<DesignNode>),
      setUnderlay: (id, underlay) => patchNode(id, { underlay } as Partial<DesignNode>),
      setHostMode: (id, mode) => patchNode(id, { mode } as Partial<DesignNode>),
      setRouting: (id, routing) => patchNode(id, { routing } as Partial<DesignNode>),
      setStaticRoutes: (id, routes) => patchNode(id, { routes } as Partial<DesignNode>),

      setInterfaceAddress: (linkId, end, ip) => patchEndpoint(linkId, end, 'ip', ip),
      setInterfaceName: (linkId, end, ifname) => patchEndpoint(linkId, end, 'ifname', ifname),
      setLinkMtu: (linkId, mtu) =>
        commit(
          edit.updateLink(get().design, linkId, (l) => {
            const { mtu: _old, ...rest } = l;
            return mtu === undefined ? rest : { ...rest, mtu };
          }),
        ),
      setLinkState: (linkId, state) =>
        commit(edit.updateLink(get().design, linkId, (l) => ({ ...l, state }))),
      recordLinkCut(linkId, state) {
        const entry: HistoryEntry = { ops: [], at: Date.now(), link: { id: linkId, state } };
        set((s) => ({ past: [...s.past, entry].slice(-HISTORY_LIMIT), future: [] }));
      },
      commitOverriding(fn) {
        memory.overriding = true;
        try {
          fn();
        } finally {
          memory.overriding = false;
        }
      },

      copySelection() {
        const fragment = edit.copy(get().design, get().selection);
        if (fragment) set({ clipboard: fragment, pastes: 0 });
      },
      paste(step = { x: 40, y: 40 }) {
        const { clipboard: fragment, pastes } = get();
        if (!fragment) return;
        const n = pastes + 1;
        if (pastes === 0) memory.pasteAt = memory.pointer;
        // The top-left of the copied top-level elements lands at the pointer (then one step on per paste).
        const tops = Object.keys(fragment.nodes)
          .filter((id) => {
            const node = fragment.nodes[id]!;
            return !(node.kind === 'namespace' && node.host && fragment.nodes[node.host]);
          })
          .map((id) => fragment.layout[id] ?? { x: 0, y: 0 });
        const corner = {
          x: Math.min(...tops.map((p) => p.x)),
          y: Math.min(...tops.map((p) => p.y)),
        };
        const from = memory.pasteAt;
        const offset =
          from && tops.length > 0
            ? {
                x: from.x - corner.x + step.x * (n - 1),
                y: from.y - corner.y + step.y * (n - 1),
              }
            : { x: step.x * n, y: step.y * n };
        const { design, ids } = edit.paste(get().design, kinds, fragment, offset);
        const auto: Record<string, readonly AutoField[]> = {};
        for (const id of ids) auto[id] = kinds[design.nodes[id]!.kind].auto ?? [];
        commit(design, { auto });
        set({ pastes: n });
        get().select(ids);
      },
      notePointer(at) {
        memory.pointer = at;
      },
      undo: () => step('past'),
      redo: () => step('future'),

      onNodesChange(changes) {
        // Deletion goes through removeElements so links and containers follow.
        const kept = changes.filter((c) => c.type !== 'remove');
        if (kept.length === 0) return;
        const moved = new Set(kept.flatMap((c) => (c.type === 'position' ? [c.id] : [])));
        let nodes = applyNodeChanges(kept, get().nodes);
        if (moved.size > 0) nodes = followPipes(nodes, get().design, moved);
        const selectionChanged = kept.some((c) => c.type === 'select');
        set(selectionChanged ? { nodes, selection: selectedIds(nodes, get().edges) } : { nodes });
      },
      onEdgesChange(changes) {
        const kept = changes.filter((c) => c.type !== 'remove');
        if (kept.length === 0) return;
        const edges = applyEdgeChanges(kept, get().edges);
        set({ edges, selection: selectedIds(get().nodes, edges) });
      },

      // ── ui ──
      selection: [],
      panel: null,
      galleryOpen: false,
      destroyAsked: false,
      presenting: false,
      highlight: {},
      highlightNote: null,
      contextMenu: null,
      toasts: [],
      clipboard: null,
      pastes: 0,
      folded: { lesson: false, inspector: false },
      pingSize: undefined,

      select(ids) {
        const want = new Set(ids);
        const nodes = get().nodes.map((n) =>
          !!n.selected === want.has(n.id) ? n : { ...n, selected: want.has(n.id) },
        );
        const edges = get().edges.map((e) =>
          !!e.selected === want.has(e.id) ? e : { ...e, selected: want.has(e.id) },
        );
        set({ nodes, edges, selection: selectedIds(nodes, edges) });
      },
      setPanel: (panel) => set({ panel }),
      togglePanel: (panel) => set((s) => ({ panel: s.panel === panel ? null : panel })),
      setGalleryOpen: (galleryOpen) => set({ galleryOpen }),
      askDestroy: (destroyAsked) => set({ destroyAsked }),
      setPresenting: (presenting) => set({ presenting }),
      setHighlight(ids, tone, note = null) {
        set({ highlight: Object.fromEntries(ids.map((id) => [id, tone])), highlightNote: note });
      },
      setHighlightMap: (highlight, note = null) => set({ highlight, highlightNote: note }),
      clearHighlight: () => set({ highlight: {}, highlightNote: null }),
      openContextMenu: (contextMenu) => set({ contextMenu }),
      toast(message, tone = 'info') {
        const id = ++memory.toastSeq;
        set((s) => ({ toasts: [...s.toasts.slice(-3), { id, tone, message }] }));
        setTimeout(() => get().dismissToast(id), tone === 'error' ? 6000 : 3000);
      },
      dismissToast: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
      foldPanel: (panel, folded) =>
        set((s) => (s.folded[panel] === folded ? s : { folded: { ...s.folded, [panel]: folded } })),
      setPingSize: (pingSize) => set({ pingSize }),
    };
  });
  return Object.assign(store, {
    onLocalEdits(listener: (ops: EditOp[]) => void) {
      editListeners.add(listener);
      return () => editListeners.delete(listener);
    },
    onLinkCutUndo(handler: LinkCutHandler) {
      memory.linkCut = handler;
    },
  });
}

const flip = (state: 'up' | 'down'): 'up' | 'down' => (state === 'up' ? 'down' : 'up');

function selectedIds(nodes: readonly AppNode[], edges: readonly AppEdge[]): string[] {
  const out: string[] = [];
  for (const n of nodes) if (n.selected) out.push(n.id);
  for (const e of edges) if (e.selected) out.push(e.id);
  return out;
}
