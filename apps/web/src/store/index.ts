import type { Design, DesignNode, Link, NodeKind, StaticRoute } from '@netcanvas/shared';
import {
  applyEdgeChanges,
  applyNodeChanges,
  type EdgeChange,
  type NodeChange,
  type XYPosition,
} from '@xyflow/react';
import { temporal } from 'zundo';
import { create } from 'zustand';
import { compactEndpoint, endpointObject } from '../model/endpoints';
import { type AppEdge, type AppNode, designToFlow } from '../model/flow';
import { type AddLinkResult, edit, emptyDesign, type Fragment } from './design';

export type PanelId = 'problems' | 'plan' | 'matrix' | 'capture';
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
  /** The document: the only state undo/redo tracks. */
  design: Design;
  /** React Flow's view of the document, plus what only the canvas knows (measured size, drag). */
  nodes: AppNode[];
  edges: AppEdge[];

  /** Starts from a design with no history behind it (the saved copy, a reload, the bench). */
  loadDesign(design: Design): void;
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

  copySelection(): void;
  /** Pastes the clipboard `step` further than the previous paste of it. */
  paste(step?: XYPosition): void;
  undo(): void;
  redo(): void;

  onNodesChange(changes: NodeChange<AppNode>[]): void;
  onEdgesChange(changes: EdgeChange<AppEdge>[]): void;
}

interface UiSlice {
  selection: string[];
  panel: PanelId | null;
  galleryOpen: boolean;
  /** Per-element highlight (matrix path, plan hover), looked up by id so only those elements re-render. */
  highlight: Record<string, HighlightTone>;
  highlightNote: string | null;
  contextMenu: ContextMenuState | null;
  toasts: Toast[];
  clipboard: Fragment | null;
  /** Pastes since the last copy: each lands one step further, not on top of the last. */
  pastes: number;

  select(ids: readonly string[]): void;
  setPanel(panel: PanelId | null): void;
  togglePanel(panel: PanelId): void;
  setGalleryOpen(open: boolean): void;
  setHighlight(ids: readonly string[], tone: HighlightTone, note?: string | null): void;
  setHighlightMap(map: Record<string, HighlightTone>, note?: string | null): void;
  clearHighlight(): void;
  openContextMenu(menu: ContextMenuState | null): void;
  toast(message: string, tone?: Toast['tone']): void;
  dismissToast(id: number): void;
}

export type AppState = DesignSlice & UiSlice;

let toastSeq = 0;
/** Consecutive edits of one field (typing a subnet) become one undo step. */
let lastCommit: { key: string | undefined; at: number } = { key: undefined, at: 0 };
const COALESCE_MS = 1200;

export const useApp = create<AppState>()(
  temporal(
    (set, get) => {
      const commit = (design: Design, coalesce?: string) => {
        const state = get();
        if (design === state.design) return;
        const now = Date.now();
        const merge =
          coalesce !== undefined &&
          lastCommit.key === coalesce &&
          now - lastCommit.at < COALESCE_MS;
        lastCommit = { key: coalesce, at: now };
        const t = useApp.temporal.getState();
        if (merge) t.pause();
        set({ design, ...designToFlow(design, state) });
        if (merge) t.resume();
      };
      const patchNode = (id: string, patch: Partial<DesignNode>, field: string) =>
        commit(edit.updateNode(get().design, id, patch), `${id}.${field}`);
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
          `${linkId}.${end}.${field}`,
        );

      return {
        design: emptyDesign(),
        nodes: [],
        edges: [],

        loadDesign(design) {
          set({
            design,
            ...designToFlow(design),
            selection: [],
            highlight: {},
            highlightNote: null,
          });
          useApp.temporal.getState().clear();
        },
        replaceDesign(design) {
          commit(design);
          set({ selection: [], highlight: {}, highlightNote: null });
        },
        setDesignName: (name) => commit({ ...get().design, name }, 'design.name'),
        setDesignTitle(title) {
          const { title: _old, ...rest } = get().design;
          commit(title ? { ...rest, title } : rest, 'design.title');
        },
        addNode(kind, position, host) {
          const { design, id } = edit.addNode(get().design, kind, position, host);
          commit(design);
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
          commit(edit.renameElement(get().design, from, to));
          // The renamed card is a new React Flow node: mark it selected as the old one was.
          get().select(selection);
        },
        moveNodes: (positions) => commit(edit.moveNodes(get().design, positions)),
        moveIntoHost: (ns, host, rel) => commit(edit.moveIntoHost(get().design, ns, host, rel)),
        moveOutOfHost: (ns, abs) => commit(edit.moveOutOfHost(get().design, ns, abs)),

        setLabel: (id, label) => patchNode(id, { label: label || undefined }, 'label'),
        setVlanId: (id, vid) => patchNode(id, { vid } as Partial<DesignNode>, 'vid'),
        setSubnet: (id, subnet) =>
          patchNode(id, { subnet: subnet || undefined } as Partial<DesignNode>, 'subnet'),
        setVni: (id, vni) => patchNode(id, { vni } as Partial<DesignNode>, 'vni'),
        setVxlanPort: (id, port) => patchNode(id, { port } as Partial<DesignNode>, 'port'),
        setUnderlay: (id, underlay) =>
          patchNode(id, { underlay } as Partial<DesignNode>, 'underlay'),
        setHostMode: (id, mode) => patchNode(id, { mode } as Partial<DesignNode>, 'mode'),
        setRouting: (id, routing) => patchNode(id, { routing } as Partial<DesignNode>, 'routing'),
        setStaticRoutes: (id, routes) => patchNode(id, { routes } as Partial<DesignNode>, 'routes'),

        setInterfaceAddress: (linkId, end, ip) => patchEndpoint(linkId, end, 'ip', ip),
        setInterfaceName: (linkId, end, ifname) => patchEndpoint(linkId, end, 'ifname', ifname),
        setLinkMtu: (linkId, mtu) =>
          commit(
            edit.updateLink(get().design, linkId, (l) => {
              const { mtu: _old, ...rest } = l;
              return mtu === undefined ? rest : { ...rest, mtu };
            }),
            `${linkId}.mtu`,
          ),
        setLinkState: (linkId, state) =>
          commit(edit.updateLink(get().design, linkId, (l) => ({ ...l, state }))),

        copySelection() {
          const fragment = edit.copy(get().design, get().selection);
          if (fragment) set({ clipboard: fragment, pastes: 0 });
        },
        paste(step = { x: 40, y: 40 }) {
          const { clipboard: fragment, pastes } = get();
          if (!fragment) return;
          const n = pastes + 1;
          const { design, ids } = edit.paste(get().design, fragment, {
            x: step.x * n,
            y: step.y * n,
          });
          commit(design);
          set({ pastes: n });
          get().select(ids);
        },
        undo() {
          useApp.temporal.getState().undo();
          lastCommit = { key: undefined, at: 0 };
          set((s) => designToFlow(s.design, s));
        },
        redo() {
          useApp.temporal.getState().redo();
          lastCommit = { key: undefined, at: 0 };
          set((s) => designToFlow(s.design, s));
        },

        onNodesChange(changes) {
          // Deletion goes through removeElements so links and containers follow.
          const kept = changes.filter((c) => c.type !== 'remove');
          if (kept.length === 0) return;
          const nodes = applyNodeChanges(kept, get().nodes);
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
        highlight: {},
        highlightNote: null,
        contextMenu: null,
        toasts: [],
        clipboard: null,
        pastes: 0,

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
        setHighlight(ids, tone, note = null) {
          set({ highlight: Object.fromEntries(ids.map((id) => [id, tone])), highlightNote: note });
        },
        setHighlightMap: (highlight, note = null) => set({ highlight, highlightNote: note }),
        clearHighlight: () => set({ highlight: {}, highlightNote: null }),
        openContextMenu: (contextMenu) => set({ contextMenu }),
        toast(message, tone = 'info') {
          const id = ++toastSeq;
          set((s) => ({ toasts: [...s.toasts.slice(-3), { id, tone, message }] }));
          setTimeout(() => get().dismissToast(id), tone === 'error' ? 6000 : 3000);
        },
        dismissToast: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
      };
    },
    {
      partialize: (s) => ({ design: s.design }),
      equality: (a, b) => a.design === b.design,
      limit: 200,
    },
  ),
);

function selectedIds(nodes: readonly AppNode[], edges: readonly AppEdge[]): string[] {
  const out: string[] = [];
  for (const n of nodes) if (n.selected) out.push(n.id);
  for (const e of edges) if (e.selected) out.push(e.id);
  return out;
}

export const useTemporal = useApp.temporal;
