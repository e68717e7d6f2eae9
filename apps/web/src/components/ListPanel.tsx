import type { NodeKind } from '@netcanvas/shared';
import { useState } from 'react';
import { KIND_DEFINITIONS } from '../kinds/definitions';
import { endpointNode, linkIds } from '../model/endpoints';
import { useAnalysis, useApp } from '../ui/context';
import { useReveal } from './useReveal';

/** One element or link of the list: a button that selects it. */
function Row(props: {
  testid: string;
  selected: boolean;
  onPick(): void;
  name: string;
  kind: string;
  summary: string;
  problem: string | undefined;
}) {
  return (
    <li>
      <button
        type="button"
        className={props.selected ? 'is-selected' : ''}
        aria-pressed={props.selected}
        data-testid={props.testid}
        onClick={props.onPick}
      >
        <span className="nc-list-id">{props.name}</span>
        <span className="nc-list-kind">{props.kind}</span>
        <span className="nc-list-summary">{props.summary}</span>
        {props.problem && (
          <span className={`nc-list-problem sev-${props.problem}`}>{props.problem}</span>
        )}
      </button>
    </li>
  );
}

/**
 * The design as a list (Packet Tracer's workspace list): every element and
 * every link, one button each, in the same selection as the canvas. It is the
 * keyboard's way through the diagram: Tab to a row, Enter selects it (the
 * canvas follows and brings it into view), Delete removes what is selected,
 * and the form on top links two elements.
 */
export function ListPanel() {
  const design = useApp((s) => s.design);
  const selection = useApp((s) => s.selection);
  const select = useApp((s) => s.select);
  const addLink = useApp((s) => s.addLink);
  const toast = useApp((s) => s.toast);
  const worst = useAnalysis((s) => s.worst);
  const reveal = useReveal();
  const ids = Object.keys(design.nodes).sort();
  const links = linkIds(design.links);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const picked = new Set(selection);
  const pick = (id: string) => {
    select([id]);
    requestAnimationFrame(() => reveal([id]));
  };
  return (
    <div className="nc-list" data-testid="list-panel">
      <form
        className="nc-list-link"
        onSubmit={(e) => {
          e.preventDefault();
          const result = addLink(from, to);
          if (!result.ok) toast(result.reason, 'error');
          else pick(result.id);
        }}
      >
        <label>
          Link{' '}
          <select
            value={from}
            onChange={(e) => setFrom(e.target.value)}
            data-testid="list-link-from"
          >
            <option value="">— element —</option>
            {ids.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </label>
        <label>
          to{' '}
          <select value={to} onChange={(e) => setTo(e.target.value)} data-testid="list-link-to">
            <option value="">— element —</option>
            {ids
              .filter((id) => id !== from)
              .map((id) => (
                <option key={id} value={id}>
                  {id}
                </option>
              ))}
          </select>
        </label>
        <button type="submit" disabled={!from || !to} data-testid="list-link-add">
          Link
        </button>
        <span className="nc-muted">Enter on a row selects it; Delete removes the selection.</span>
      </form>
      <div className="nc-list-columns">
        <section aria-labelledby="list-elements-title">
          <h4 id="list-elements-title">Elements ({ids.length})</h4>
          <ul>
            {ids.map((id) => {
              const node = design.nodes[id]!;
              const def = KIND_DEFINITIONS[node.kind as NodeKind];
              const summary = (def.summary as (n: typeof node) => string)(node);
              return (
                <Row
                  key={id}
                  testid={`list-node-${id}`}
                  selected={picked.has(id)}
                  onPick={() => pick(id)}
                  name={node.label || id}
                  kind={def.title}
                  summary={summary}
                  problem={worst[id]}
                />
              );
            })}
          </ul>
        </section>
        <section aria-labelledby="list-links-title">
          <h4 id="list-links-title">Links ({links.length})</h4>
          <ul>
            {design.links.map((l, i) => {
              const id = links[i]!;
              return (
                <Row
                  key={id}
                  testid={`list-link-${id}`}
                  selected={picked.has(id)}
                  onPick={() => pick(id)}
                  name={`${endpointNode(l.endpoints[0])} — ${endpointNode(l.endpoints[1])}`}
                  kind="link"
                  summary={`${l.state === 'down' ? 'cut' : ''}${l.mtu ? ` mtu ${l.mtu}` : ''}`}
                  problem={worst[id]}
                />
              );
            })}
          </ul>
        </section>
      </div>
    </div>
  );
}
