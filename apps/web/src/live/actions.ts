import {
  ApplyAnswer,
  CaptureStarted,
  DestroyAnswer,
  PingAnswer,
  PlanAnswer,
  SessionList,
  type SessionRow,
  TracerouteAnswer,
} from '@netcanvas/shared';
import { download } from '../core/io';
import type { Stores } from '../store';
import { type DeployProgress, labDeployed, pairKey } from '../store/live';
import type { Api } from './api';
import type { Sync } from './sync';

/**
 * What the user asks of the server about the lab: deploy, review and apply
 * a change, destroy, cut a link, the tools (ping, traceroute, the matrix, a
 * capture), and the browser sessions. Each says what happened in a toast
 * and in the live store; none throws.
 */
export interface LabActions {
  deploy(): Promise<void>;
  /**
   * Apply on a running lab: first ask the server what would change (it observes
   * the kernel and diffs), and show that; `confirmChange` then applies. A lab
   * that is not running is deployed straight away: its whole plan is in the
   * plan drawer.
   */
  applyOrReview(): Promise<void>;
  confirmChange(): Promise<void>;
  cancelChange(): void;
  destroy(): Promise<void>;
  /** Takes a finished run's progress bar away, unless another run replaced it meanwhile. */
  dismissProgress(progress: DeployProgress): void;
  /**
   * Cut or restore a link. On a running lab the server changes that one link
   * in the kernel and in the design (edits not yet applied stay out of the
   * kernel, for the change review), and undo calls it again; otherwise it is
   * an edit of the design like any other.
   */
  setLinkLive(linkId: string, state: 'up' | 'down'): Promise<void>;
  /** `count` real pings, one after another (one a second, as ping(8) sends them), in one tool run. */
  ping(from: string, to: string, count?: number): Promise<void>;
  /** Pings once a second until `stopPing` (or 1000 pings). */
  pingContinuous(from: string, to: string): Promise<void>;
  stopPing(): void;
  traceroute(from: string, to: string): Promise<void>;
  /** Pings every pair of the running lab; `measuring` counts the pairs, the results arrive one by one. */
  runMatrix(): Promise<void>;
  /**
   * The size of every ping and Measure from now on (ICMP payload bytes,
   * undefined: ping's default). What was measured at another size answers
   * another question: it is stale from now on.
   */
  setPingSize(size: number | undefined): void;
  /** Ends a Measure run: pairs not yet pinged are not pinged. */
  cancelMatrix(): Promise<void>;
  startCapture(
    node: string,
    dev: string,
    opts?: { packets?: number; seconds?: number; filter?: string },
  ): Promise<void>;
  /** Ends the running capture; its pcap is kept for download. */
  stopCapture(): Promise<void>;
  /** The finished capture's pcap, fetched with the session header and saved from memory. */
  downloadCapture(id: string): Promise<void>;
  listSessions(): Promise<SessionRow[] | undefined>;
  revokeSession(id: string): Promise<boolean>;
}

/** Most pings in one run (a count, or a continuous ping before it stops by itself). */
export const MAX_PINGS = 1000;
/** Between two pings of a run, as ping(8) waits by default. */
const PING_INTERVAL_MS = 1000;
const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface LabActionsDeps extends Pick<Stores, 'app' | 'live'> {
  api: Api;
  sync: Sync;
  /** How many endpoints the matrix pings (the analysis' topology), for Measure's progress. */
  endpointCount?: () => number;
}

export function createLabActions({
  app,
  live,
  api,
  sync,
  endpointCount = () => 0,
}: LabActionsDeps): LabActions {
  const setLive = live.setState;
  const now = () => live.getState();
  const toast = (text: string, tone?: 'info' | 'error') => app.getState().toast(text, tone);
  /** Numbers the tool runs shown in the capture panel. */
  let toolSeq = 0;
  /** The lab changed under what was measured: older results are stale from now on. */
  const labChanged = () => setLive({ generation: now().generation + 1 });
  /** A tool run's title names a size that is not ping's default. */
  const sizeNote = () => {
    const size = app.getState().pingSize;
    return size === undefined ? '' : ` (${size} bytes, don't fragment)`;
  };

  /**
   * Saves pending edits and waits until the server has them: plan and apply
   * read the saved design. False, with the reason shown, when it was refused.
   */
  async function savedOrToast(): Promise<boolean> {
    await sync.saveNow();
    if (now().save === 'error') {
      toast('The server did not save every edit: see the messages above first', 'error');
      return false;
    }
    return true;
  }

  function designIdOrToast(): string | null {
    const id = now().designId;
    if (!id)
      toast(
        now().connection === 'online'
          ? 'No design on the server: open or create one in Designs'
          : 'Not connected to a server',
        'error',
      );
    return id;
  }

  async function run<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      toast(`${what} failed: ${err instanceof Error ? err.message : String(err)}`, 'error');
      return undefined;
    }
  }

  async function cutOrRestore(linkId: string, state: 'up' | 'down'): Promise<boolean> {
    const id = designIdOrToast();
    if (!id) return false;
    const done = await run(state === 'down' ? 'Cut' : 'Restore', () =>
      api
        .send('POST', `/labs/${id}/links/${encodeURIComponent(linkId)}/state`, { state })
        .then(() => true),
    );
    if (done === true) labChanged();
    return done === true;
  }
  app.onLinkCutUndo(cutOrRestore);

  async function tool<T>(
    title: string,
    call: (design: string, progress: (output: string) => void) => Promise<T>,
    format: (r: T) => { output: string; ok: boolean },
  ) {
    const id = designIdOrToast();
    if (!id) return;
    const runId = `t${++toolSeq}`;
    setLive({
      tools: [{ id: runId, title, output: '', running: true }, ...now().tools].slice(0, 20),
    });
    app.getState().setPanel('capture');
    const progress = (output: string) =>
      setLive({ tools: now().tools.map((t) => (t.id === runId ? { ...t, output } : t)) });
    const result = await run(title, () => call(id, progress));
    const done = result ? format(result) : { output: 'failed', ok: false };
    setLive({
      tools: now().tools.map((t) => (t.id === runId ? { ...t, running: false, ...done } : t)),
    });
  }

  let flightSeq = 0;
  /** One real ping through the server: recorded as measured (this generation), and drawn as a packet. */
  async function pingOnce(id: string, from: string, to: string) {
    const size = app.getState().pingSize;
    const r = await api.call('POST', `/labs/${id}/ping`, PingAnswer, {
      from,
      to,
      ...(size !== undefined ? { size } : {}),
    });
    setLive({
      measured: {
        ...now().measured,
        [pairKey(from, to)]: {
          from,
          to,
          reachable: r.measured,
          output: r.output,
          generation: now().generation,
        },
      },
      flight: { seq: ++flightSeq, forward: r.forward, reached: r.measured },
    });
    return r;
  }

  /** Up to `count` pings in one tool run (its output grows ping by ping), while `more()` holds. */
  async function pingRun(
    from: string,
    to: string,
    count: number,
    title: string,
    more: () => boolean = () => true,
  ) {
    await tool(
      title,
      async (id, progress) => {
        let ok = 0;
        let sent = 0;
        const out: string[] = [];
        for (let i = 0; i < count && more(); i++) {
          if (i > 0) await pause(PING_INTERVAL_MS);
          if (!more()) break;
          const r = await pingOnce(id, from, to);
          sent++;
          if (r.measured) ok++;
          out.push(count > 1 ? `── ping ${i + 1} ──\n${r.output.trimEnd()}` : r.output);
          progress(out.join('\n'));
        }
        return {
          output: `${out.join('\n')}${sent > 1 ? `\n\n${ok}/${sent} got through` : ''}`,
          ok: sent > 0 && ok === sent,
        };
      },
      (r) => r,
    );
  }

  const actions: LabActions = {
    async deploy() {
      const id = designIdOrToast();
      if (!id) return;
      if (!(await savedOrToast())) return;
      setLive({ progress: { action: 'deploy', phase: 'validate', done: 0, total: 0 } });
      const result = await run('Deploy', () =>
        api.call('POST', `/labs/${id}/apply`, ApplyAnswer, {}),
      );
      if (!result) {
        setLive({
          progress: { action: 'deploy', phase: 'failed', done: 0, total: 0, failed: true },
        });
        return;
      }
      if (result.ok) {
        const n = result.ops.length;
        if (n > 0) labChanged();
        setLive({ progress: { action: 'deploy', phase: 'done', done: n, total: n } });
        toast(n ? `Deployed: ${n} operations` : 'Already up to date: nothing to change');
      } else {
        const f = result.failure;
        setLive({
          progress: {
            action: 'deploy',
            phase: 'failed',
            done: 0,
            total: 0,
            failed: true,
            message: f?.kernelMessage,
          },
        });
        toast(
          `Deploy failed${f ? ` at ${f.elements.join(', ')}: ${f.kernelMessage}` : ''}`,
          'error',
        );
        if (f) app.getState().setHighlight(f.elements, 'fail', f.kernelMessage);
      }
    },

    async applyOrReview() {
      if (!labDeployed(now().lab)) return actions.deploy();
      const id = designIdOrToast();
      if (!id) return;
      if (!(await savedOrToast())) return;
      const planned = await run('Planning the change', () =>
        api.call('POST', `/labs/${id}/plan`, PlanAnswer, {}),
      );
      if (!planned) return;
      if (planned.ops.length === 0) {
        setLive({ change: null });
        toast('The running lab already matches the design: nothing to apply');
        return;
      }
      setLive({ change: { version: now().version, ops: planned.ops } });
    },

    async confirmChange() {
      const change = now().change;
      if (!change) return;
      if (change.version !== now().version) {
        // Edited (here or in another browser) since the review: review what would run now.
        toast('The design changed since this review: here is the change now');
        return actions.applyOrReview();
      }
      setLive({ change: null });
      await actions.deploy();
    },

    cancelChange: () => setLive({ change: null }),

    async destroy() {
      const id = designIdOrToast();
      if (!id) return;
      setLive({ progress: { action: 'destroy', phase: 'run', done: 0, total: 0 } });
      const r = await run('Destroy', () =>
        api.call('POST', `/labs/${id}/destroy`, DestroyAnswer, {}),
      );
      setLive({
        progress: r
          ? { action: 'destroy', phase: 'done', done: r.removed.length, total: r.removed.length }
          : null,
        measured: {},
        generation: now().generation + 1,
      });
      if (r) toast(`Destroyed: ${r.removed.length} namespaces removed`);
    },

    dismissProgress: (progress) =>
      setLive((s) => (s.progress === progress ? { progress: null } : s)),

    async setLinkLive(linkId, state) {
      const id = now().designId;
      if (!id || !labDeployed(now().lab)) {
        app.getState().setLinkState(linkId, state);
        return;
      }
      if (await cutOrRestore(linkId, state)) app.getState().recordLinkCut(linkId, state);
    },

    async ping(from, to, count = 1) {
      const n = Math.max(1, Math.min(MAX_PINGS, Math.floor(count)));
      await pingRun(from, to, n, `ping ${from} → ${to}${n > 1 ? ` ×${n}` : ''}${sizeNote()}`);
    },

    async pingContinuous(from, to) {
      if (now().pinging) return;
      setLive({ pinging: { from, to } });
      try {
        await pingRun(
          from,
          to,
          MAX_PINGS,
          `ping ${from} → ${to} (continuous)${sizeNote()}`,
          () => !!now().pinging,
        );
      } finally {
        setLive({ pinging: null });
      }
    },

    stopPing: () => setLive({ pinging: null }),

    traceroute: (from, to) =>
      tool(
        `traceroute ${from} → ${to}`,
        (id) => api.call('POST', `/labs/${id}/traceroute`, TracerouteAnswer, { from, to }),
        (r) => {
          // Name the hops and draw them on the canvas: the elements the probes came back from.
          const named = r.hops.map((h) => (h.address ? `${h.element ?? '?'} (${h.address})` : '*'));
          const path = [from, ...r.hops.map((h) => h.element).filter((e): e is string => !!e)];
          const map: Record<string, 'path'> = {};
          for (const id of path) map[id] = 'path';
          app
            .getState()
            .setHighlightMap(map, `traceroute ${from} → ${to}: ${[from, ...named].join(' → ')}`);
          return { output: `${[from, ...named].join(' → ')}\n\n${r.output}`, ok: r.reached };
        },
      ),

    async runMatrix() {
      const id = designIdOrToast();
      // One Measure per lab: one running (from this tab or another) is shown, not restarted.
      if (!id || now().measuring) return;
      const n = endpointCount();
      setLive({ measured: {}, measuring: { total: n * (n - 1) } });
      // The results arrive one by one over the socket (`matrix` deltas); the
      // answer comes when the run is over (or cancelled).
      const size = app.getState().pingSize;
      await run('Measure', () =>
        api.send('POST', `/labs/${id}/matrix`, size !== undefined ? { size } : {}),
      );
      setLive({ measuring: null });
    },

    setPingSize(size) {
      if (app.getState().pingSize === size) return;
      app.getState().setPingSize(size);
      labChanged();
    },

    async cancelMatrix() {
      const id = designIdOrToast();
      if (!id || !now().measuring) return;
      await run('Cancel', () => api.send('POST', `/labs/${id}/matrix/cancel`, {}));
    },

    async startCapture(node, dev, opts = {}) {
      const id = designIdOrToast();
      if (!id) return;
      const { packets = 50, seconds = 15, filter } = opts;
      setLive({ capture: { target: `${node}/${dev}`, running: true, lines: [] } });
      // Show the lines where they arrive, as ping and traceroute do.
      app.getState().setPanel('capture');
      const r = await run('Capture', () =>
        api.call('POST', `/labs/${id}/captures`, CaptureStarted, {
          node,
          dev,
          packets,
          seconds,
          ...(filter ? { filter } : {}),
        }),
      );
      const capture = now().capture;
      if (!r) setLive({ capture: null });
      else if (capture) setLive({ capture: { ...capture, id: r.id } });
    },

    async stopCapture() {
      const id = designIdOrToast();
      const capture = now().capture;
      if (!id || !capture?.id || !capture.running) return;
      await run('Stop', () =>
        api.send('POST', `/labs/${id}/captures/${encodeURIComponent(capture.id!)}/stop`, {}),
      );
    },

    async downloadCapture(id) {
      const blob = await run('Download', () => api.blob(`/captures/${encodeURIComponent(id)}`));
      if (blob) download(`${id}.pcap`, blob, 'application/vnd.tcpdump.pcap');
    },

    async listSessions() {
      const r = await run('Sessions', () => api.call('GET', '/sessions', SessionList));
      return r?.sessions;
    },

    async revokeSession(id) {
      const r = await run('Revoke', () =>
        api.send('DELETE', `/sessions/${encodeURIComponent(id)}`).then(() => true),
      );
      return r === true;
    },
  };
  return actions;
}
