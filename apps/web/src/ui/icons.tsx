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

/** Small line icons drawn for this app, one per kind. */
export function KindIcon({ kind, size = 16 }: { kind: NodeKind; size?: number }) {
  switch (kind) {
    case 'host':
      return (
        <Glyph size={size}>
          <rect x="2" y="2.5" width="12" height="8" rx="1.2" />
          <path d="M5.5 13.5h5M8 10.5v3" />
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
      return (
        <Glyph size={size}>
          <path d="M2 8h12" />
          <path d="M4.5 8V4.5M8 8V4.5M11.5 8V4.5M6 8v3.5M10 8v3.5" />
        </Glyph>
      );
    case 'switch':
      return (
        <Glyph size={size}>
          <rect x="1.8" y="4.5" width="12.4" height="7" rx="1.4" />
          <path d="M4.5 8h1M7.5 8h1M10.5 8h1" />
        </Glyph>
      );
    case 'router':
      return (
        <Glyph size={size}>
          <circle cx="8" cy="8" r="6" />
          <path d="M8 4.2v7.6M4.2 8h7.6M6.6 5.6 8 4.2l1.4 1.4M6.6 10.4 8 11.8l1.4-1.4M5.6 6.6 4.2 8l1.4 1.4M10.4 6.6 11.8 8l-1.4 1.4" />
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
