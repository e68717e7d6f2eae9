import type { AddressRecord, Op, StorageRecovery } from '@netcanvas/shared';
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
export type { StorageRecovery };

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

/** The lab exists in the kernel, whole or in part. */
export const labDeployed = (lab: LiveState['lab']) => lab === 'running' || lab === 'partial';

/** Connected, with a deployed lab to act on: measured pings, tools, live link toggles. */
export const labRunning = (s: LiveState) => s.connection === 'online' && labDeployed(s.lab);

/** The lab kernel names are shown under: the server's for this design, else the name it asks for. */
export const labOf = (labName: string | null, designName: string) => labName ?? designName;
