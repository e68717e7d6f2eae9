import type { DesignNode, NodeKind } from '@netcanvas/shared';
import { Handle, type NodeProps, Position, useStore } from '@xyflow/react';
import { memo, type RefObject, useLayoutEffect, useRef } from 'react';
import type { ElementLiveState } from '../store/live';
import { useAnalysis, useApp, useStores } from './context';
import { KindSymbol } from './icons';
import { setAttr, useLiveWriter } from './transient';

/**
 * memo's comparison for node components: they draw from their id, design
 * element and selection only. React Flow also passes position and size, which
 * change when a card is measured or dragged; rendering again for those cost a
 * second full render of every card after a big design first appeared.
 */
export const sameCard = (a: NodeProps, b: NodeProps) =>
  a.id === b.id && a.data === b.data && a.selected === b.selected;

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

// The symbol depends on the kind only; a status change must not rebuild its SVG.
const CardIcon = memo(KindSymbol);

/**
 * Per-element subscriptions: a change to one element's problems or highlight
 * re-renders only it. Its live state does not re-render it at all: see useLiveElement.
 */
export function useElementStatus(id: string) {
  const problem = useAnalysis((s) => s.worst[id]);
  const highlight = useApp((s) => s.highlight[id]);
  return { problem, highlight };
}

export function statusClasses(
  s: ReturnType<typeof useElementStatus>,
  selected: boolean | undefined,
): string {
  return [
    s.problem ? `has-${s.problem}` : '',
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
// One constant element list: React never re-renders it, and the badge's own
// data-live attribute picks the visible glyph in CSS.
const LIVE_GLYPH_SPANS = LIVE_GLYPHS.map(([state, glyph]) => (
  <span key={state} className={`nc-glyph glyph-${state}`}>
    {glyph}
  </span>
));

/**
 * Below this zoom a card's text is under 5 px on screen: cards are drawn as
 * plain boxes that the kernel's state colours whole (a 16 px badge would be a
 * 2 px dot). Fewer DOM nodes per card also keeps a live tick over a
 * thousand-element overview cheap to paint.
 */
export const OVERVIEW_ZOOM = 0.4;
export const useOverview = () => useStore((s) => s.transform[2] < OVERVIEW_ZOOM);

/**
 * The kernel's word on this element, written by the live store onto the card
 * (`data-live`, which CSS turns into the badge or the overview colour) and
 * into the tooltip: a status tick over every element renders no component.
 * In the overview the card has no text, so its tooltip names it as well.
 */
export function useLiveElement(
  id: string,
  name: string,
  overview: boolean,
): RefObject<HTMLDivElement | null> {
  const card = useRef<HTMLDivElement>(null);
  const liveStore = useStores().live;
  const paint = () => {
    const el = card.current;
    if (!el) return;
    const { elements, elementNotes } = liveStore.getState();
    const state = elements[id];
    setAttr(el, 'data-live', state);
    const live = state && (elementNotes[id]?.join('\n') || state);
    const badge = el.querySelector('.nc-live-badge');
    setAttr(badge, 'title', live);
    setAttr(el, 'title', badge ? undefined : live ? `${name}: ${live}` : name);
  };
  useLiveWriter((s) => s.elements[id], paint);
  useLiveWriter((s) => s.elementNotes[id], paint);
  // The badge comes and goes with the level of detail, and the name with edits:
  // the tooltip must follow both.
  // biome-ignore lint/correctness/useExhaustiveDependencies: paint reads the store; these only decide when
  useLayoutEffect(paint, [overview, name]);
  return card;
}

export function Badges({
  id,
  status,
}: {
  id: string;
  status: ReturnType<typeof useElementStatus>;
}) {
  const messages = useAnalysis((s) => (status.problem ? s.messages[id] : undefined));
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
      {/* Shown by CSS when the card has data-live (useLiveElement). */}
      <span className="nc-badge nc-live-badge" data-testid={`live-badge-${id}`}>
        {LIVE_GLYPH_SPANS}
      </span>
    </div>
  );
}

/** What a card shows of its kind (each kind's definition.ts has it). */
export interface CardLook<N extends DesignNode> {
  color: string;
  summary(node: N): string;
  tag?(node: N): string;
}

/** The card every non-container element is drawn as: kind icon, id, one summary line. */
export function ElementCard<K extends NodeKind>(props: {
  id: string;
  node: Extract<DesignNode, { kind: K }>;
  look: CardLook<Extract<DesignNode, { kind: K }>>;
  selected?: boolean;
  compact?: boolean;
}) {
  const { id, node, selected, look: def } = props;
  const status = useElementStatus(id);
  const overview = useOverview();
  const card = useLiveElement(id, node.label || id, overview);
  return (
    <div
      ref={card}
      className={`nc-node kind-${node.kind} ${props.compact ? 'compact' : ''} ${overview ? 'overview' : ''} ${statusClasses(status, selected)}`}
      style={{ ['--kind' as string]: def.color }}
      data-testid={`node-${id}`}
    >
      <Handles id={id} />
      {!overview && (
        <>
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
          <Badges id={id} status={status} />
        </>
      )}
    </div>
  );
}
