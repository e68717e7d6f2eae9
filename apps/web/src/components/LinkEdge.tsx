import {
  BaseEdge,
  EdgeLabelRenderer,
  type EdgeProps,
  type InternalNode,
  useInternalNode,
  useStore,
} from '@xyflow/react';
import { memo } from 'react';
import { useAnalysis } from '../core/analysis';
import { useLive } from '../live/store';
import type { LinkEdge as LinkEdgeType } from '../model/flow';
import { useApp } from '../store';

/** Where the line from a node's centre towards `toward` leaves the node's rectangle. */
function borderPoint(node: InternalNode, toward: { x: number; y: number }) {
  const w = node.measured.width ?? node.width ?? 0;
  const h = node.measured.height ?? node.height ?? 0;
  const cx = node.internals.positionAbsolute.x + w / 2;
  const cy = node.internals.positionAbsolute.y + h / 2;
  const dx = toward.x - cx;
  const dy = toward.y - cy;
  if (dx === 0 && dy === 0) return { x: cx, y: cy };
  const scale = Math.min(Math.abs(w / 2 / (dx || 1e-9)), Math.abs(h / 2 / (dy || 1e-9)));
  return { x: cx + dx * scale, y: cy + dy * scale };
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
 * A link drawn as a straight line between element borders ("floating"
 * edge). Colour comes from the kernel's state of the link when a lab runs;
 * the dash animation speeds up with the traffic rate.
 */
function LinkEdgeView({ id, source, target, data, selected }: EdgeProps<LinkEdgeType>) {
  const s = useInternalNode(source);
  const t = useInternalNode(target);
  const live = useLive((st) => st.links[id]);
  const problem = useAnalysis((st) => st.worst[id]);
  const highlight = useApp((st) => st.highlight[id]);
  // Labels are unreadable when zoomed out and cost a DOM node each: show them from 60 % up.
  const readable = useStore((st) => st.transform[2] >= 0.6);
  if (!s || !t) return null;
  const a = borderPoint(s, centre(t));
  const b = borderPoint(t, centre(s));
  const path = `M ${a.x},${a.y} L ${b.x},${b.y}`;
  const adminDown = data?.link.state === 'down';
  const state = live?.state ?? (adminDown ? 'admin-down' : 'design');
  const rate = live?.rate ?? 0;
  // log scale: 1 kB/s drifts slowly, 100 MB/s races
  const speed = rate > 0 ? Math.max(0.25, 3 - Math.log10(rate) / 3) : 0;
  const classes = [
    'nc-link',
    `link-${state}`,
    adminDown ? 'admin-down' : '',
    problem ? `has-${problem}` : '',
    highlight ? `hl-${highlight}` : '',
    selected ? 'is-selected' : '',
    rate > 0 ? 'flowing' : '',
  ].join(' ');
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        className={classes}
        interactionWidth={14}
        style={speed ? { animationDuration: `${speed}s` } : undefined}
      />
      <path d={path} className="nc-link-hit" data-testid={`edge-${id}`} fill="none" />
      {readable && (rate > 0 || adminDown || data?.link.mtu) && (
        <EdgeLabelRenderer>
          <div
            className="nc-link-label"
            style={{
              transform: `translate(-50%, -50%) translate(${(a.x + b.x) / 2}px,${(a.y + b.y) / 2}px)`,
            }}
            data-testid={`edge-label-${id}`}
          >
            {rate > 0 ? formatRate(rate) : adminDown ? 'down' : `mtu ${data?.link.mtu}`}
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
