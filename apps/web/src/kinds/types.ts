import type { DesignNode, NodeKind } from '@netcanvas/shared';
import type { KindRule } from '../store/design';

/**
 * What every kind folder exports as plain data: no React, so tests can use
 * it. The store gets the part it needs (`KindRule`: the default element and
 * the fields it picks) from the app, which hands it `KIND_DEFINITIONS`.
 */
export interface KindDefinition<K extends NodeKind = NodeKind> extends KindRule<K> {
  kind: K;
  title: string;
  /** One line for the palette tooltip. */
  hint: string;
  /** Accent colour used on the canvas, the palette and the inspector header. */
  color: string;
  /** A short line under the id on the canvas, e.g. "VLAN 10 · 10.0.10.0/24". */
  summary(node: Extract<DesignNode, { kind: K }>): string;
  /** A short tag beside the id, e.g. "VID 10". */
  tag?(node: Extract<DesignNode, { kind: K }>): string;
}
