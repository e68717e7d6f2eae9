/**
 * Drafts always save: the draft reading refuses only what is not a design
 * (wrong JSON types, invalid id keys, oversized fields); everything else is
 * a diagnostic of the strict reading inside `diagnose`.
 */
import { describe, expect, it } from 'vitest';
import { API_VERSION, diagnose, draftFromYaml, parseDesign, parseDraft } from '../src/index.js';

const doc = (nodes: Record<string, unknown>, links: unknown[] = []) => ({
  apiVersion: API_VERSION,
  name: 'drafts',
  nodes,
  links,
});

describe('parseDraft', () => {
  it('keeps a tunnel just dropped (no underlay), a bad subnet and an out-of-range VLAN id, which diagnose reports', () => {
    const input = doc({
      tun1: { kind: 'vxlan', vni: 100, port: 4789, underlay: '', subnet: '172.16.1.0/24' },
      vlan10: { kind: 'vlan', vid: 99999, subnet: '10.1.10.0/33' },
      c1: { kind: 'namespace', host: 'Not An Id' },
    });
    const draft = parseDraft(input);
    expect(draft.diagnostics).toEqual([]);
    expect(draft.design?.nodes.tun1).toMatchObject({ underlay: '' });
    expect(parseDesign(input).design).toBeUndefined();
    const codes = diagnose(draft.design).diagnostics.map((d) => [d.code, d.elements[0]]);
    expect(codes).toEqual(
      expect.arrayContaining([
        ['missing-underlay', 'tun1'],
        ['out-of-range', 'vlan10'],
        ['invalid-format', 'vlan10'],
      ]),
    );
  });

  it('applies the schema defaults as the strict reading does', () => {
    const draft = parseDraft(
      doc({ r1: { kind: 'router' }, h1: { kind: 'host' } }, [{ endpoints: ['r1', 'h1'] }]),
    );
    expect(draft.design).toMatchObject({
      nodes: { r1: { routing: 'auto', routes: [] }, h1: { mode: 'bridged' } },
      links: [{ state: 'up' }],
      addressing: { p2p: '10.255.0.0/16' },
    });
  });

  it('refuses wrong JSON types, invalid id keys, unknown kinds and oversized fields', () => {
    expect(
      parseDraft(doc({ vlan10: { kind: 'vlan', vid: 'ten', subnet: '10.0.10.0/24' } })).design,
    ).toBeUndefined();
    expect(parseDraft(doc({ 'Bad Id': { kind: 'router' } })).design).toBeUndefined();
    expect(parseDraft(doc({ constructor: { kind: 'router' } })).design).toBeUndefined();
    expect(parseDraft(doc({ x1: { kind: 'teapot' } })).design).toBeUndefined();
    expect(
      parseDraft(doc({ r1: { kind: 'router', label: 'x'.repeat(65) } })).design,
    ).toBeUndefined();
    expect(parseDraft('not a design').design).toBeUndefined();
  });

  it('reads YAML drafts with positions on what the strict reading reports', () => {
    const text = [
      `apiVersion: ${API_VERSION}`,
      'name: drafts',
      'nodes:',
      '  tun1: { kind: vxlan, vni: 100, underlay: "", subnet: 172.16.1.0/24 }',
      '',
    ].join('\n');
    expect(draftFromYaml(text).design?.nodes.tun1).toMatchObject({ underlay: '', port: 4789 });
    expect(draftFromYaml('nodes: [').design).toBeUndefined();
    expect(draftFromYaml(text.replace('vni: 100', 'vni: 0x10')).design).toBeUndefined();
  });
});
