import { Panel } from '@xyflow/react';

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

export function Legend() {
  return (
    <Panel position="bottom-center" className="nc-legend" data-testid="legend">
      <h4>Legend</h4>
      <ul>
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
          VXLAN tunnel over its underlay
        </li>
      </ul>
    </Panel>
  );
}
