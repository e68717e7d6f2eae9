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
 * `===` (ledger.ts changedBetween) and the worker does not parse again; so are, in a list that
 * changed, the routes of each namespace and each interface whose text did not. The guard is the text: a
 * list is taken over only when its text is equal, character for character, to the one read last
 * (an edit that renumbers other elements' automatic addresses changes their lists' text).
 */

import type { IfaceSpec, RouteSpec, Topology } from '../model.js';

/** The lists sent as one text each; routes and interfaces go as runs (Run). */
const LISTS = ['netns', 'domains', 'links', 'endpoints'] as const;
type ListKey = (typeof LISTS)[number];

/**
 * The JSON text of a run of consecutive items under one key: a namespace's routes (resolve lists
 * them together), or one interface under its key (`netns/name`; a namespace's interfaces are
 * not together). An edit that adds or drops a route or an interface changes the text of few runs.
 */
export interface Run {
  key: string;
  text: string;
}

/** A topology's lab name, the JSON text of each of its lists, and its routes and interfaces as runs. */
export type TopologyText = { lab: string; routes: Run[]; interfaces: Run[] } & {
  [K in ListKey]: string;
};

/** `items` as runs of consecutive items of the same key. */
function runsOf<T>(items: T[], keyOf: (x: T) => string): Run[] {
  const runs: Run[] = [];
  for (let start = 0; start < items.length; ) {
    const key = keyOf(items[start]!);
    let end = start + 1;
    while (end < items.length && keyOf(items[end]!) === key) end++;
    runs.push({ key, text: JSON.stringify(items.slice(start, end)) });
    start = end;
  }
  return runs;
}

/** `topology` as text (JSON.parse of each list's text, and of each run's, gives it back). */
export function topologyText(topology: Topology): TopologyText {
  return {
    lab: topology.lab,
    netns: JSON.stringify(topology.netns),
    domains: JSON.stringify(topology.domains),
    interfaces: runsOf(topology.interfaces, (f) => f.key),
    routes: runsOf(topology.routes, (r) => r.netns),
    links: JSON.stringify(topology.links),
    endpoints: JSON.stringify(topology.endpoints),
  };
}

function sameRuns(a: Run[], b: Run[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++)
    if (a[k]!.key !== b[k]!.key || a[k]!.text !== b[k]!.text) return false;
  return true;
}

/** Whether two texts are of the same topology. */
export function sameTopologyText(a: TopologyText, b: TopologyText): boolean {
  if (a === b) return true;
  if (a.lab !== b.lab || !sameRuns(a.routes, b.routes) || !sameRuns(a.interfaces, b.interfaces))
    return false;
  for (const k of LISTS) if (a[k] !== b[k]) return false;
  return true;
}

type Runs<T> = Map<string, { text: string; items: T[] }>;

/**
 * Reads topologies one after another (the worker's, one per design sent): each list whose text
 * equals the last topology's is that topology's list, the same array of the same objects (the
 * analyzer never writes to a topology), and is not parsed again; so are the routes and the
 * interfaces, or else each run of them whose text equals the last run of its key read (a new
 * array, but the same objects, which the analyzer tells by `===`).
 */
export class TopologyReader {
  private last: { text: TopologyText; topology: Topology } | undefined;
  /** The last run read under each key, with its items. */
  private routeRuns: Runs<RouteSpec> = new Map();
  private ifaceRuns: Runs<IfaceSpec> = new Map();

  read(text: TopologyText): Topology {
    const last = this.last;
    const list = <K extends ListKey>(k: K): Topology[K] =>
      last !== undefined && last.text[k] === text[k]
        ? last.topology[k]
        : (JSON.parse(text[k]) as Topology[K]);
    let interfaces: IfaceSpec[];
    if (last !== undefined && sameRuns(last.text.interfaces, text.interfaces))
      interfaces = last.topology.interfaces;
    else [interfaces, this.ifaceRuns] = readRuns(text.interfaces, this.ifaceRuns);
    let routes: RouteSpec[];
    if (last !== undefined && sameRuns(last.text.routes, text.routes))
      routes = last.topology.routes;
    else [routes, this.routeRuns] = readRuns(text.routes, this.routeRuns);
    const topology: Topology = {
      lab: text.lab,
      netns: list('netns'),
      domains: list('domains'),
      interfaces,
      routes,
      links: list('links'),
      endpoints: list('endpoints'),
    };
    this.last = { text, topology };
    return topology;
  }
}

/** The items of `runs`, each run's taken from `before` when its text is the last one of its key; and the runs read, by key. */
function readRuns<T>(runs: Run[], before: Runs<T>): [T[], Runs<T>] {
  const next: Runs<T> = new Map();
  const items: T[] = [];
  for (const { key, text } of runs) {
    const old = before.get(key);
    let run: T[];
    if (old !== undefined && old.text === text) {
      run = old.items;
      // Taken once: a key with two runs of the same text gets objects of its own.
      before.delete(key);
    } else run = JSON.parse(text) as T[];
    next.set(key, { text, items: run });
    for (const x of run) items.push(x);
  }
  return [items, next];
}
