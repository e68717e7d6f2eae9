import type { NodeKind } from '@netcanvas/shared';
import type { ReactNode } from 'react';

const common = {
  viewBox: '0 0 16 16',
  fill: 'none',
  stroke: 'currentColor',
  strokeWidth: 1.4,
  strokeLinecap: 'round' as const,
  strokeLinejoin: 'round' as const,
};

/**
 * Most icons sit next to visible text (a label, a button caption or a tooltip) and are hidden from
 * assistive technology; one that carries meaning of its own (a severity) is given a label.
 */
function Glyph({
  size = 16,
  label,
  children,
}: {
  size?: number;
  label?: string;
  children: ReactNode;
}) {
  if (label) {
    return (
      <svg {...common} width={size} height={size} role="img">
        <title>{label}</title>
        {children}
      </svg>
    );
  }
  return (
    <svg {...common} width={size} height={size} aria-hidden="true">
      {children}
    </svg>
  );
}

/**
 * The symbol a card is drawn with, as an engineer knows it: a router is a
 * solid disc with four arrows (two in, two out), a switch a solid flat box
 * with crossing arrows (Cisco's symbols, in the kind's colour); the others
 * their line icon. Decorative: the card's text names the element.
 */
export function KindSymbol({ kind, size = 26 }: { kind: NodeKind; size?: number }) {
  if (kind === 'router')
    return (
      <svg viewBox="0 0 26 26" width={size} height={size} aria-hidden="true" className="nc-symbol">
        <ellipse cx="13" cy="14.6" rx="11.6" ry="9.6" className="nc-symbol-side" />
        <ellipse cx="13" cy="11.4" rx="11.6" ry="9.6" className="nc-symbol-body" />
        <path
          className="nc-symbol-arrows"
          d="M13 3.6v5.2M10.9 6.7 13 8.8l2.1-2.1M13 19.2V14M10.9 16.1 13 14l2.1 2.1M16.2 11.4h6.4M20.5 9.3l2.1 2.1-2.1 2.1M9.8 11.4H3.4M5.5 9.3l-2.1 2.1 2.1 2.1"
        />
      </svg>
    );
  if (kind === 'switch')
    return (
      <svg viewBox="0 0 26 26" width={size} height={size} aria-hidden="true" className="nc-symbol">
        <rect x="1" y="8.6" width="24" height="12" rx="1.6" className="nc-symbol-side" />
        <rect x="1" y="5.4" width="24" height="12" rx="1.6" className="nc-symbol-body" />
        <path
          className="nc-symbol-arrows"
          d="M5 9h13.5M15.8 6.8 18.2 9l-2.4 2.2M21 13.8H7.5M10.2 11.6 7.8 13.8l2.4 2.2"
        />
      </svg>
    );
  return <KindIcon kind={kind} size={Math.round(size * 0.7)} />;
}

/** Small line icons drawn for this app, one per kind. */
export function KindIcon({ kind, size = 16 }: { kind: NodeKind; size?: number }) {
  switch (kind) {
    case 'host':
      // A server: a box of two drive bays, each with its light.
      return (
        <Glyph size={size}>
          <rect x="2.5" y="1.8" width="11" height="12.4" rx="1.2" />
          <path d="M2.5 6h11M2.5 10h11M5 3.9h3M5 8h3M5 12.1h3" />
          <circle cx="11" cy="3.9" r=".6" fill="currentColor" />
          <circle cx="11" cy="8" r=".6" fill="currentColor" />
        </Glyph>
      );
    case 'namespace':
      return (
        <Glyph size={size}>
          <path d="M8 1.8 13.5 5v6L8 14.2 2.5 11V5z" />
          <path d="M2.5 5 8 8.2 13.5 5M8 8.2v6" />
        </Glyph>
      );
    case 'vlan':
      // A bus bar with the taps of its members.
      return (
        <Glyph size={size}>
          <path d="M1.5 8h13" strokeWidth={2.6} />
          <path d="M4.5 8V4M8 8V4M11.5 8V4M6.2 8v4M9.8 8v4" />
        </Glyph>
      );
    case 'switch':
      // A flat box with crossing arrows: frames in, frames out.
      return (
        <Glyph size={size}>
          <rect x="1.2" y="3.8" width="13.6" height="8.4" rx="1.2" />
          <path d="M4 6.4h7.5M9.8 5l1.7 1.4-1.7 1.4M12 9.6H4.5M6.2 8.2 4.5 9.6l1.7 1.4" />
        </Glyph>
      );
    case 'router':
      // A router's disc with four arrows: two in, two out.
      return (
        <Glyph size={size}>
          <circle cx="8" cy="8" r="6.6" />
          <path d="M8 1.9v3.6M6.7 4.2 8 5.5l1.3-1.3M8 14.1v-3.6M6.7 11.8 8 10.5l1.3 1.3M10.5 8h3.6M11.8 6.7 10.5 8l1.3 1.3M5.5 8H1.9M4.2 6.7 5.5 8l-1.3 1.3" />
        </Glyph>
      );
    case 'vxlan':
      return (
        <Glyph size={size}>
          <path d="M1.8 10.5c2-4.5 10.4-4.5 12.4 0" />
          <path d="M1.8 10.5h12.4" strokeDasharray="1.6 1.6" />
          <circle cx="4" cy="7.6" r=".8" fill="currentColor" />
          <circle cx="12" cy="7.6" r=".8" fill="currentColor" />
        </Glyph>
      );
  }
}

export function Icon({
  name,
  label,
}: {
  /** Only for an icon that means something without its neighbouring text. */
  label?: string;
  name:
    | 'undo'
    | 'redo'
    | 'import'
    | 'export'
    | 'layout'
    | 'gallery'
    | 'designs'
    | 'labs'
    | 'play'
    | 'stop'
    | 'copy'
    | 'download'
    | 'close'
    | 'warn'
    | 'error'
    | 'present'
    | 'more';
}) {
  switch (name) {
    case 'undo':
      return (
        <Glyph label={label}>
          <path d="M5 4 2 7l3 3" />
          <path d="M2 7h7.5a4 4 0 0 1 0 8H7" />
        </Glyph>
      );
    case 'redo':
      return (
        <Glyph label={label}>
          <path d="m11 4 3 3-3 3" />
          <path d="M14 7H6.5a4 4 0 0 0 0 8H9" />
        </Glyph>
      );
    case 'import':
      return (
        <Glyph label={label}>
          <path d="M8 2v8M5 7l3 3 3-3M2.5 11v2.5h11V11" />
        </Glyph>
      );
    case 'export':
      return (
        <Glyph label={label}>
          <path d="M8 10V2M5 5l3-3 3 3M2.5 11v2.5h11V11" />
        </Glyph>
      );
    case 'layout':
      return (
        <Glyph label={label}>
          <rect x="2" y="2" width="4.5" height="4.5" rx="1" />
          <rect x="9.5" y="9.5" width="4.5" height="4.5" rx="1" />
          <path d="M4.2 6.5v3.5a1.5 1.5 0 0 0 1.5 1.5h3.8" />
        </Glyph>
      );
    case 'gallery':
      return (
        <Glyph label={label}>
          <rect x="2" y="2" width="5" height="5" rx="1" />
          <rect x="9" y="2" width="5" height="5" rx="1" />
          <rect x="2" y="9" width="5" height="5" rx="1" />
          <rect x="9" y="9" width="5" height="5" rx="1" />
        </Glyph>
      );
    case 'designs':
      return (
        <Glyph label={label}>
          <path d="M4.5 2.5h5l3 3v8h-8z" />
          <path d="M9.5 2.5v3h3M2.5 4.5v10h8" />
        </Glyph>
      );
    case 'labs':
      return (
        <Glyph label={label}>
          <rect x="2.5" y="2.5" width="11" height="4.5" rx="1" />
          <rect x="2.5" y="9" width="11" height="4.5" rx="1" />
          <path d="M5 4.7h.2M5 11.2h.2" />
        </Glyph>
      );
    case 'play':
      return (
        <Glyph label={label}>
          <path d="M4.5 2.8v10.4L13 8z" />
        </Glyph>
      );
    case 'stop':
      return (
        <Glyph label={label}>
          <rect x="3.5" y="3.5" width="9" height="9" rx="1.2" />
        </Glyph>
      );
    case 'copy':
      return (
        <Glyph label={label}>
          <rect x="5" y="5" width="8.5" height="8.5" rx="1.2" />
          <path d="M3 10.5h-.5V2.5h8V3" />
        </Glyph>
      );
    case 'download':
      return (
        <Glyph label={label}>
          <path d="M8 2v8M5 7l3 3 3-3M3 13.5h10" />
        </Glyph>
      );
    case 'close':
      return (
        <Glyph label={label}>
          <path d="m4 4 8 8M12 4l-8 8" />
        </Glyph>
      );
    case 'warn':
      return (
        <Glyph label={label}>
          <path d="M8 2 14.5 13.5h-13z" />
          <path d="M8 6.5v3M8 11.5v.2" />
        </Glyph>
      );
    case 'present':
      return (
        <Glyph label={label}>
          <rect x="1.5" y="2.5" width="13" height="8.5" rx="1" />
          <path d="M8 11v2.5M5 14h6" />
        </Glyph>
      );
    case 'more':
      return (
        <Glyph label={label}>
          <path d="M3.5 8h.2M8 8h.2M12.5 8h.2" />
        </Glyph>
      );
    case 'error':
      return (
        <Glyph label={label}>
          <circle cx="8" cy="8" r="6" />
          <path d="M8 4.8v3.8M8 10.8v.2" />
        </Glyph>
      );
  }
}
