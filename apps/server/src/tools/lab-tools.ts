/**
 * The tools the API offers besides the engine's ping and matrix: traceroute
 * and packet capture. Both run inside the lab's namespaces through
 * kernel/exec.ts (argv arrays, bounded in time and output).
 */
import type { Design } from '@netcanvas/shared';
import type { TracerouteResult } from './traceroute.js';

export interface CaptureSpec {
  node: string;
  dev: string;
  packets: number;
  seconds: number;
  /** A tcpdump filter expression (one argv word after `--`); checked before it runs. */
  filter?: string;
}

export interface CaptureDone {
  packets: number;
  reason: string;
}

export interface LabTools {
  traceroute(design: Design, from: string, to: string): Promise<TracerouteResult>;
  /**
   * Starts a capture; lines arrive through `onLines`, the last call carries
   * `done`. Rejects with ToolInputError (nothing started) for an unknown
   * element or interface, or a filter that is refused or does not compile.
   */
  startCapture(
    design: Design,
    spec: CaptureSpec,
    onLines: (lines: string[], done?: CaptureDone) => void,
  ): Promise<{ id: string }>;
  /** Ends one running capture of the lab (its pcap is kept); false when none such runs. */
  stopCapture?(lab: string, id: string): boolean;
  /** Path of a finished capture's pcap file, or null. */
  captureFile(id: string): string | null;
  /** Ends the lab's running captures (before a destroy: tcpdump would keep a deleted namespace alive). */
  stopCaptures?(lab: string): void;
}
