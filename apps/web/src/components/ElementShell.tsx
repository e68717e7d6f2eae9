import type { DesignNode, NodeKind } from '@netcanvas/shared';
import { Handle, Position } from '@xyflow/react';
import { memo, type ReactNode } from 'react';
import { useAnalysis } from '../core/analysis';
import { KIND_DEFINITIONS } from '../kinds/definitions';
import { type ElementLiveState, useLive } from '../live/store';
import { useApp } from '../store';
import { KindIcon } from './icons';

const SIDES = [Position.Top, Position.Right, Position.Bottom, Position.Left] as const;

/**
 * Four loose handles: a link may start or end on any side, like on a whiteboard.
 * Memoised: each Handle subscribes to React Flow's store, and a live tick that
 * re-renders every card must not re-run four of those per card.
 */
export const Handles = memo(function Handles({ id }: { id: string }) {
  return (
    <>
      {SIDES.map((side) => (
        <Handle
          key={side}
          id={side}
          type="source"
          position={side}
          className="nc-handle"
          data-testid={`handle-${id}-${side}`}
        />
      ))}
    </>
  );
});

// The icon depends on the kind only; a status change must not rebuild its SVG.
const CardIcon = memo(KindIcon);

/** Per-element subscriptions: a change to one element's problems or live state re-renders only it. */
export function useElementStatus(id: string) {
  const problem = useAnalysis((s) => s.worst[id]);
  const live = useLive((s) => s.elements[id]);
  const highlight = useApp((s) => s.highlight[id]);
  return { problem, live, highlight };
}

export function statusClasses(
  s: ReturnType<typeof useElementStatus>,
  selected: boolean | undefined,
): string {
  return [
    s.problem ? `has-${s.problem}` : '',
    s.live ? `live-${s.live}` : '',
    s.highlight ? `hl-${s.highlight}` : '',
    selected ? 'is-selected' : '',
  ].join(' ');
}

/**
 * Every glyph stays in the badge and only the current one is visible: changing
 * a text node makes Chromium reshape and lay out the text, which for a tick over
 * 600 visible badges took ~100 ms; a visibility switch is a repaint.
 */
const LIVE_GLYPHS = [
  ['deployed', '●'],
  ['drift', '≈'],
  ['missing', '○'],
  ['error', '×'],
] as const satisfies readonly (readonly [ElementLiveState, string])[];
// One constant element list: React skips it on every tick, and the badge's own
// class (badge-live-<state>) picks the visible glyph in CSS.
const LIVE_GLYPH_SPANS = LIVE_GLYPHS.map(([state, glyph]) => (
  <span key={state} className={`nc-glyph glyph-${state}`}>
    {glyph}
  </span>
));

export function Badges({
  id,
  status,
}: {
  id: string;
  status: ReturnType<typeof useElementStatus>;
}) {
  const messages = useAnalysis((s) => (status.problem ? s.messages[id] : undefined));
  const notes = useLive((s) => (status.live ? s.elementNotes[id] : undefined));
  return (
    <div className="nc-badges">
      {status.problem && (
        <span
          className={`nc-badge badge-${status.problem}`}
          data-testid={`problem-badge-${id}`}
          title={messages?.map((m) => m.message).join('\n')}
        >
          {status.problem === 'error' ? '!' : '?'}
        </span>
      )}
      {status.live && (
        <span
          className={`nc-badge badge-live-${status.live}`}
          data-testid={`live-badge-${id}`}
          title={notes?.join('\n') || status.live}
        >
          {LIVE_GLYPH_SPANS}
        </span>
      )}
    </div>
  );
}

/** The card every non-container element is drawn as: kind icon, id, one summary line. */
export function ElementCard<K extends NodeKind>(props: {
  id: string;
  node: Extract<DesignNode, { kind: K }>;
  selected?: boolean;
  children?: ReactNode;
  compact?: boolean;
}) {
  const { id, node, selected } = props;
  const def = KIND_DEFINITIONS[node.kind] as {
    summary(n: DesignNode): string;
    tag?(n: DesignNode): string;
    color: string;
  };
  const status = useElementStatus(id);
  return (
    <div
      className={`nc-node kind-${node.kind} ${props.compact ? 'compact' : ''} ${statusClasses(status, selected)}`}
      style={{ ['--kind' as string]: def.color }}
      data-testid={`node-${id}`}
    >
      <Handles id={id} />
      <span className="nc-node-icon">
        <CardIcon kind={node.kind} />
      </span>
      <span className="nc-node-text">
        <span className="nc-node-id">
          {node.label || id}
          {def.tag && <span className="nc-node-tag">{def.tag(node)}</span>}
        </span>
        <span className="nc-node-summary">
          {node.label ? `${id} · ${def.summary(node)}` : def.summary(node)}
        </span>
      </span>
      {props.children}
      <Badges id={id} status={status} />
    </div>
  );
}
