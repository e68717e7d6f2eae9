/**
 * Which link two elements make, or why they cannot be linked at all,
 * whatever the rest of the design: the one rule the canvas asks before it
 * draws a link, validate reports on, and resolve builds from
 * (docs/architecture.md, "Realisation of each kind").
 *
 * What depends on the rest of the design (a bridged host's second uplink, a
 * tunnel member without an address on the underlay, a subnet too small) is
 * not a link rule: resolve reports it while it allocates.
 */
import { type DesignNode, isNamespacedKind, isSegmentKind } from '../parse/schema.js';

/**
 * How a link is realised: a veth from a namespace to a segment's bridge
 * (`segment`), a veth pair between two namespaces (`p2p`), or a member's
 * VXLAN device (`overlay`).
 */
export type LinkKind = 'segment' | 'p2p' | 'overlay';

export type LinkRefusal =
  | 'self-link'
  | 'dangling-id'
  | 'segment-link'
  | 'vxlan-link'
  | 'container-host-link';

export type LinkRule =
  | { ok: true; kind: LinkKind }
  | {
      ok: false;
      code: LinkRefusal;
      /** Completes "link X …" (validate) and "this link …" (the canvas): "joins vlan vlan10 directly to …". */
      reason: string;
    };

/** One end: the element's id and the element, or no element when the id names none. */
export interface LinkRuleEnd {
  id: string;
  node: DesignNode | undefined;
}

const refuse = (code: LinkRefusal, reason: string): LinkRule => ({ ok: false, code, reason });

export function linkRule(a: LinkRuleEnd, b: LinkRuleEnd): LinkRule {
  if (a.id === b.id) return refuse('self-link', `connects ${a.id} to itself`);
  const missing = !a.node ? a : !b.node ? b : null;
  if (missing) return refuse('dangling-id', `ends at ${missing.id}, which is not in the design`);
  const [na, nb] = [a.node!, b.node!];
  const [ka, kb] = [na.kind, nb.kind];
  if (isSegmentKind(ka) && isSegmentKind(kb)) {
    return refuse(
      'segment-link',
      `joins ${ka} ${a.id} directly to ${kb} ${b.id}; two segments cannot be cabled together — join VLANs through a router`,
    );
  }
  if (ka === 'vxlan' && kb === 'vxlan') {
    return refuse(
      'vxlan-link',
      `joins two tunnels ${a.id} and ${b.id}; link routers, hosts or namespaces to each tunnel instead`,
    );
  }
  if (ka === 'vxlan' || kb === 'vxlan') {
    const [tunnel, other] = ka === 'vxlan' ? [a, b] : [b, a];
    if (isSegmentKind(other.node!.kind)) {
      return refuse(
        'vxlan-link',
        `joins tunnel ${tunnel.id} to ${other.node!.kind} ${other.id}; a tunnel's members are routers, hosts and namespaces with an address on its underlay — to carry it over ${other.id}, set underlay: ${other.id}`,
      );
    }
    return { ok: true, kind: 'overlay' };
  }
  for (const [x, y] of [
    [a, b],
    [b, a],
  ] as const) {
    if (x.node!.kind === 'namespace' && x.node!.host === y.id) {
      return refuse(
        'container-host-link',
        `joins container ${x.id} to its own host ${y.id}; ${x.id} is already attached to ${y.id} through eth0 — remove the link`,
      );
    }
  }
  if (isNamespacedKind(ka) && isNamespacedKind(kb)) return { ok: true, kind: 'p2p' };
  return { ok: true, kind: 'segment' };
}
