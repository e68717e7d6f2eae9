/**
 * What the live hub needs from the kernel layer. The kernel owns the
 * processes (`ip -o monitor link all-nsid`, `ip -j -s link` through its
 * workers); the hub only maps what they report onto the design's links.
 */
export interface InterfaceObservation {
  netns: string;
  dev: string;
  /** Administrative state (IFF_UP). */
  up: boolean;
  operstate: string;
}

export interface InterfaceSample extends InterfaceObservation {
  rxBytes: number;
  txBytes: number;
  rxPackets: number;
  txPackets: number;
}

export interface LiveSources {
  /**
   * Immediate link changes of every lab namespace; returns a function that stops watching.
   * `onChanges`, when given, takes the changes that came together (in order) in one call.
   */
  watchLinks?(
    onChange: (o: InterfaceObservation) => void,
    onChanges?: (os: InterfaceObservation[]) => void,
  ): () => void;
  /**
   * Namespace names made or deleted, by anyone (`ip netns add/del` in a shell
   * too); `null` when what changed is not known (the watch restarted). Returns
   * a function that stops watching.
   */
  watchNetns?(onChange: (name: string | null) => void): () => void;
  /** State and counters of every interface in these namespaces (missing namespaces are skipped). */
  sample(netns: string[]): Promise<InterfaceSample[]>;
  /** Stops pollers and monitors; the hub calls it on shutdown. */
  close?(): Promise<void> | void;
}

/** For a server without kernel access (tests of pure HTTP concerns, or before the kernel layer is wired). */
export const noLiveSources: LiveSources = { sample: async () => [] };
