import type { ClientMessage, ServerMessage, Topic } from '@netcanvas/shared';
import { PROTOCOL_VERSION, parseServerMessage, SessionAnswer } from '@netcanvas/shared';
import type { LiveStore } from '../store/live';
import { type Api, ApiError } from './api';
import { LAB_UNKNOWN } from './reducer';

/**
 * The connection to the server: the session (a login code traded once),
 * the one socket (`/ws`) with its heartbeat and reconnects, and the topics
 * it follows: one design and the lab it owns. It writes only the
 * connection's own entries of the live store; what the messages mean is
 * live/client.ts's to route.
 */
export interface Connection {
  /** Connects (again): the session, then the design (`attached`), then the socket. */
  connect(): Promise<void>;
  /** Puts a message on the socket; false when it is not open. */
  send(message: ClientMessage): boolean;
  /** Follows one design's edits and its lab's live state (after attaching or switching designs). */
  watch(design: string, lab: string): void;
}

export interface ConnectionEvents {
  /** The server knows this browser: find the design this tab edits (before the socket opens). */
  attached(): Promise<void>;
  /** A message from the server; snapshots and deltas only of the topics followed. */
  message(message: ServerMessage): void;
  /** The socket closed. */
  lost(): void;
}

const NOT_LOGGED_IN =
  'Not logged in: run `pnpm netcanvas login` on the server’s machine and open the link it prints';
const NO_SERVER = 'No netcanvas server: designing works, deploying needs `pnpm netcanvas serve`';
const REVOKED = 'This browser’s session was revoked: run `pnpm netcanvas login` for a new link';

export function createConnection(live: LiveStore, api: Api, events: ConnectionEvents): Connection {
  /** Everything the connection keeps between events, in one place. */
  const state = {
    socket: null as WebSocket | null,
    heartbeat: undefined as ReturnType<typeof setInterval> | undefined,
    lastHeard: 0,
    heartbeatSeconds: 15,
    reconnectDelay: 500,
    /** A login code in the address is traded once, at the first connection. */
    loginTried: false,
    loginRefused: null as string | null,
    /** Why the last socket closed, when the server said (a revoked session). */
    closedBecause: null as string | null,
    /** The topics this socket follows. */
    design: null as string | null,
    lab: null as string | null,
  };
  const setLive = live.setState;

  function send(message: ClientMessage): boolean {
    if (state.socket?.readyState !== WebSocket.OPEN) return false;
    state.socket.send(JSON.stringify(message));
    return true;
  }

  function followLab(name: string) {
    if (state.lab === name) return;
    if (state.lab) send({ type: 'unsubscribe', topic: { lab: state.lab } });
    state.lab = name;
    setLive(LAB_UNKNOWN);
    send({ type: 'subscribe', topic: { lab: name } });
  }

  function watch(design: string, lab: string) {
    if (state.design !== design) {
      if (state.design) send({ type: 'unsubscribe', topic: { design: state.design } });
      state.design = design;
      send({ type: 'subscribe', topic: { design } });
    }
    followLab(lab);
  }

  // A topic this tab just left (another design, its lab) may still have news in flight.
  const following = (topic: Topic) =>
    'lab' in topic ? topic.lab === state.lab : topic.design === live.getState().designId;

  async function connect() {
    setLive({ connection: 'connecting', connectionNote: null });
    if (!state.loginTried) {
      state.loginTried = true;
      state.loginRefused = await api.loginFromFragment();
    }
    let session: SessionAnswer;
    try {
      session = await api.call('GET', '/session', SessionAnswer);
    } catch (err) {
      const unauthorized = err instanceof ApiError && err.status === 401;
      if (unauthorized) api.forgetSession();
      // A server that answers in another shape is there, but not one this page can use: say why.
      const misfit = err instanceof ApiError && err.code === 'bad-answer';
      setLive({
        connection: 'offline',
        connectionNote: unauthorized
          ? (state.loginRefused ?? state.closedBecause ?? NOT_LOGGED_IN)
          : misfit
            ? err.message
            : NO_SERVER,
      });
      return;
    }
    state.loginRefused = null;
    state.closedBecause = null;
    setLive({ session: session.session, storage: session.storage?.recovered ?? null });
    await events.attached();
    openSocket();
  }

  function openSocket() {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    const ws = new WebSocket(url, api.socketProtocols());
    state.socket = ws;
    ws.onopen = () => {
      state.reconnectDelay = 500;
      state.lastHeard = Date.now();
      send({ type: 'hello', protocol: PROTOCOL_VERSION, client: 'netcanvas-web' });
      setLive({ connection: 'online', connectionNote: null });
      state.lab = null;
      state.design = null;
      const { designId, labName } = live.getState();
      if (designId && labName) watch(designId, labName);
      clearInterval(state.heartbeat);
      state.heartbeat = setInterval(() => {
        if (Date.now() - state.lastHeard > state.heartbeatSeconds * 2000 + 1000) ws.close();
        else send({ type: 'ping', t: Date.now() });
      }, state.heartbeatSeconds * 1000);
    };
    ws.onmessage = (e) => {
      state.lastHeard = Date.now();
      const { message, error } = parseServerMessage(String(e.data));
      if (!message) {
        console.warn('netcanvas: ignored a server message:', error);
        return;
      }
      if (message.type === 'welcome') state.heartbeatSeconds = message.heartbeatSeconds;
      if ((message.type === 'snapshot' || message.type === 'delta') && !following(message.topic))
        return;
      events.message(message);
    };
    ws.onclose = (e) => {
      if (e.code === 4401) state.closedBecause = REVOKED;
      clearInterval(state.heartbeat);
      events.lost();
      if (state.socket !== ws) return;
      state.socket = null;
      setLive({ connection: 'connecting', connectionNote: 'connection lost; retrying' });
      setTimeout(() => void connect(), state.reconnectDelay);
      state.reconnectDelay = Math.min(state.reconnectDelay * 2, 10_000);
    };
  }

  return { connect, send, watch };
}
