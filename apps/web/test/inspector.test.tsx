// @vitest-environment jsdom
import { act } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import { Inspector } from '../src/components/Inspector';
import { useShortcuts } from '../src/components/useShortcuts';
import { freshApp, type TestApp } from './app';
import { testRoot } from './dom';
import { scenario } from './helpers';

// The canvas shortcuts are mounted too: a key that lands outside the field
// (Backspace) deletes the selected element, as it does in the app.
function Page() {
  useShortcuts();
  return <Inspector />;
}

const dom = testRoot();
let page: TestApp;
const s = () => page.app();

beforeEach(() => {
  page = freshApp();
  s().loadDesign(scenario('inter-vlan'));
});

const field = (testid: string) =>
  dom.host.querySelector<HTMLInputElement>(`[data-testid="${testid}"]`) as HTMLInputElement;
const text = (testid: string) =>
  dom.host.querySelector(`[data-testid="${testid}"]`)?.textContent ?? null;

const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;

/** A key as the browser sends it: to whatever has the focus now, which is the point. */
function press(key: string) {
  const target = document.activeElement ?? document.body;
  let typed = true;
  act(() => {
    typed = target.dispatchEvent(
      new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }),
    );
  });
  if (!typed || !(target instanceof HTMLInputElement)) return;
  // jsdom has no default actions for keys: edit the text at the end, as a caret after End would.
  const next =
    key === 'Backspace' ? target.value.slice(0, -1) : key.length === 1 ? target.value + key : null;
  if (next === null) return;
  act(() => {
    setValue.call(target, next);
    target.dispatchEvent(new Event('input', { bubbles: true }));
  });
}
const type = (chars: string) => {
  for (const c of chars) press(c);
};
function selectAll(testid: string) {
  const input = field(testid);
  act(() => {
    input.focus();
    setValue.call(input, '');
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}
function select(id: string) {
  act(() => s().select([id]));
}
const focus = (testid: string) => act(() => field(testid).focus());
const blur = () => act(() => (document.activeElement as HTMLElement).blur());

describe('the Id field of the inspector', () => {
  beforeEach(() => {
    dom.render(page.wrap(<Page />));
    select('r1');
  });

  it('does not rename while typing, and Backspace stays in the field', () => {
    focus('inspector-id');
    press('End');
    press('Backspace');
    press('Backspace');
    expect(Object.keys(s().design.nodes)).toContain('r1');
    expect(document.activeElement).toBe(field('inspector-id'));
    expect(field('inspector-id').value).toBe('');
    type('core');
    expect(field('inspector-id').value).toBe('core');
    expect(s().design.nodes.r1).toBeDefined();
    expect(s().design.nodes.core).toBeUndefined();
  });

  it('renames on Enter, keeps the element selected and the focus in the field', () => {
    selectAll('inspector-id');
    type('lan');
    press('Enter');
    expect(s().design.nodes.r1).toBeUndefined();
    expect(s().design.nodes.lan).toMatchObject({ kind: 'router' });
    expect(s().selection).toEqual(['lan']);
    expect(s().nodes.find((n) => n.id === 'lan')?.selected).toBe(true);
    expect(text('inspector-router')).toContain('lan');
    expect(document.activeElement).toBe(field('inspector-id'));
    // Another Backspace edits the text; it does not delete the element.
    press('Backspace');
    expect(field('inspector-id').value).toBe('la');
    expect(s().design.nodes.lan).toBeDefined();
  });

  it('renames when the field is left, and the field clicked next keeps the focus', () => {
    selectAll('inspector-id');
    type('core');
    act(() => field('inspector-label').focus());
    expect(s().design.nodes.core).toMatchObject({ kind: 'router' });
    expect(s().selection).toEqual(['core']);
    expect(document.activeElement).toBe(field('inspector-label'));
    type('edge');
    expect(s().design.nodes.core?.label).toBeUndefined();
    press('Enter');
    expect(s().design.nodes.core?.label).toBe('edge');
  });

  it('keeps the focus in an interface field clicked after typing a new id', () => {
    selectAll('inspector-id');
    type('core');
    const ifname = dom.host.querySelector<HTMLInputElement>(
      '[data-testid^="endpoint-ifname-r1--"]',
    )!;
    act(() => ifname.focus());
    expect(s().design.nodes.core).toBeDefined();
    expect(document.activeElement).toBe(ifname);
    expect(ifname.dataset.testid).toMatch(/^endpoint-ifname-core--/);
  });

  it('Escape drops the draft and keeps the old id', () => {
    focus('inspector-id');
    type('99');
    press('Escape');
    expect(field('inspector-id').value).toBe('r1');
    expect(s().design.nodes.r1).toBeDefined();
    expect(s().design.nodes.r199).toBeUndefined();
    expect(text('inspector-id-note')).toBeNull();
  });

  it('says so when an invalid id is left, and keeps the old one', () => {
    selectAll('inspector-id');
    type('R1');
    expect(text('inspector-id-error')).toBeTruthy();
    press('Enter');
    expect(field('inspector-id').value).toBe('R1');
    blur();
    expect(field('inspector-id').value).toBe('r1');
    expect(s().design.nodes.r1).toBeDefined();
    expect(text('inspector-id-note')).toMatch(/^not applied: .+; kept r1$/);
    // Editing the field again takes the note away.
    focus('inspector-id');
    press('2');
    expect(text('inspector-id-note')).toBeNull();
  });
});

describe('value fields commit on Enter or leave, never per keystroke', () => {
  const vlanOf = () => Object.entries(s().design.nodes).find(([, n]) => n.kind === 'vlan')!;

  it('a subnet typed key by key into an invalid one and left keeps the previous subnet', () => {
    dom.render(page.wrap(<Page />));
    const [vlan, before] = vlanOf();
    const old = (before as { subnet: string }).subnet;
    select(vlan);
    const undoSteps = s().past.length;
    selectAll('inspector-subnet');
    type('10.1.10.0/33');
    // `10.1.10.0/3` on the way was a valid subnet: nothing was applied while typing.
    expect(s().design.nodes[vlan]).toMatchObject({ subnet: old });
    expect(text('inspector-subnet-error')).toMatch(/./);
    blur();
    expect(s().design.nodes[vlan]).toMatchObject({ subnet: old });
    expect(field('inspector-subnet').value).toBe(old);
    expect(text('inspector-subnet-note')).toMatch(new RegExp(`^not applied: .*; kept ${old}$`));
    expect(s().past.length).toBe(undoSteps);
  });

  it('VLAN 4095 and VNI 16777216 typed and left keep the previous values', () => {
    s().loadDesign(scenario('vxlan'));
    dom.render(page.wrap(<Page />));
    const [vlan, v] = vlanOf();
    select(vlan);
    selectAll('inspector-vid');
    type('4095');
    blur();
    expect(s().design.nodes[vlan]).toMatchObject({ vid: (v as { vid: number }).vid });
    expect(text('inspector-vid-note')).toMatch(/1 to 4094/);
    const [tunnel, t] = Object.entries(s().design.nodes).find(([, n]) => n.kind === 'vxlan')!;
    select(tunnel);
    selectAll('inspector-vni');
    type('16777216');
    expect(text('inspector-vni-error')).toMatch(/16777215/);
    blur();
    expect(s().design.nodes[tunnel]).toMatchObject({ vni: (t as { vni: number }).vni });
    expect(field('inspector-vni').value).toBe(String((t as { vni: number }).vni));
    expect(text('inspector-vni-note')).toBe(
      `not applied: VNIs are whole numbers from 1 to 16777215; kept ${(t as { vni: number }).vni}`,
    );
  });

  it('a valid value is one undo step, on Enter; two values in a row are two steps', () => {
    dom.render(page.wrap(<Page />));
    const [vlan, v] = vlanOf();
    const before = (v as { vid: number }).vid;
    select(vlan);
    const steps = s().past.length;
    selectAll('inspector-vid');
    type('123');
    expect(s().design.nodes[vlan]).toMatchObject({ vid: before });
    press('Enter');
    expect(s().design.nodes[vlan]).toMatchObject({ vid: 123 });
    selectAll('inspector-vid');
    type('124');
    blur();
    expect(s().design.nodes[vlan]).toMatchObject({ vid: 124 });
    expect(s().past.length).toBe(steps + 2);
    act(() => s().undo());
    expect(s().design.nodes[vlan]).toMatchObject({ vid: 123 });
    act(() => s().undo());
    expect(s().design.nodes[vlan]).toMatchObject({ vid: before });
  });

  it('Escape drops the text typed and shows the stored value', () => {
    dom.render(page.wrap(<Page />));
    const [vlan, v] = vlanOf();
    const before = (v as { vid: number }).vid;
    select(vlan);
    focus('inspector-vid');
    type('7');
    press('Escape');
    expect(s().design.nodes[vlan]).toMatchObject({ vid: before });
    expect(field('inspector-vid').value).toBe(String(before));
  });
});

describe('the requested lab name', () => {
  it('is committed when the field is left, not per keystroke', () => {
    dom.render(page.wrap(<Page />));
    const before = s().design.name;
    selectAll('inspector-name');
    type('edge');
    expect(s().design.name).toBe(before);
    blur();
    expect(s().design.name).toBe('edge');
  });
});

describe("the design's lab", () => {
  it('is the one the server fixed, shown read-only; renaming the requested name leaves it', () => {
    page.stores.live.setState({ labName: 'inter-vlan-2' });
    dom.render(page.wrap(<Page />));
    expect(text('inspector-lab')).toBe('inter-vlan-2');
    expect(field('inspector-lab').tagName).toBe('OUTPUT'); // not an input: nothing to type into
    selectAll('inspector-name');
    type('other');
    blur();
    expect(s().design.name).toBe('other');
    expect(text('inspector-lab')).toBe('inter-vlan-2');
  });

  it('has a free-text title, committed on leave; emptied, it is gone from the design', () => {
    dom.render(page.wrap(<Page />));
    selectAll('inspector-title');
    type('Lesson 2: routing');
    expect(s().design.title).toBeUndefined();
    blur();
    expect(s().design.title).toBe('Lesson 2: routing');
    selectAll('inspector-title');
    blur();
    expect('title' in s().design).toBe(false);
  });
});
