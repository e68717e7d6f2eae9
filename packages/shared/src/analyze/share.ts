/**
 * A topology as the JSON text of each of its lists, and read back so that a list whose text is
 * the same as last time is the same array of the same objects (docs/architecture.md, "How the
 * analyzer scales", round 21 b).
 *
 * The dashboard's matrix runs in a Web Worker, so its topology crosses as text: parsed whole,
 * every item was a new object after every edit, and the analyzer compared the 7,193 routes of a
 * 1,000-element design field by field to find that none changed. An edit of a container's address
 * or VLAN leaves the routes (seven tenths of the text), the namespaces, domains and links as they
 * were: read here, those lists are the arrays of the topology before, which the analyzer tells by
 * `===` (ledger.ts changedBetween) and the worker does not parse again. The guard is the text: a
 * list is taken over only when its text is equal, character for character, to the one read last
 * (an edit that renumbers other elements' automatic addresses changes their lists' text).
 */

import type { RouteSpec, Topology } from '../model.js';

/** The lists sent as one text each; the routes go a namespace's run at a time (RouteRun). */
const LISTS = ['netns', 'domains', 'interfaces', 'links', 'endpoints'] as const;
type ListKey = (typeof LISTS)[number];

/** The JSON text of a run of consecutive routes of one namespace. */
export interface RouteRun {
  netns: string;
  text: string;
}

/**
 * A topology's lab name, the JSON text of each of its lists, and its routes as runs: a
 * namespace's routes come together (resolve lists them so), and an edit that adds or drops a
 * route (a namespace added, a link cut, a route written) changes the text of few runs.
 */
export type TopologyText = { lab: string; routes: RouteRun[] } & { [K in ListKey]: string };

/** `topology` as text (JSON.parse of each list's text, and of each run's, gives it back). */
export function topologyText(topology: Topology): TopologyText {
  const routes: RouteRun[] = [];
  const all = topology.routes;
  for (let start = 0; start < all.length; ) {
    const netns = all[start]!.netns;
    let end = start + 1;
    while (end < all.length && all[end]!.netns === netns) end++;
    routes.push({ netns, text: JSON.stringify(all.slice(start, end)) });
    start = end;
  }
  return {
    lab: topology.lab,
    netns: JSON.stringify(topology.netns),
    domains: JSON.stringify(topology.domains),
    interfaces: JSON.stringify(topology.interfaces),
    routes,
    links: JSON.stringify(topology.links),
    endpoints: JSON.stringify(topology.endpoints),
  };
}

function sameRuns(a: RouteRun[], b: RouteRun[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++)
    if (a[k]!.netns !== b[k]!.netns || a[k]!.text !== b[k]!.text) return false;
  return true;
}

/** Whether two texts are of the same topology. */
export function sameTopologyText(a: TopologyText, b: TopologyText): boolean {
  if (a === b) return true;
  if (a.lab !== b.lab || !sameRuns(a.routes, b.routes)) return false;
  for (const k of LISTS) if (a[k] !== b[k]) return false;
  return true;
}

/**
 * Reads topologies one after another (the worker's, one per design sent): each list whose text
 * equals the last topology's is that topology's list, the same array of the same objects (the
 * analyzer never writes to a topology), and is not parsed again; so are the routes, or else each
 * run of them whose text equals the last run of its namespace read (a new array, but the same
 * route objects, which the analyzer tells by `===`).
 */
export class TopologyReader {
  private last: { text: TopologyText; topology: Topology } | undefined;
  /** The last run read of each namespace, with its routes. */
  private runs = new Map<string, { text: string; items: RouteSpec[] }>();

  read(text: TopologyText): Topology {
    const last = this.last;
    const list = <K extends ListKey>(k: K): Topology[K] =>
      last !== undefined && last.text[k] === text[k]
        ? last.topology[k]
        : (JSON.parse(text[k]) as Topology[K]);
    const topology: Topology = {
      lab: text.lab,
      netns: list('netns'),
      domains: list('domains'),
      interfaces: list('interfaces'),
      routes:
        last !== undefined && sameRuns(last.text.routes, text.routes)
          ? last.topology.routes
          : this.readRoutes(text.routes),
      links: list('links'),
      endpoints: list('endpoints'),
    };
    this.last = { text, topology };
    return topology;
  }

  private readRoutes(runs: RouteRun[]): RouteSpec[] {
    const before = this.runs;
    const next = new Map<string, { text: string; items: RouteSpec[] }>();
    const routes: RouteSpec[] = [];
    for (const { netns, text } of runs) {
      const old = before.get(netns);
      let items: RouteSpec[];
      if (old !== undefined && old.text === text) {
        items = old.items;
        // Taken once: a namespace with two runs of the same text gets objects of its own.
        before.delete(netns);
      } else items = JSON.parse(text) as RouteSpec[];
      next.set(netns, { text, items });
      for (const r of items) routes.push(r);
    }
    this.runs = next;
    return routes;
  }
}
