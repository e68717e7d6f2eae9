import { describe, expect, it } from 'vitest';
import { statusPatch } from '../src/live/reducer';

describe('status messages', () => {
  it('keep an element’s notes array when its notes did not change', () => {
    const notes = ['address differs'];
    const patch = statusPatch(
      { elementNotes: { r1: notes } },
      { state: 'partial', elements: { r1: { state: 'drift', differences: ['address differs'] } } },
    );
    expect(patch.elementNotes.r1).toBe(notes);
  });

  it('take the new notes when they changed', () => {
    const patch = statusPatch(
      { elementNotes: { r1: ['address differs'] } },
      { state: 'partial', elements: { r1: { state: 'drift', differences: ['link down'] } } },
    );
    expect(patch.elementNotes.r1).toEqual(['link down']);
  });
});
