/**
 * Addresses for every domain member (docs/architecture.md, "Addressing"):
 * explicit → hint → automatic. Explicit and hinted addresses are claimed
 * before any automatic one, so with hints, adding or removing an element
 * never renumbers another one. P2p links get their /30 the same way.
 */

import { diagnostic, listNames, plural } from '../diagnostics.js';
import type { AddressHints } from '../model.js';
import {
  addressProblem,
  formatIpv4,
  formatSubnet,
  networkOf,
  parseCidr,
  parseIfAddress,
} from '../net/ipv4.js';
import { DomainPool, P2P_LEN, P2pPool } from './pools.js';
import { type DomainState, domainLabel, type Member, type ResolveState } from './state.js';

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Allocation order: routers first, then everyone else, each by id (then by interface for parallel links). */
export function sortMembers(members: readonly Member[]): Member[] {
  return [...members].sort(
    (a, b) => a.rank - b.rank || byText(a.node, b.node) || byText(a.iface.key, b.iface.key),
  );
}

export function allocateAddresses(
  state: ResolveState,
  hints: AddressHints,
  p2pLinks: readonly { id: string; index: number }[],
): void {
  assignP2pSubnets(state, hints, p2pLinks);
  for (const id of state.domainOrder) allocateDomain(state, state.domains.get(id)!, hints);
}

function assignP2pSubnets(
  state: ResolveState,
  hints: AddressHints,
  p2pLinks: readonly { id: string; index: number }[],
): void {
  const poolSubnet = parseCidr(state.design.addressing.p2p);
  const pool = poolSubnet ? new P2pPool(poolSubnet) : null;
  for (const id of state.domainOrder) {
    const d = state.domains.get(id)!;
    if (d.spec.kind !== 'p2p' && d.subnet) pool?.reserve(d.subnet);
  }

  // A link whose end has an explicit address lives in that address's subnet, not in the pool.
  const fromPool: DomainState[] = [];
  for (const { id } of p2pLinks) {
    const d = state.domains.get(id)!;
    const written = sortMembers(d.members)
      .map((m) => (m.explicit === undefined ? null : parseIfAddress(m.explicit)))
      .find((a) => a !== null);
    if (written) {
      const len = written.len ?? P2P_LEN;
      d.subnet = { base: networkOf(written.addr, len), len };
      pool?.reserve(d.subnet);
    } else {
      fromPool.push(d);
    }
  }

  fromPool.sort((a, b) => byText(a.spec.id, b.spec.id));
  const automatic: DomainState[] = [];
  for (const d of fromPool) {
    for (const m of sortMembers(d.members)) {
      const hint = hintFor(hints, m.iface.key);
      const parsed = hint === undefined ? null : parseIfAddress(hint);
      if (!parsed || parsed.len !== P2P_LEN || !pool) continue;
      const subnet = { base: networkOf(parsed.addr, P2P_LEN), len: P2P_LEN };
      if (pool.isFree(subnet)) {
        d.subnet = subnet;
        pool.reserve(subnet);
        break;
      }
    }
    if (!d.subnet) automatic.push(d);
  }

  const exhausted: DomainState[] = [];
  for (const d of automatic) {
    const subnet = pool?.allocate() ?? null;
    if (subnet) d.subnet = subnet;
    else exhausted.push(d);
  }
  if (exhausted.length > 0) {
    const ids = exhausted.map((d) => d.spec.id);
    state.diagnostics.push(
      diagnostic(
        'error',
        'p2p-pool-exhausted',
        `the point-to-point pool ${state.design.addressing.p2p} has no free /30 left for ${plural(ids.length, 'the link', 'the links')} ${listNames(ids)}, so ${plural(ids.length, 'its ends get', 'their ends get')} no address (use a larger addressing.p2p pool)`,
        ids,
        ['addressing', 'p2p'],
      ),
    );
  }
}

/** Hints come from a client or the kernel: anything but an own string property is ignored. */
function hintFor(hints: AddressHints, key: string): string | undefined {
  const hint = Object.hasOwn(hints, key) ? hints[key] : undefined;
  return typeof hint === 'string' ? hint : undefined;
}

function setAddress(m: Member, address: string, origin: 'explicit' | 'auto'): void {
  m.iface.address = address;
  m.iface.addressOrigin = origin;
}

function allocateDomain(state: ResolveState, d: DomainState, hints: AddressHints): void {
  const members = sortMembers(d.members);
  const where = domainLabel(d.spec);
  const diagnostics = state.diagnostics;
  const subnet = d.subnet;

  if (!subnet) {
    const unaddressed: Member[] = [];
    for (const m of members) {
      const written = m.explicit === undefined ? null : parseIfAddress(m.explicit);
      if (written && written.len !== null) setAddress(m, m.explicit!, 'explicit');
      else unaddressed.push(m);
    }
    // A p2p link without subnet was already reported as pool exhaustion, a routed host without one by validate.
    if (unaddressed.length > 0 && d.spec.kind !== 'p2p' && d.spec.kind !== 'hostnet') {
      const names = [...new Set(unaddressed.map((m) => m.node))];
      const fix = `give ${d.spec.element} a subnet or write their ip with a prefix length`;
      diagnostics.push(
        diagnostic(
          'warning',
          'no-address',
          `${where} has no subnet, so ${listNames(names)} ${plural(names.length, 'gets', 'get')} no address on it (${fix})`,
          [d.spec.element, ...names],
          ['nodes', d.spec.element],
        ),
      );
    }
    return;
  }

  const pool = new DomainPool(subnet);
  const holder = new Map<number, string>();
  const subnetText = formatSubnet(subnet);

  for (const m of members) {
    if (m.explicit === undefined) continue;
    const written = parseIfAddress(m.explicit);
    if (!written) continue;
    const ip = formatIpv4(written.addr);
    if (written.len !== null && written.len !== subnet.len) {
      diagnostics.push(
        diagnostic(
          'error',
          'address-prefix-mismatch',
          `${m.node}'s address ${m.explicit} on ${where} has prefix length /${written.len}, but ${where} is ${subnetText}; write ${ip}/${subnet.len} or just ${ip}`,
          [m.node, d.spec.element],
          m.path,
        ),
      );
    }
    const problem = addressProblem(subnet, written.addr);
    if (problem) {
      // Network and broadcast addresses are reported by validate, which sees them in the document alone.
      if (problem === 'outside') {
        diagnostics.push(
          diagnostic(
            'error',
            'address-outside-subnet',
            `${m.node}'s address ${ip} on ${where} is outside ${where}'s subnet ${subnetText}, so ${m.node} cannot reach its neighbours there`,
            [m.node, d.spec.element],
            m.path,
          ),
        );
      }
      setAddress(
        m,
        `${ip}/${problem === 'outside' ? (written.len ?? subnet.len) : subnet.len}`,
        'explicit',
      );
      continue;
    }
    const owner = holder.get(written.addr);
    if (owner !== undefined) {
      diagnostics.push(
        diagnostic(
          'error',
          'address-duplicate',
          owner === m.node
            ? `${m.node} has ${ip} twice on ${where}; each address may be used once`
            : `${owner} and ${m.node} both have ${ip} on ${where}; each address may be used once`,
          [owner, m.node, d.spec.element],
          m.path,
        ),
      );
    } else {
      pool.claim(written.addr);
      holder.set(written.addr, m.node);
    }
    setAddress(m, `${ip}/${subnet.len}`, 'explicit');
  }

  for (const m of members) {
    if (m.iface.address !== null) continue;
    const hint = hintFor(hints, m.iface.key);
    const parsed = hint === undefined ? null : parseIfAddress(hint);
    if (
      !parsed ||
      parsed.len !== subnet.len ||
      addressProblem(subnet, parsed.addr) ||
      pool.isTaken(parsed.addr)
    )
      continue;
    pool.claim(parsed.addr);
    holder.set(parsed.addr, m.node);
    setAddress(m, `${formatIpv4(parsed.addr)}/${subnet.len}`, 'auto');
  }

  const short: Member[] = [];
  for (const m of members) {
    if (m.iface.address !== null) continue;
    const addr = pool.next();
    if (addr === null) {
      short.push(m);
      continue;
    }
    holder.set(addr, m.node);
    setAddress(m, `${formatIpv4(addr)}/${subnet.len}`, 'auto');
  }
  if (short.length > 0) {
    const names = [...new Set(short.map((m) => m.node))];
    diagnostics.push(
      diagnostic(
        'error',
        'subnet-too-small',
        `${where}'s subnet ${subnetText} has no free address left for ${listNames(names)} (${members.length} members need one); use a larger subnet`,
        [d.spec.element, ...names],
        d.spec.kind === 'p2p' ? short[0]!.path : ['nodes', d.spec.element],
      ),
    );
  }
}
