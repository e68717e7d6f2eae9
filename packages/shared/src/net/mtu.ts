/**
 * Packet sizes (docs/architecture.md, "MTU"): the MTU the kernel gives each
 * interface of a topology. Pure.
 *
 * The kernel's rules, measured on these machines:
 * - a veth has its link's MTU, else 1500;
 * - a bridge has the smallest MTU of its ports (1500 without ports);
 * - a VXLAN device has its link's MTU, else its underlay device's MTU minus
 *   the 50 bytes of encapsulation, read when it is created. The plan creates
 *   VXLAN devices before it enslaves any bridge port, so a bridge underlay
 *   counts as 1500 then. A larger MTU than underlay − 50 is cut to that size
 *   without an error, so the design may not ask for it;
 * - a frame leaving a bridge port or entering a veth end may exceed that
 *   interface's MTU by 4 bytes (room for a VLAN tag); a larger one is dropped
 *   without an error or an ICMP message.
 */
import type { IfaceSpec } from '../model.js';

/** The Ethernet MTU a device has when nobody sets one. */
export const DEFAULT_MTU = 1500;
/** Outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8: what a tunnel adds to every frame. */
export const VXLAN_OVERHEAD = 50;
/** How far a frame may exceed the MTU of a bridge port or a veth end it crosses (VLAN_HLEN). */
export const L2_SLACK = 4;

/** Interface key → the MTU `ip link` shows once the plan has run. */
export function kernelMtus(interfaces: readonly IfaceSpec[]): Map<string, number> {
  const mtus = new Map<string, number>();
  /** Bridge key → the smallest MTU among its ports. */
  const smallestPort = new Map<string, number>();
  for (const i of interfaces) {
    if (i.kind !== 'veth') continue;
    const mtu = i.mtu ?? DEFAULT_MTU;
    mtus.set(i.key, mtu);
    if (i.master) {
      const key = `${i.netns}/${i.master}`;
      smallestPort.set(key, Math.min(mtu, smallestPort.get(key) ?? mtu));
    }
  }
  for (const i of interfaces)
    if (i.kind === 'bridge') mtus.set(i.key, smallestPort.get(i.key) ?? DEFAULT_MTU);
  const byKey = new Map(interfaces.map((i) => [i.key, i]));
  for (const i of interfaces)
    if (i.kind === 'vxlan') mtus.set(i.key, i.mtu ?? vxlanCeiling(i, byKey));
  return mtus;
}

/** The largest MTU a VXLAN device may have: its underlay's MTU when the device is made, minus 50. */
export function vxlanCeiling(i: IfaceSpec, byKey: ReadonlyMap<string, IfaceSpec>): number {
  const under = i.vxlan ? byKey.get(`${i.netns}/${i.vxlan.underlayDev}`) : undefined;
  const base = under?.kind === 'veth' ? (under.mtu ?? DEFAULT_MTU) : DEFAULT_MTU;
  return base - VXLAN_OVERHEAD;
}
