// @vitest-environment jsdom
import { act } from 'react';
import { expect, it } from 'vitest';
import { StorageBanner } from '../src/components/Sessions';
import { freshApp } from './app';
import { testRoot } from './dom';

const dom = testRoot();

it('a store moved aside at start is shown loudly, naming both files, until dismissed', () => {
  const { stores, wrap } = freshApp();
  dom.render(wrap(<StorageBanner />));
  expect(dom.host.querySelector('[data-testid="storage-banner"]')).toBeNull();
  act(() =>
    stores.live.setState({
      storage: {
        path: '/var/lib/nc/netcanvas.sqlite',
        movedTo: '/var/lib/nc/netcanvas.sqlite.corrupt-2026',
        reason: 'file is not a database',
      },
    }),
  );
  const banner = dom.host.querySelector('[data-testid="storage-banner"]')!;
  expect(banner.getAttribute('role')).toBe('alert');
  expect(banner.querySelector('[data-testid="storage-path"]')!.textContent).toBe(
    '/var/lib/nc/netcanvas.sqlite',
  );
  expect(banner.querySelector('[data-testid="storage-moved-to"]')!.textContent).toBe(
    '/var/lib/nc/netcanvas.sqlite.corrupt-2026',
  );
  expect(banner.textContent).toContain('file is not a database');
  act(() => (banner.querySelector('button') as HTMLButtonElement).click());
  expect(dom.host.querySelector('[data-testid="storage-banner"]')).toBeNull();
});
