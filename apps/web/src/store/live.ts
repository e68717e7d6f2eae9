import type { AddressRecord, Op, PairResult, StorageRecovery } from '@netcanvas/shared';

export type PingHop = PairResult['forward'][number];

import { createStore, type StoreApi } from 'zustand/vanilla';

export type ElementLiveState = 'deployed' | 'missing' | 'drift' | 'error';
export type LinkOperState = 'up' | 'down' | 'absent';

export interface LinkLive {
  state: LinkOperState;
  /** Bits per second through the link, both directions added (the server's rxBps + txBps). */
  rate: number;
}

export interface MeasuredPing {
  from: string;
  to: string;
  reachable: boolean;
  rttMs?: number;
  output?: string;
  /** The lab's `generation` when this was measured: older ones are stale, not mismatches. */
  generation: number;
}

export interface DeployProgress {
  action: 'deploy' | 'destroy';
  phase: string;
  done: number;
  total: number;
  message?: string;
  failed?: boolean;
}

export interface ToolRun {
  id: string;
  title: string;
  output: string;
  running: boolean;
  ok?: boolean;
}

/** What Apply would change in a running lab, shown before it runs. */
export interface ChangeReview {
  /** The design version the change was planned from: applying another needs a new review. */
  version: number | null;
  ops: Op[];
}

/** The server found its database damaged at start, moved it aside and started empty. */

export interface CaptureLine {
  t: number;
  text: string;
}

/**
 * Everything the server tells us about the running lab. Kept apart from the
 * design document and from node.data: a status tick re-renders only the
 * elements whose own entry changed.
 */
export interface LiveState {
  connection: 'offline' | 'connecting' | 'online';
  /** Why we are offline, shown in the status bar. */
  connectionNote: string | null;
  lab: 'running' | 'partial' | 'absent' | 'unknown';
  elements: Record<string, ElementLiveState>;
  elementNotes: Record<string, string[]>;
  links: Record<string, LinkLive>;
  measured: Record<string, MeasuredPing>;
  /**
   * Counts the changes of the running lab this tab knows of (a deploy or
   * apply, a cut or restored link, a destroy): a measurement taken under an
   * older generation describes a lab that no longer exists.
   */
  generation: number;
  /**
   * The last ping's packet, for the canvas to draw moving along its path
   * (PacketOverlay): its hops as the server's analyzer predicted them, and
   * whether it got there. `seq` changes with every ping.
   */
  flight: { seq: number; forward: PingHop[]; reached: boolean } | null;
  /** A continuous ping runs (until Stop): from → to. */
  pinging: { from: string; to: string } | null;
  /** A Measure run in progress: how many pairs it pings (progress is the fresh results so far). */
  measuring: { total: number } | null;
  progress: DeployProgress | null;
  save: 'local' | 'saved' | 'saving' | 'error';
  designId: string | null;
  /**
   * The lab the attached design owns, as the server fixed it when the design
   * was created: every kernel name shown is under this lab, whatever the
   * design's `name` asks for. Null without a server.
   */
  labName: string | null;
  version: number | null;
  /**
   * The addresses the server decided for that version (its address record),
   * null without a server: the browser's own addresses are then provisional.
   */
  addresses: AddressRecord | null;
  tools: ToolRun[];
  capture: { id?: string; target: string; running: boolean; lines: CaptureLine[] } | null;
  change: ChangeReview | null;
  /** This browser's session id on the server (null: none, or the master token). */
  session: string | null;
  storage: StorageRecovery | null;
}

export type LiveStore = StoreApi<LiveState>;

/**
 * The live store: written by the live layer (live/), read by the views. It
 * has no actions of its own: what the server says replaces its entries.
 */
export const createLiveStore = (): LiveStore =>
  createStore<LiveState>()(() => ({
    connection: 'offline',
    connectionNote: null,
    lab: 'unknown',
    elements: {},
    elementNotes: {},
    links: {},
    measured: {},
    generation: 0,
    measuring: null,
    flight: null,
    pinging: null,
    progress: null,
    save: 'local',
    designId: null,
    labName: null,
    version: null,
    addresses: null,
    tools: [],
    capture: null,
    change: null,
    session: null,
    storage: null,
  }));

export const pairKey = (from: string, to: string) => `${from}>${to}`;

/** Measured under the lab as it is now (not before the last deploy, apply, cut or restore). */
export const isFresh = (m: MeasuredPing | undefined, generation: number): m is MeasuredPing =>
  m !== undefined && m.generation === generation;

/** The lab exists in the kernel, whole or in part. */
export const labDeployed = (lab: LiveState['lab']) => lab === 'running' || lab === 'partial';

/** Connected, with a deployed lab to act on: measured pings, tools, live link toggles. */
export const labRunning = (s: LiveState) => s.connection === 'online' && labDeployed(s.lab);

/** The lab kernel names are shown under: the server's for this design, else the name it asks for. */
export const labOf = (labName: string | null, designName: string) => labName ?? designName;
