// @vitest-environment jsdom
import { act, useRef } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import { setAttr, useLiveWriter } from '../src/ui/transient';
import { freshApp, type TestApp } from './app';
import { testRoot } from './dom';

let renders = 0;
let writes = 0;
function Card({ id }: { id: string }) {
  renders++;
  const el = useRef<HTMLDivElement>(null);
  useLiveWriter(
    (s) => s.elements[id],
    (state) => {
      writes++;
      setAttr(el.current, 'data-live', state);
    },
  );
  return <div ref={el} data-testid={id} className="card" />;
}

const dom = testRoot();
let page: TestApp;
const live = () => page.stores.live;

beforeEach(() => {
  page = freshApp();
  renders = 0;
  writes = 0;
});

const card = (id: string) => dom.host.querySelector(`[data-testid="${id}"]`)!;

describe('live writer (transient updates)', () => {
  it('shows the state the store already has when the element mounts', () => {
    live().setState({ elements: { r1: 'deployed' } });
    dom.render(page.wrap(<Card id="r1" />));
    expect(card('r1').getAttribute('data-live')).toBe('deployed');
  });

  it('writes each tick onto the element without rendering it again', () => {
    dom.render(
      page.wrap(
        <>
          <Card id="r1" />
          <Card id="r2" />
        </>,
      ),
    );
    const rendered = renders;
    expect(card('r1').hasAttribute('data-live')).toBe(false);
    act(() => live().setState({ elements: { r1: 'deployed', r2: 'drift' } }));
    expect(card('r1').getAttribute('data-live')).toBe('deployed');
    expect(card('r2').getAttribute('data-live')).toBe('drift');
    act(() => live().setState({ elements: { r1: 'error', r2: 'drift' } }));
    expect(card('r1').getAttribute('data-live')).toBe('error');
    // A destroyed lab: the state is gone, and so is the attribute.
    act(() => live().setState({ elements: {} }));
    expect(card('r1').hasAttribute('data-live')).toBe(false);
    expect(renders).toBe(rendered);
  });

  it('keeps what it wrote when React renders the element for another reason', () => {
    dom.render(page.wrap(<Card id="r1" />));
    act(() => live().setState({ elements: { r1: 'deployed' } }));
    dom.render(page.wrap(<Card id="r1" />));
    expect(renders).toBe(2);
    expect(card('r1').getAttribute('data-live')).toBe('deployed');
    expect(card('r1').className).toBe('card');
  });

  it('stops listening once the element is gone', () => {
    dom.render(page.wrap(<Card id="r1" />));
    act(() => live().setState({ elements: { r1: 'deployed' } }));
    const written = writes;
    dom.render(page.wrap(<span />));
    act(() => live().setState({ elements: { r1: 'error' } }));
    expect(writes).toBe(written);
  });

  it('writes only when its own slice changes', () => {
    dom.render(page.wrap(<Card id="r1" />));
    act(() => live().setState({ elements: { r1: 'deployed' } }));
    const written = writes;
    act(() => live().setState({ elements: { ...live().getState().elements, r2: 'drift' } }));
    act(() => live().setState({ connection: 'online' }));
    expect(writes).toBe(written);
  });
});
