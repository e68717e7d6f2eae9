import type { Hop, PairResult } from '@netcanvas/shared';
import { analyze } from '@netcanvas/shared';
import { useMemo } from 'react';
import { useAnalysis } from '../core/analysis';
import { attempt } from '../core/safe';
import { runMatrix } from '../live/client';
import { pairKey, useLive } from '../live/store';
import { endpointNode, linkIds } from '../model/endpoints';
import { type HighlightTone, useApp } from '../store';

/**
 * Node and link ids a path crosses, hop by hop. A link is lit when two
 * consecutive hops are its two ends.
 */
export function pathElements(
  hops: readonly Hop[],
  links: { id: string; a: string; b: string }[],
): string[] {
  const out: string[] = [];
  hops.forEach((h, i) => {
    if (!out.includes(h.element)) out.push(h.element);
    const next = hops[i + 1];
    if (!next) return;
    const l = links.find(
      (x) =>
        (x.a === h.element && x.b === next.element) || (x.b === h.element && x.a === next.element),
    );
    if (l && !out.includes(l.id)) out.push(l.id);
  });
  return out;
}

function showPair(r: PairResult) {
  const s = useApp.getState();
  const ids = linkIds(s.design.links);
  const links = s.design.links.map((l, i) => ({
    id: ids[i]!,
    a: endpointNode(l.endpoints[0]),
    b: endpointNode(l.endpoints[1]),
  }));
  const map: Record<string, HighlightTone> = {};
  for (const id of pathElements(r.forward, links)) map[id] = 'path';
  if (!r.reachable) for (const id of r.blame ?? []) map[id] = 'fail';
  const route = r.forward.map((h) => h.element).join(' → ');
  s.setHighlightMap(
    map,
    r.reachable
      ? `${r.from} → ${r.to} (${r.target}): ${route}`
      : `${r.from} ✗ ${r.to}: ${r.reason ?? 'unreachable'}`,
  );
}

function Cell({ r }: { r: PairResult }) {
  const measured = useLive((s) => s.measured[pairKey(r.from, r.to)]);
  const mismatch = measured !== undefined && measured.reachable !== r.reachable;
  return (
    <td
      className={`nc-cell ${r.reachable ? 'ok' : 'fail'} ${mismatch ? 'mismatch' : ''}`}
      data-testid={`matrix-cell-${r.from}-${r.to}`}
      data-predicted={r.reachable ? 'ok' : 'fail'}
      data-measured={measured ? (measured.reachable ? 'ok' : 'fail') : 'none'}
      title={r.reachable ? r.forward.map((h) => `${h.element}: ${h.note}`).join('\n') : r.reason}
    >
      <button
        type="button"
        className="nc-cell-btn"
        aria-label={`${r.from} to ${r.to}: ${r.reachable ? 'reachable' : 'unreachable'}${
          measured ? `, measured ${measured.reachable ? 'reachable' : 'unreachable'}` : ''
        }`}
        onClick={() => showPair(r)}
      >
        <span className="pred">{r.reachable ? '✓' : '✗'}</span>
        {measured && (
          <span className={`meas ${measured.reachable ? 'ok' : 'fail'}`}>
            {measured.reachable ? '●' : '○'}
          </span>
        )}
      </button>
    </td>
  );
}

export function MatrixPanel() {
  const topology = useAnalysis((s) => s.topology);
  const online = useLive(
    (s) => s.connection === 'online' && (s.lab === 'running' || s.lab === 'partial'),
  );
  const result = useMemo(
    () => (topology ? attempt('analyze', () => analyze(topology)) : null),
    [topology],
  );
  if (!result)
    return <div className="nc-panel-empty">No prediction: fix the errors in Problems first.</div>;
  if (!result.value) return <div className="nc-panel-empty">{result.error?.message}</div>;
  const m = result.value;
  if (m.endpoints.length < 2)
    return (
      <div className="nc-panel-empty">
        Add at least two addressed elements (namespaces, hosts, routers) to predict pings.
      </div>
    );
  const ok = m.results.flat().filter((r) => r && r.from !== r.to && r.reachable).length;
  const total = m.endpoints.length * (m.endpoints.length - 1);
  return (
    <div className="nc-matrix" data-testid="matrix-panel">
      <div className="nc-panel-bar">
        <span className="nc-muted">
          Predicted: {ok}/{total} pairs reach each other. Click a cell to see the path. ✓/✗
          predicted · ●/○ measured
        </span>
        <div className="nc-spacer" />
        <button
          type="button"
          disabled={!online}
          onClick={runMatrix}
          data-testid="matrix-measure"
          title={online ? 'Ping every pair in the running lab' : 'Deploy the lab to measure'}
        >
          Measure
        </button>
      </div>
      <div className="nc-matrix-scroll">
        <table>
          <thead>
            <tr>
              <th className="corner">from \ to</th>
              {m.endpoints.map((e) => (
                <th key={e} title={m.targets[e]}>
                  {e}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {m.endpoints.map((from, i) => (
              <tr key={from}>
                <th title={m.targets[from]}>
                  {from} <span className="nc-muted mono">{m.targets[from]}</span>
                </th>
                {m.endpoints.map((to, j) => {
                  const r = m.results[i]?.[j];
                  return i === j || !r ? (
                    <td key={to} className="nc-cell self" />
                  ) : (
                    <Cell key={to} r={r} />
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
