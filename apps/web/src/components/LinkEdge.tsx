import {
  EdgeLabelRenderer,
  type EdgeProps,
  type EdgeTypes,
  type InternalNode,
  useInternalNode,
  useStore,
} from '@xyflow/react';
import {
  createContext,
  memo,
  useCallback,
  useContext,
  useLayoutEffect,
  useMemo,
  useRef,
} from 'react';
import { createStore, type StoreApi, useStore as useZustand } from 'zustand';
import type { AppEdge, LinkEdge as LinkEdgeType } from '../model/flow';
import { type LabelledLink, placeLabels, type XY } from '../model/labels';
import { pipeEnd } from '../model/tunnel';
import type { LinkLive } from '../store/live';
import { useAnalysis, useApp, useLive, useStores } from '../ui/context';
import { setAttr, useLiveWriter } from '../ui/transient';

/** Where each link's label goes (model/labels.ts), by link id; set by LabelPlacer. */
type LabelSpots = StoreApi<Map<string, XY>>;
const LabelSpotsContext = createContext<LabelSpots | null>(null);
export const createLabelSpots = (): LabelSpots => createStore(() => new Map<string, XY>());
export const LabelSpotsProvider = LabelSpotsContext.Provider;
const NO_SPOTS = createLabelSpots();

/** A label's box in flow units, margin included: the rate text, or bigger in projector mode. */
const LABEL_BOX = { w: 84, h: 22 };

/** The links that show a label: a rate (traffic) or a word of the design (down, mtu). */
function labelled(edges: readonly AppEdge[], flowing: ReadonlySet<string>): AppEdge[] {
  return edges.filter(
    (e) =>
      e.type === 'link' &&
      (flowing.has(e.id) || e.data?.link.state === 'down' || e.data?.link.mtu !== undefined),
  );
}

/**
 * Places every link label at once, so that two labels never cover each other
 * where links cross. Lives inside React Flow (it reads the measured cards);
 * runs when the design, the set of links with traffic, or the zoom level of
 * labels changes, not on each rate tick.
 */
export function LabelPlacer({
  edges,
  presenting,
}: {
  edges: readonly AppEdge[];
  presenting: boolean;
}) {
  const spots = useContext(LabelSpotsContext) ?? NO_SPOTS;
  // Projector mode draws labels larger against the zoom (styles.css): place larger boxes.
  // In tenths, so a zoom gesture re-places labels a few times, not every frame.
  const scale = useStore((st) =>
    presenting
      ? Math.round(Math.min(20 / 10.5, Math.max(1, 14 / 10.5 / st.transform[2])) * 10) / 10
      : 1,
  );
  const flowingKey = useLive((st) =>
    Object.keys(st.links)
      .filter((id) => (st.links[id]?.rate ?? 0) > 0)
      .sort()
      .join(' '),
  );
  const flowing = useMemo(() => new Set(flowingKey.split(' ')), [flowingKey]);
  const lookup = useStore((st) => st.nodeLookup);
  // Cards measured or moved: the geometry changed.
  const geometry = useStore((st) => {
    let sum = 0;
    for (const n of st.nodeLookup.values())
      sum +=
        n.internals.positionAbsolute.x * 3 +
        n.internals.positionAbsolute.y +
        (n.measured.width ?? 0);
    return sum;
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: geometry says when the cards in lookup (a mutable Map) moved
  useLayoutEffect(() => {
    const links: LabelledLink[] = [];
    for (const e of labelled(edges, flowing)) {
      const s = lookup.get(e.source);
      const t = lookup.get(e.target);
      if (!s || !t) continue;
      const { a, b } = linkEnds(s, t);
      links.push({ id: e.id, a, b });
    }
    spots.setState(placeLabels(links, { w: LABEL_BOX.w * scale, h: LABEL_BOX.h * scale }), true);
  }, [edges, flowing, lookup, geometry, scale, spots]);
  return null;
}

/** Where the line from a node's centre towards `toward` leaves the node's rectangle. */
/** A VLAN is drawn as a bus bar this thick across its card (styles.css): links end on the bar. */
const BUS_BAR = 8;

function borderPoint(node: InternalNode, toward: { x: number; y: number }) {
  const w = node.measured.width ?? node.width ?? 0;
  const box = node.measured.height ?? node.height ?? 0;
  const h = node.type === 'vlan' ? Math.min(BUS_BAR, box) : box;
  const cx = node.internals.positionAbsolute.x + w / 2;
  const cy = node.internals.positionAbsolute.y + box / 2;
  const dx = toward.x - cx;
  const dy = toward.y - cy;
  if (dx === 0 && dy === 0) return { x: cx, y: cy };
  const scale = Math.min(Math.abs(w / 2 / (dx || 1e-9)), Math.abs(h / 2 / (dy || 1e-9)));
  return { x: cx + dx * scale, y: cy + dy * scale };
}

/** A tunnel drawn as a pipe (model/flow.ts): its links end at its mouths. */
const isPipe = (n: InternalNode) =>
  n.type === 'vxlan' && (n.data as { pipe?: unknown }).pipe !== undefined;

function rect(n: InternalNode) {
  return {
    x: n.internals.positionAbsolute.x,
    y: n.internals.positionAbsolute.y,
    width: n.measured.width ?? n.width ?? 0,
    height: n.measured.height ?? n.height ?? 0,
  };
}

/**
 * Where a link's line starts and ends: on the borders of its elements,
 * towards each other's centre; a link to a tunnel pipe ends at the pipe's
 * mouth on the member's side, so it reads as the member's leg into the tunnel.
 */
export function linkEnds(s: InternalNode, t: InternalNode): { a: XY; b: XY; leg?: true } {
  if (isPipe(s) && !isPipe(t)) {
    const a = pipeEnd(rect(s), centre(t));
    return { a, b: borderPoint(t, a), leg: true };
  }
  if (isPipe(t) && !isPipe(s)) {
    const b = pipeEnd(rect(t), centre(s));
    return { a: borderPoint(s, b), b, leg: true };
  }
  return { a: borderPoint(s, centre(t)), b: borderPoint(t, centre(s)) };
}

function centre(node: InternalNode) {
  return {
    x: node.internals.positionAbsolute.x + (node.measured.width ?? node.width ?? 0) / 2,
    y: node.internals.positionAbsolute.y + (node.measured.height ?? node.height ?? 0) / 2,
  };
}

export function formatRate(bits: number): string {
  if (bits >= 1e9) return `${(bits / 1e9).toFixed(1)} Gb/s`;
  if (bits >= 1e6) return `${(bits / 1e6).toFixed(1)} Mb/s`;
  if (bits >= 1e3) return `${(bits / 1e3).toFixed(0)} kb/s`;
  return `${bits.toFixed(0)} b/s`;
}

/**
 * Seconds per dash cycle, on a log scale: 1 kb/s drifts slowly, 100 Mb/s
 * races. In quarter seconds, so that a rate wobbling from tick to tick does
 * not restyle (and restart) the animation every second.
 */
const dashSeconds = (bits: number) =>
  Math.max(0.25, Math.round((3 - Math.log10(bits) / 3) * 4) / 4);

/**
 * A link drawn as a straight line between element borders ("floating"
 * edge). Colour comes from the kernel's state of the link when a lab runs;
 * the dash animation speeds up with the traffic rate.
 *
 * React renders what the design decides (geometry, problems, selection,
 * highlights). The kernel's state and rate arrive every tick for every link,
 * so they are written onto the line and its label by the live store
 * (useLiveWriter) instead of re-rendering a thousand edges.
 */
/** From this zoom up, each link end says the interface it is and its address. */
export const END_LABEL_ZOOM = 1.1;
const SEGMENTS = new Set(['vlan', 'switch', 'vxlan']);

/**
 * The interface an element has on a link, as the core resolved it; none for
 * a segment or a tunnel (their members have the interfaces). The topology's
 * own object, so the selection is stable between renders.
 */
function useEnd(node: string, link: string, shown: boolean) {
  const segment = useApp((st) => SEGMENTS.has(st.design.nodes[node]?.kind ?? ''));
  return useAnalysis((st) =>
    shown && !segment
      ? st.topology?.interfaces.find((i) => i.node === node && i.link === link)
      : undefined,
  );
}

/** `eth1 10.0.10.1/24` beside the element's end of the link, a little along it. */
function EndLabel(props: {
  link: string;
  node: string;
  at: XY;
  toward: XY;
  name: string;
  address: string | null;
  /** A short leg into a tunnel's mouth has no room along it: the label sits above it. */
  leg?: boolean;
}) {
  const dx = props.toward.x - props.at.x;
  const dy = props.toward.y - props.at.y;
  const len = Math.hypot(dx, dy) || 1;
  const along = Math.min(46, len * 0.34);
  const x = props.leg ? (props.at.x + props.toward.x) / 2 : props.at.x + (dx / len) * along;
  const y = props.leg ? Math.min(props.at.y, props.toward.y) - 38 : props.at.y + (dy / len) * along;
  return (
    <div
      className="nc-end-label"
      style={{ transform: `translate(-50%, -50%) translate(${x}px,${y}px)` }}
      data-testid={`edge-end-${props.link}-${props.node}`}
    >
      {props.name}
      {props.address && <span className="addr"> {props.address}</span>}
    </div>
  );
}

function LinkEdgeView({ id, source, target, data, selected }: EdgeProps<LinkEdgeType>) {
  const s = useInternalNode(source);
  const t = useInternalNode(target);
  const problem = useAnalysis((st) => st.worst[id]);
  const highlight = useApp((st) => st.highlight[id]);
  // Whether a rate label exists is decided here; the rate in it is written live.
  const flowing = useLive((st) => (st.links[id]?.rate ?? 0) > 0);
  // Labels are unreadable when zoomed out and cost a DOM node each: show them from 60 % up.
  const readable = useStore((st) => st.transform[2] >= 0.6);
  const detailed = useStore((st) => st.transform[2] >= END_LABEL_ZOOM);
  const sourceEnd = useEnd(source, id, detailed);
  const targetEnd = useEnd(target, id, detailed);
  const spot = useZustand(useContext(LabelSpotsContext) ?? NO_SPOTS, (m) => m.get(id));
  const line = useRef<SVGPathElement>(null);
  const rateLabel = useRef<HTMLDivElement | null>(null);
  const liveStore = useStores().live;
  const paintLive = useCallback((live: LinkLive | undefined) => {
    const rate = live?.rate ?? 0;
    const el = line.current;
    if (el) {
      setAttr(el, 'data-live', live?.state);
      setAttr(el, 'data-flowing', rate > 0 ? '' : undefined);
      const duration = rate > 0 ? `${dashSeconds(rate)}s` : '';
      if (el.style.animationDuration !== duration) el.style.animationDuration = duration;
    }
    if (rateLabel.current) rateLabel.current.textContent = rate > 0 ? formatRate(rate) : '';
  }, []);
  useLiveWriter((st) => st.links[id], paintLive);
  const mountRateLabel = useCallback(
    (el: HTMLDivElement | null) => {
      rateLabel.current = el;
      if (el) paintLive(liveStore.getState().links[id]);
    },
    [id, liveStore, paintLive],
  );
  if (!s || !t) return null;
  const { a, b, leg } = linkEnds(s, t);
  const path = `M ${a.x},${a.y} L ${b.x},${b.y}`;
  const adminDown = data?.link.state === 'down';
  const classes = [
    'react-flow__edge-path nc-link',
    adminDown ? 'admin-down' : '',
    problem ? `has-${problem}` : '',
    highlight ? `hl-${highlight}` : '',
    selected ? 'is-selected' : '',
  ].join(' ');
  const designLabel = adminDown ? 'down' : data?.link.mtu ? `mtu ${data.link.mtu}` : null;
  return (
    <>
      <path ref={line} id={id} d={path} className={classes} fill="none" />
      <path
        d={path}
        className="react-flow__edge-interaction"
        fill="none"
        strokeOpacity={0}
        strokeWidth={14}
      />
      <path d={path} className="nc-link-hit" data-testid={`edge-${id}`} fill="none" />
      {(sourceEnd || targetEnd) && (
        <EdgeLabelRenderer>
          {sourceEnd && (
            <EndLabel
              link={id}
              node={source}
              at={a}
              toward={b}
              name={sourceEnd.name}
              address={sourceEnd.address}
              leg={leg}
            />
          )}
          {targetEnd && (
            <EndLabel
              link={id}
              node={target}
              at={b}
              toward={a}
              name={targetEnd.name}
              address={targetEnd.address}
              leg={leg}
            />
          )}
        </EdgeLabelRenderer>
      )}
      {readable && (flowing || designLabel) && (
        <EdgeLabelRenderer>
          <div
            className="nc-link-label"
            style={{
              transform: `translate(-50%, -50%) translate(${spot?.x ?? (a.x + b.x) / 2}px,${spot?.y ?? (a.y + b.y) / 2}px)`,
            }}
            data-testid={`edge-label-${id}`}
          >
            {flowing ? <span ref={mountRateLabel} /> : designLabel}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const LinkEdge = memo(LinkEdgeView);

/** A dotted line from a tunnel to the segment that carries it: context, not a veth. */
function UnderlayEdgeView({ source, target }: EdgeProps) {
  const s = useInternalNode(source);
  const t = useInternalNode(target);
  if (!s || !t) return null;
  const a = borderPoint(s, centre(t));
  const b = borderPoint(t, centre(s));
  return <path d={`M ${a.x},${a.y} L ${b.x},${b.y}`} className="nc-underlay" fill="none" />;
}

export const UnderlayEdge = memo(UnderlayEdgeView);

/** Defined once at module scope, like `nodeTypes` (kinds/index.ts): React Flow re-mounts every edge if this object changes. */
export const edgeTypes = { link: LinkEdge, underlay: UnderlayEdge } satisfies EdgeTypes;
