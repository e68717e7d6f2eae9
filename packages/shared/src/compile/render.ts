import type { Op } from '../model.js';
import { isCidr, isIpv4 } from '../net/ipv4.js';
import { IFNAME_RE } from '../net/names.js';
import { MAC_RE } from '../parse/schema.js';

/**
 * Ops → iproute2 argument vectors. Every name and number is checked again
 * here, right before it reaches a command line: the plan may come from a
 * client, and iproute2 reads numbers with base 0 (`010` is 8) and keywords
 * by prefix (`a` is `address`). So numbers are written in canonical decimal,
 * devices always follow `name`/`dev`, and anything unexpected throws.
 */

/** The all-zero MAC of a VXLAN flood entry: unknown and broadcast frames go to every listed peer. */
export const FLOOD_MAC = '00:00:00:00:00:00';

/** `nc-<lab>` or `nc-<lab>.<element>`: the only namespaces a lab may touch. */
const NETNS_RE = /^nc-[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)?$/;
/** Only the IPv4/IPv6 knobs the compiler sets; a key is a path under /proc/sys, so keep it plain. */
const SYSCTL_KEY_RE = /^net\.ipv[46](\.[a-z0-9_]+)+$/;
const SYSCTL_VALUE_RE = /^(0|[1-9]\d{0,9})$/;

/** What a long-lived batch worker needs to run one op. */
export interface BatchLine {
  /** `ip` for almost everything; `bridge` for fdb entries (a separate `bridge -n NS -force -batch -` worker). */
  tool: 'ip' | 'bridge';
  /** Namespace of the worker (`ip -n NS`), or null for the root-namespace worker (netns add/del/set, netns exec … sysctl). */
  netns: string | null;
  /** The line's words; join with one space (every word is validated: no blanks, quotes or `#`). */
  args: string[];
}

class RenderError extends Error {
  constructor(op: Op, what: string, value: unknown) {
    const owner = op.source.length > 0 ? ` (from ${op.source.join(', ')})` : '';
    super(`cannot render ${op.op}${owner}: invalid ${what} ${JSON.stringify(value)}`);
    this.name = 'RenderError';
  }
}

function netns(op: Op, value: string): string {
  if (!NETNS_RE.test(value) || value.length > 255)
    throw new RenderError(op, 'namespace name', value);
  return value;
}

function dev(op: Op, value: string, what = 'interface name'): string {
  if (!IFNAME_RE.test(value)) throw new RenderError(op, what, value);
  return value;
}

function int(op: Op, value: number, min: number, max: number, what: string): string {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RenderError(op, what, value);
  return String(value);
}

function ipv4(op: Op, value: string, what = 'IPv4 address'): string {
  if (!isIpv4(value)) throw new RenderError(op, what, value);
  return value;
}

function cidr(op: Op, value: string, what = 'address'): string {
  if (!isCidr(value)) throw new RenderError(op, what, value);
  return value;
}

function destination(op: Op, value: string): string {
  return value === 'default' ? value : cidr(op, value, 'route destination');
}

function mac(op: Op, value: string): string {
  if (!MAC_RE.test(value)) throw new RenderError(op, 'MAC address', value);
  return value;
}

/** `[mtu M] [address MAC]` of one end of a new link. */
function linkOptions(op: Op, mtu: number | undefined, address: string | undefined): string[] {
  const out: string[] = [];
  if (mtu !== undefined) out.push('mtu', int(op, mtu, 68, 65535, 'MTU'));
  if (address !== undefined) out.push('address', mac(op, address));
  return out;
}

/** `link add name DEV [mtu M] [address MAC] type TYPE …` in the op's namespace. */
function linkAdd(
  op: Op & { netns: string; dev: string },
  mtu: number | undefined,
  address: string | undefined,
  type: string,
  ...typeArgs: string[]
): BatchLine {
  return {
    tool: 'ip',
    netns: netns(op, op.netns),
    args: [
      'link',
      'add',
      'name',
      dev(op, op.dev),
      ...linkOptions(op, mtu, address),
      'type',
      type,
      ...typeArgs,
    ],
  };
}

/**
 * The command of one op without the tool and namespace options: what a batch
 * worker reads. `netns` is the namespace the command runs in (null: root).
 */
function command(op: Op): BatchLine {
  switch (op.op) {
    case 'netns.add':
      return { tool: 'ip', netns: null, args: ['netns', 'add', netns(op, op.netns)] };
    case 'netns.del':
      return { tool: 'ip', netns: null, args: ['netns', 'del', netns(op, op.netns)] };
    case 'netns.nsid':
      return { tool: 'ip', netns: null, args: ['netns', 'set', netns(op, op.netns), 'auto'] };
    case 'sysctl': {
      if (!SYSCTL_KEY_RE.test(op.key)) throw new RenderError(op, 'sysctl key', op.key);
      if (!SYSCTL_VALUE_RE.test(op.value)) throw new RenderError(op, 'sysctl value', op.value);
      // `ip netns exec` from the root worker: sysctls are per namespace and
      // /proc/sys shows the namespace of the process that reads it.
      return {
        tool: 'ip',
        netns: null,
        args: ['netns', 'exec', netns(op, op.netns), 'sysctl', '-q', '-w', `${op.key}=${op.value}`],
      };
    }
    case 'bridge.add':
      return linkAdd(op, op.mtu, undefined, 'bridge');
    case 'veth.add':
      // The peer is born in its final namespace: moving devices between
      // namespaces afterwards is slow under load and leaves a window where
      // the peer sits in the wrong place.
      return linkAdd(
        op,
        op.mtu,
        op.mac,
        'veth',
        'peer',
        'name',
        dev(op, op.peer, 'peer name'),
        ...linkOptions(op, op.mtu, op.peerMac),
        'netns',
        netns(op, op.peerNetns),
      );
    case 'vxlan.add':
      return linkAdd(
        op,
        op.mtu,
        undefined,
        'vxlan',
        'id',
        int(op, op.vni, 0, 16777215, 'VNI'),
        'dstport',
        int(op, op.port, 1, 65535, 'UDP port'),
        'local',
        ipv4(op, op.local, 'local address'),
        'dev',
        dev(op, op.underlayDev, 'underlay interface'),
      );
    case 'link.del':
      return {
        tool: 'ip',
        netns: netns(op, op.netns),
        args: ['link', 'del', 'dev', dev(op, op.dev)],
      };
    case 'link.master':
      return {
        tool: 'ip',
        netns: netns(op, op.netns),
        args: ['link', 'set', 'dev', dev(op, op.dev), 'master', dev(op, op.master, 'bridge name')],
      };
    case 'link.nomaster':
      return {
        tool: 'ip',
        netns: netns(op, op.netns),
        args: ['link', 'set', 'dev', dev(op, op.dev), 'nomaster'],
      };
    case 'link.mtu':
      return {
        tool: 'ip',
        netns: netns(op, op.netns),
        args: ['link', 'set', 'dev', dev(op, op.dev), 'mtu', int(op, op.mtu, 68, 65535, 'MTU')],
      };
    case 'link.state': {
      if (op.state !== 'up' && op.state !== 'down')
        throw new RenderError(op, 'link state', op.state);
      return {
        tool: 'ip',
        netns: netns(op, op.netns),
        args: ['link', 'set', 'dev', dev(op, op.dev), op.state],
      };
    }
    case 'addr.add':
    case 'addr.del':
      return {
        tool: 'ip',
        netns: netns(op, op.netns),
        args: [
          'addr',
          op.op === 'addr.add' ? 'add' : 'del',
          cidr(op, op.address),
          'dev',
          dev(op, op.dev),
        ],
      };
    case 'fdb.append':
    case 'fdb.del':
      return {
        tool: 'bridge',
        netns: netns(op, op.netns),
        args: [
          'fdb',
          op.op === 'fdb.append' ? 'append' : 'del',
          FLOOD_MAC,
          'dev',
          dev(op, op.dev),
          'dst',
          ipv4(op, op.dst, 'remote address'),
        ],
      };
    case 'route.add':
      return {
        tool: 'ip',
        netns: netns(op, op.netns),
        args: [
          'route',
          'add',
          destination(op, op.to),
          'via',
          ipv4(op, op.via, 'gateway'),
          'dev',
          dev(op, op.dev),
        ],
      };
    case 'route.del': {
      const args = ['route', 'del', destination(op, op.to)];
      if (op.via !== undefined) args.push('via', ipv4(op, op.via, 'gateway'));
      if (op.dev !== undefined) args.push('dev', dev(op, op.dev));
      return { tool: 'ip', netns: netns(op, op.netns), args };
    }
    default: {
      const unknown: never = op;
      throw new Error(
        `cannot render unknown op ${JSON.stringify((unknown as { op?: unknown }).op)}`,
      );
    }
  }
}

/** One op → full argv, e.g. ['ip', '-n', 'nc-lab.r1', 'link', 'set', 'dev', 'eth0', 'up']. */
export function render(op: Op): string[] {
  const line = command(op);
  return line.netns === null
    ? [line.tool, ...line.args]
    : [line.tool, '-n', line.netns, ...line.args];
}

/**
 * One op → a line for a long-lived `<tool> [-n NS] -force -batch -` worker:
 * netns null means the root-namespace worker (netns add/del/set, netns exec … sysctl).
 */
export function batchLine(op: Op): BatchLine {
  return command(op);
}
