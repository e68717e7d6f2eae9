import { useReactFlow, ViewportPortal } from '@xyflow/react';
import { useMemo } from 'react';
import { pathElements } from '../model/path';
import { useAnalysis, useLive } from '../ui/context';

/** How long one packet takes along its path on the canvas. */
const FLIGHT_MS = 900;

/**
 * The last ping drawn as a packet moving along its path, element to element
 * (the server's predicted hops for that ping); one that is lost stops, red,
 * where it is lost. An overlay in flow coordinates above the links: it never
 * touches the edges themselves. Still (drawn at its end) for reduced motion.
 */
export function PacketOverlay() {
  const flight = useLive((s) => s.flight);
  const topology = useAnalysis((s) => s.topology);
  const flow = useReactFlow();
  const points = useMemo(() => {
    if (!flight || !topology) return [];
    return pathElements(flight.forward, topology).flatMap((id) => {
      const n = flow.getInternalNode(id);
      if (!n) return [];
      const w = n.measured.width ?? n.width ?? 0;
      const h = n.measured.height ?? n.height ?? 0;
      return [
        { x: n.internals.positionAbsolute.x + w / 2, y: n.internals.positionAbsolute.y + h / 2 },
      ];
    });
  }, [flight, topology, flow]);
  if (!flight || points.length < 2) return null;
  const d = points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
  const still = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
  const end = points.at(-1)!;
  return (
    <ViewportPortal>
      <svg
        className="nc-packets"
        data-testid="packet-overlay"
        data-seq={flight.seq}
        data-reached={flight.reached ? 'true' : 'false'}
        aria-hidden="true"
      >
        <path d={d} className="nc-packet-path" />
        <circle
          key={flight.seq}
          r={7}
          className={`nc-packet ${flight.reached ? 'ok' : 'lost'}`}
          data-testid="packet"
          {...(still ? { cx: end.x, cy: end.y } : {})}
        >
          {!still && (
            <animateMotion dur={`${FLIGHT_MS}ms`} path={d} fill="freeze" repeatCount="1" />
          )}
        </circle>
      </svg>
    </ViewportPortal>
  );
}
