import type { Hop, IfaceSpec, Topology } from '@netcanvas/shared';

/**
 * The kernel's layer-2 wiring of a topology: which interfaces a frame passes
 * between (a veth to its peer, a bridge port to its bridge). The analyzer's
 * hops name only where a packet is routed ("c1 → vlan10 → r1"); the bridges,
 * host uplinks and container attachments between two hops are in here.
 */
interface Wiring {
  iface: Map<string, IfaceSpec>;
  next: Map<string, string[]>;
  netnsOf: Map<string, string>;
  domainElement: Map<string, string>;
  /** Links drawn on the canvas (not a container's attachment to its host), by their two ends. */
  drawn: Map<string, { a: string; b: string }>;
}

const wirings = new WeakMap<Topology, Wiring>();

function wiring(t: Topology): Wiring {
  let w = wirings.get(t);
  if (w) return w;
  const iface = new Map(t.interfaces.map((f) => [f.key, f]));
  const next = new Map<string, string[]>();
  const join = (a: string, b: string) => {
    if (!iface.has(a) || !iface.has(b)) return;
    next.set(a, [...(next.get(a) ?? []), b]);
    next.set(b, [...(next.get(b) ?? []), a]);
  };
  for (const f of t.interfaces) {
    if (f.peer && f.key < `${f.peer.netns}/${f.peer.name}`)
      join(f.key, `${f.peer.netns}/${f.peer.name}`);
    if (f.master) join(f.key, `${f.netns}/${f.master}`);
  }
  w = {
    iface,
    next,
    netnsOf: new Map(t.netns.flatMap((n) => (n.node ? [[n.node, n.name] as const] : []))),
    domainElement: new Map(t.domains.map((d) => [d.id, d.element])),
    drawn: new Map(
      t.links.filter((l) => l.index >= 0).map((l) => [l.id, { a: l.a.node, b: l.b.node }]),
    ),
  };
  wirings.set(t, w);
  return w;
}

/** The interfaces a frame crosses from `from` to the first interface of `element`, or null. */
function walkTo(w: Wiring, from: string, element: string): IfaceSpec[] | null {
  const goal = w.netnsOf.get(element);
  if (!goal || !w.iface.has(from)) return null;
  const cameFrom = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  for (let i = 0; i < queue.length; i++) {
    const key = queue[i]!;
    if (w.iface.get(key)!.netns === goal) {
      const path: IfaceSpec[] = [];
      for (let k: string | null = key; k !== null; k = cameFrom.get(k) ?? null)
        path.push(w.iface.get(k)!);
      return path.reverse();
    }
    for (const n of w.next.get(key) ?? [])
      if (!cameFrom.has(n)) {
        cameFrom.set(n, key);
        queue.push(n);
      }
  }
  return null;
}

/**
 * Node and link ids of the canvas a path crosses, in the order the packet
 * reaches them: every element and drawn link between two hops too, such as
 * the host a container sits in and that host's uplink to its VLAN, and the
 * underlay a VXLAN tunnel is carried over.
 */
export function pathElements(hops: readonly Hop[], topology: Topology): string[] {
  const w = wiring(topology);
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    out.push(id);
  };
  const walkIds = (path: readonly IfaceSpec[]) =>
    path.flatMap((f, i) => {
      const before = path[i - 1];
      // A veth pair is a drawn link when the user drew one (not a container's attachment).
      const overVeth = before?.peer && `${before.peer.netns}/${before.peer.name}` === f.key;
      return overVeth && f.link && w.drawn.has(f.link) ? [f.link, f.node] : [f.node];
    });
  const linkBetween = (a: string, b: string) => {
    for (const [id, l] of w.drawn)
      if ((l.a === a && l.b === b) || (l.a === b && l.b === a)) return id;
    return undefined;
  };

  let afterCrossing = false;
  hops.forEach((h, i) => {
    const prev = hops[i - 1];
    const sender = prev?.dev
      ? w.iface.get(`${w.netnsOf.get(prev.element)}/${prev.dev}`)
      : undefined;
    const to = hops[i + 1]?.element;
    if (prev && sender?.domain && w.domainElement.get(sender.domain) === h.element) {
      afterCrossing = true;
      // The walk names what the frame really passes: a container reaching its own
      // bridged host never leaves the host, though the domain is called after the VLAN.
      const walk = to !== undefined && to !== prev.element ? walkTo(w, sender.key, to) : null;
      if (walk) walkIds(walk).forEach(add);
      else {
        // No wire to follow (a VXLAN overlay's members, or the packet never arrives):
        // the drawn links to the domain stand for it.
        const first = linkBetween(prev.element, h.element);
        if (first) add(first);
        add(h.element);
        // The encapsulated packet crosses the tunnel's underlay before it reaches the far end.
        const under =
          sender.vxlan &&
          to !== undefined &&
          walkTo(w, `${sender.netns}/${sender.vxlan.underlayDev}`, to);
        if (under)
          walkIds(under)
            .filter((id) => id !== to)
            .forEach(add);
        const last = to !== undefined ? linkBetween(h.element, to) : undefined;
        if (last) add(last);
      }
      return;
    }
    if (prev && !afterCrossing && prev.element !== h.element) {
      const l = linkBetween(prev.element, h.element);
      if (l) add(l);
    }
    afterCrossing = false;
    add(h.element);
  });
  return out;
}

/**
 * The ids of a path grouped into what lights together, one element at a
 * time: each step is an element and the link the packet arrived over.
 */
export function pathSteps(ids: readonly string[], isLink: (id: string) => boolean): string[][] {
  const steps: string[][] = [];
  let pending: string[] = [];
  for (const id of ids) {
    pending.push(id);
    if (!isLink(id)) {
      steps.push(pending);
      pending = [];
    }
  }
  if (pending.length) {
    if (steps.length) steps[steps.length - 1]!.push(...pending);
    else steps.push(pending);
  }
  return steps;
}
