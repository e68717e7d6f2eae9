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
  ping(from: string, to: string): Promise<void>;
  traceroute(from: string, to: string): Promise<void>;
  runMatrix(): Promise<void>;
  startCapture(node: string, dev: string, packets?: number, seconds?: number): Promise<void>;
  /** The finished capture's pcap, fetched with the session header and saved from memory. */
  downloadCapture(id: string): Promise<void>;
  listSessions(): Promise<SessionRow[] | undefined>;
  revokeSession(id: string): Promise<boolean>;
}

export interface LabActionsDeps extends Pick<Stores, 'app' | 'live'> {
  api: Api;
  sync: Sync;
}

export function createLabActions({ app, live, api, sync }: LabActionsDeps): LabActions {
  const setLive = live.setState;
  const now = () => live.getState();
  const toast = (text: string, tone?: 'info' | 'error') => app.getState().toast(text, tone);
  /** Numbers the tool runs shown in the capture panel. */
  let toolSeq = 0;

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
    return done === true;
  }
  app.onLinkCutUndo(cutOrRestore);

  async function tool<T>(
    title: string,
    call: (design: string) => Promise<T>,
    format: (r: T) => { output: string; ok: boolean },
  ) {
    const id = designIdOrToast();
    if (!id) return;
    const runId = `t${++toolSeq}`;
    setLive({
      tools: [{ id: runId, title, output: '', running: true }, ...now().tools].slice(0, 20),
    });
    app.getState().setPanel('capture');
    const result = await run(title, () => call(id));
    const done = result ? format(result) : { output: 'failed', ok: false };
    setLive({
      tools: now().tools.map((t) => (t.id === runId ? { ...t, running: false, ...done } : t)),
    });
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

    ping: (from, to) =>
      tool(
        `ping ${from} → ${to}`,
        (id) => api.call('POST', `/labs/${id}/ping`, PingAnswer, { from, to }),
        (r) => {
          setLive({
            measured: {
              ...now().measured,
              [pairKey(from, to)]: { from, to, reachable: r.measured, output: r.output },
            },
          });
          return { output: r.output, ok: r.measured };
        },
      ),

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
      if (!id) return;
      setLive({ measured: {} });
      // The results arrive one by one over the socket (`matrix` deltas).
      await run('Measure', () => api.send('POST', `/labs/${id}/matrix`, {}));
    },

    async startCapture(node, dev, packets = 50, seconds = 15) {
      const id = designIdOrToast();
      if (!id) return;
      setLive({ capture: { target: `${node}/${dev}`, running: true, lines: [] } });
      // Show the lines where they arrive, as ping and traceroute do.
      app.getState().setPanel('capture');
      const r = await run('Capture', () =>
        api.call('POST', `/labs/${id}/captures`, CaptureStarted, { node, dev, packets, seconds }),
      );
      const capture = now().capture;
      if (!r) setLive({ capture: null });
      else if (capture) setLive({ capture: { ...capture, id: r.id } });
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
