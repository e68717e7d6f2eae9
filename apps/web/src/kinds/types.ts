import type { AutoField, Design, DesignNode, NodeKind } from '@netcanvas/shared';

/** What every kind folder exports as plain data: no React, so the store and tests can use it. */
export interface KindDefinition<K extends NodeKind = NodeKind> {
  kind: K;
  title: string;
  /** One line for the palette tooltip. */
  hint: string;
  /** Accent colour used on the canvas, the palette and the inspector header. */
  color: string;
  /** Default node for a drop on the canvas; may look at the design to pick free numbers. */
  create(design: Design): Extract<DesignNode, { kind: K }>;
  /**
   * The fields `create` picks by itself (a free VLAN id, VNI, subnet): when
   * another tab picked the same at the same moment, the server picks again.
   */
  auto?: readonly AutoField[];
  /** A short line under the id on the canvas, e.g. "VLAN 10 · 10.0.10.0/24". */
  summary(node: Extract<DesignNode, { kind: K }>): string;
  /** A short tag beside the id, e.g. "VID 10". */
  tag?(node: Extract<DesignNode, { kind: K }>): string;
}
