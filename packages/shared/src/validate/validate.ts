/**
 * Meaning: what a structurally valid design may still get wrong. Allocation
 * problems (addresses, interface names, uplinks, VXLAN members) are found by
 * resolve while it allocates; this file checks what can be seen from the
 * document alone. Never throws.
 */
import { sortDiagnostics } from '../diagnostics.js';
import type { Diagnostic } from '../model.js';
import { linkIds, withLinkEnds } from '../parse/links.js';
import type { Design, DesignNode, NodeKind } from '../parse/schema.js';
import { Collector } from './collector.js';
import { checkLinks } from './links.js';
import { checkNames } from './names.js';
import { checkDuplicateNumbers, checkNodes } from './nodes.js';
import { checkOverlaps, checkRoutes } from './subnets.js';

/** Design-level semantic checks (ids, kinds, duplicates, overlaps, names). Never throws. */
export function validate(design: Design): Diagnostic[] {
  const out = new Collector();
  // A Map, not `design.nodes[id]`: ids like "constructor" must not resolve to Object.prototype members.
  const nodes = new Map<string, DesignNode>(Object.entries(design.nodes));
  const ids = linkIds(design);
  const kindOf = (id: string): NodeKind | undefined => nodes.get(id)?.kind;

  checkNames(nodes, out);
  checkNodes(design, nodes, out);
  checkDuplicateNumbers(nodes, out);
  const hasP2p = checkLinks(design, nodes, ids, kindOf, out);
  checkOverlaps(design, nodes, hasP2p, out);
  checkRoutes(design, nodes, out);

  for (const id of Object.keys(design.layout ?? {})) {
    if (!nodes.has(id)) {
      out.add(
        'warning',
        'layout-dangling',
        `the layout has a position for ${id}, which is not in nodes; it is ignored`,
        [id],
        ['layout', id],
      );
    }
  }
  return sortDiagnostics(withLinkEnds(out.list, design));
}
