// @vitest-environment jsdom
import { act, useRef } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import { useLive } from '../src/live/store';
import { setAttr, useLiveWriter } from '../src/live/transient';
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

const initial = useLive.getState();
const dom = testRoot();

beforeEach(() => {
  useLive.setState(initial, true);
  renders = 0;
  writes = 0;
});

const card = (id: string) => dom.host.querySelector(`[data-testid="${id}"]`)!;

describe('live writer (transient updates)', () => {
  it('shows the state the store already has when the element mounts', () => {
    useLive.setState({ elements: { r1: 'deployed' } });
    dom.render(<Card id="r1" />);
    expect(card('r1').getAttribute('data-live')).toBe('deployed');
  });

  it('writes each tick onto the element without rendering it again', () => {
    dom.render(
      <>
        <Card id="r1" />
        <Card id="r2" />
      </>,
    );
    const rendered = renders;
    expect(card('r1').hasAttribute('data-live')).toBe(false);
    act(() => useLive.setState({ elements: { r1: 'deployed', r2: 'drift' } }));
    expect(card('r1').getAttribute('data-live')).toBe('deployed');
    expect(card('r2').getAttribute('data-live')).toBe('drift');
    act(() => useLive.setState({ elements: { r1: 'error', r2: 'drift' } }));
    expect(card('r1').getAttribute('data-live')).toBe('error');
    // A destroyed lab: the state is gone, and so is the attribute.
    act(() => useLive.setState({ elements: {} }));
    expect(card('r1').hasAttribute('data-live')).toBe(false);
    expect(renders).toBe(rendered);
  });

  it('keeps what it wrote when React renders the element for another reason', () => {
    dom.render(<Card id="r1" />);
    act(() => useLive.setState({ elements: { r1: 'deployed' } }));
    dom.render(<Card id="r1" />);
    expect(renders).toBe(2);
    expect(card('r1').getAttribute('data-live')).toBe('deployed');
    expect(card('r1').className).toBe('card');
  });

  it('stops listening once the element is gone', () => {
    dom.render(<Card id="r1" />);
    act(() => useLive.setState({ elements: { r1: 'deployed' } }));
    const written = writes;
    dom.render(<span />);
    act(() => useLive.setState({ elements: { r1: 'error' } }));
    expect(writes).toBe(written);
  });

  it('writes only when its own slice changes', () => {
    dom.render(<Card id="r1" />);
    act(() => useLive.setState({ elements: { r1: 'deployed' } }));
    const written = writes;
    act(() => useLive.setState({ elements: { ...useLive.getState().elements, r2: 'drift' } }));
    act(() => useLive.setState({ connection: 'online' }));
    expect(writes).toBe(written);
  });
});
