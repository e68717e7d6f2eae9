// @vitest-environment jsdom
/**
 * The inspector takes exactly the IPv4 spellings the core takes: a subnet or
 * an address the core would refuse never reaches the document, and one it
 * takes is stored as typed.
 */
import { parseCidr, parseIfAddress } from '@netcanvas/shared';
import { act } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import { Inspector } from '../src/components/Inspector';
import { freshApp, type TestApp } from './app';
import { testRoot } from './dom';
import { scenario } from './helpers';

const dom = testRoot();
let page: TestApp;
const s = () => page.app();
const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
const field = (testid: string) =>
  dom.host.querySelector<HTMLInputElement>(`[data-testid="${testid}"]`)!;

/** Types `text` into a field at once and leaves it, as a paste followed by Tab. */
function enter(testid: string, text: string) {
  const input = field(testid);
  act(() => {
    input.focus();
    setValue.call(input, text);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  act(() => input.blur());
}

const SPELLINGS = [
  '10.0.30.0/24',
  '10.0.30.0/33',
  '010.0.30.0/24',
  '0x0a.0.30.0/24',
  '10.0.30.0/024',
  '10.0.30.256/24',
  '10.0.30.0',
  '10.0.30.5/24',
];

beforeEach(() => {
  page = freshApp();
  act(() => s().loadDesign(scenario('inter-vlan')));
  dom.render(page.wrap(<Inspector />));
});

describe('IPv4 fields of the inspector', () => {
  it("a VLAN's subnet takes exactly what the core parses as a subnet", () => {
    for (const text of SPELLINGS) {
      act(() => s().loadDesign(scenario('inter-vlan')));
      act(() => s().select(['vlan10']));
      enter('inspector-subnet', text);
      const stored = (s().design.nodes.vlan10 as { subnet: string }).subnet;
      expect(stored, text).toBe(parseCidr(text) ? text : '10.0.10.0/24');
    }
  });

  it("a link end's address takes exactly what the core parses as an interface address", () => {
    for (const text of [...SPELLINGS, '10.0.10.77']) {
      act(() => s().loadDesign(scenario('inter-vlan')));
      act(() => s().select(['r1']));
      const ip = dom.host.querySelector<HTMLInputElement>(
        '[data-testid^="endpoint-ip-r1--vlan10-"]',
      );
      expect(ip).not.toBeNull();
      enter(ip!.dataset.testid!, text);
      const end = s()
        .design.links.flatMap((l) => l.endpoints)
        .find((e) => typeof e !== 'string' && e.node === 'r1' && e.ip !== undefined);
      const stored = typeof end === 'object' ? end.ip : undefined;
      expect(stored, text).toBe(parseIfAddress(text) ? text : undefined);
    }
  });
});
