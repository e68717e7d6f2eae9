import type { NodeKind } from '@netcanvas/shared';
import { Panel } from '@xyflow/react';
import { KIND_DEFINITIONS } from '../kinds/definitions';
import { KindSymbol } from '../ui/icons';

/**
 * What the marks on the canvas mean, drawn with the canvas's own classes so
 * the legend cannot drift from what it explains: the badges of a card and
 * the colours of a link. Shown in projector mode, where a class reads the
 * screen from afar and has no tooltip to hover.
 */
const BADGES = [
  { cls: 'nc-badge badge-error', glyph: '!', text: 'error in the design' },
  { cls: 'nc-badge badge-warning', glyph: '?', text: 'warning' },
  { live: 'deployed', glyph: '●', text: 'running in the kernel' },
  { live: 'drift', glyph: '≈', text: 'running, differs from the design' },
  { live: 'missing', glyph: '○', text: 'missing from the kernel' },
] as const;

const LINKS = [
  { live: 'absent', text: 'link, not deployed' },
  { live: 'up', text: 'link up' },
  { live: 'down', text: 'link down (cut)' },
  { live: 'up', flowing: true, text: 'traffic (faster = more)' },
] as const;

/** The symbols of the kinds, as the cards draw them (KindSymbol). */
const SYMBOLS: { kind: NodeKind; text: string }[] = [
  { kind: 'router', text: 'router' },
  { kind: 'switch', text: 'switch' },
  { kind: 'vlan', text: 'VLAN (bus)' },
  { kind: 'host', text: 'host' },
  { kind: 'namespace', text: 'container' },
];

export function Legend() {
  return (
    <Panel position="bottom-center" className="nc-legend" data-testid="legend">
      <h4>Legend</h4>
      <ul>
        {SYMBOLS.map((s) => (
          <li key={s.kind} data-testid={`legend-symbol-${s.kind}`}>
            <span
              className={`nc-legend-symbol kind-${s.kind}`}
              style={{ ['--kind' as string]: KIND_DEFINITIONS[s.kind].color }}
            >
              <KindSymbol kind={s.kind} size={20} />
            </span>
            {s.text}
          </li>
        ))}
        <li data-testid="legend-symbol-vxlan">
          <span
            className="nc-legend-symbol nc-legend-pipe"
            style={{ ['--kind' as string]: KIND_DEFINITIONS.vxlan.color }}
          />
          VXLAN tunnel
        </li>
        {BADGES.map((b) => (
          <li key={b.text}>
            {'live' in b ? (
              <span className="nc-legend-live" data-live={b.live}>
                <span className="nc-badge nc-live-badge">{b.glyph}</span>
              </span>
            ) : (
              <span className={b.cls}>{b.glyph}</span>
            )}
            {b.text}
          </li>
        ))}
        {LINKS.map((l) => (
          <li key={l.text}>
            <svg width="28" height="10" aria-hidden="true">
              <path
                d="M 2,5 L 26,5"
                className="nc-link"
                data-live={l.live}
                data-flowing={'flowing' in l ? '' : undefined}
              />
            </svg>
            {l.text}
          </li>
        ))}
        <li>
          <svg width="28" height="10" aria-hidden="true">
            <path d="M 2,5 L 26,5" className="nc-underlay" />
          </svg>
          carried over its underlay
        </li>
      </ul>
    </Panel>
  );
}
