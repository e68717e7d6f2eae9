// @vitest-environment jsdom
/**
 * Live changes are said politely (aria-live) for whoever is not looking at
 * the canvas: what was selected, added or removed, links going down.
 */
import { act } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import { Announcer } from '../src/components/Announcer';
import { freshApp, type TestApp } from './app';
import { testRoot } from './dom';
import { scenario } from './helpers';

const dom = testRoot();
let page: TestApp;
const said = () => dom.host.querySelector('[data-testid="announcer"]');

beforeEach(() => {
  page = freshApp();
  act(() => page.app().loadDesign(scenario('inter-vlan')));
  dom.render(page.wrap(<Announcer />));
});

describe('the announcer', () => {
  it('is a polite live region', () => {
    expect(said()?.getAttribute('aria-live')).toBe('polite');
  });

  it('says what was added, selected and removed; one action in one sentence', async () => {
    await act(async () => {
      const id = page.app().addNode('router', { x: 0, y: 0 });
      page.app().select([id]);
    });
    expect(said()?.textContent).toBe('Added r2. Selected r2, router.');
    await act(async () => page.app().select(['vlan10']));
    expect(said()?.textContent).toBe('Selected vlan10, vlan.');
    await act(async () => page.app().removeElements(['r2']));
    expect(said()?.textContent).toBe('Removed r2.');
  });

  it('says when a link goes down in the kernel', async () => {
    const id = page.app().edges[0]!.id;
    await act(async () => page.stores.live.setState({ links: { [id]: { state: 'up', rate: 0 } } }));
    await act(async () =>
      page.stores.live.setState({ links: { [id]: { state: 'down', rate: 0 } } }),
    );
    expect(said()?.textContent).toBe(`link ${id} is down.`);
  });
});
