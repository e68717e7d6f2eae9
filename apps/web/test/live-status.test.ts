import { beforeEach, describe, expect, it } from 'vitest';
import { statusPatch } from '../src/live/client';
import { useLive } from '../src/live/store';

const initial = useLive.getState();
beforeEach(() => useLive.setState(initial, true));

describe('status messages', () => {
  it('keep an element’s notes array when its notes did not change', () => {
    const notes = ['address differs'];
    useLive.setState({ elementNotes: { r1: notes } });
    const patch = statusPatch({
      state: 'partial',
      elements: { r1: { state: 'drift', differences: ['address differs'] } },
    });
    expect(patch.elementNotes.r1).toBe(notes);
  });

  it('take the new notes when they changed', () => {
    useLive.setState({ elementNotes: { r1: ['address differs'] } });
    const patch = statusPatch({
      state: 'partial',
      elements: { r1: { state: 'drift', differences: ['link down'] } },
    });
    expect(patch.elementNotes.r1).toEqual(['link down']);
  });
});
