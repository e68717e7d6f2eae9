import type { DesignNode, Link } from '@netcanvas/shared';
import { Design as DesignSchema, LAB_NAME_RE, Link as LinkSchema } from '@netcanvas/shared';
import { type ComponentType, useCallback, useState } from 'react';
import { KIND_DEFINITIONS } from '../kinds/definitions';
import { inspectors } from '../kinds/inspectors';
import { linkIds, linksOf, otherEnd } from '../model/endpoints';
import { labDeployed, labOf } from '../store/live';
import { useAnalysis, useApp, useLive } from '../ui/context';
import { bySchema, emptyToUndefined, Field, type Parsed, Select, toNumber } from '../ui/Field';
import { KindIcon } from '../ui/icons';
import {
  EndpointFields,
  IdField,
  InterfacesSection,
  LabelField,
  Provisional,
  RenameContext,
  Section,
} from '../ui/inspectorParts';
import { FoldButton } from './FoldButton';

const mtuParse = bySchema(
  LinkSchema.shape.mtu,
  (raw) => toNumber(emptyToUndefined(raw) ?? ''),
  'MTU is a whole number from 576 to 9000, or empty for 1500',
);
const titleParse = bySchema(DesignSchema.shape.title, emptyToUndefined);
const nameParse = (raw: string): Parsed<string> =>
  LAB_NAME_RE.test(raw)
    ? { ok: true, value: raw }
    : {
        ok: false,
        message:
          'lab names are 1–24 characters: lower-case letters, digits and "-", starting with a letter',
      };

function ElementProblems({ id }: { id: string }) {
  const messages = useAnalysis((s) => s.messages[id]);
  const notes = useLive((s) => s.elementNotes[id]);
  if (!messages?.length && !notes?.length) return null;
  return (
    <Section title="Problems">
      <ul className="nc-problem-list compact">
        {messages?.map((d) => (
          <li key={d.code + d.message} className={`sev-${d.severity}`}>
            {d.message}
          </li>
        ))}
        {notes?.map((n) => (
          <li key={n} className="sev-warning">
            {n}
          </li>
        ))}
      </ul>
    </Section>
  );
}

function NodeInspector({ id, node }: { id: string; node: DesignNode }) {
  const def = KIND_DEFINITIONS[node.kind];
  const design = useApp((s) => s.design);
  const Form = inspectors[node.kind] as ComponentType<{ id: string; node: DesignNode }>;
  const live = useLive((s) => s.elements[id]);
  return (
    <div
      className="nc-inspector-body"
      data-testid={`inspector-${node.kind}`}
      style={{ ['--kind' as string]: def.color }}
    >
      <header className="nc-inspector-head">
        <span className="nc-node-icon">
          <KindIcon kind={node.kind} />
        </span>
        <div>
          <div className="nc-inspector-title">{id}</div>
          <div className="nc-muted">
            {def.title}
            {live ? ` · ${live}` : ''}
          </div>
        </div>
      </header>
      <Section title="Element">
        <div className="nc-row">
          <div className="half">
            <IdField id={id} />
          </div>
          <div className="half">
            <LabelField id={id} label={node.label} />
          </div>
        </div>
        <Form id={id} node={node} />
      </Section>
      <ElementProblems id={id} />
      {node.kind !== 'vlan' && node.kind !== 'switch' && node.kind !== 'vxlan' && (
        <Section title="Interfaces">
          <InterfacesSection id={id} design={design} />
        </Section>
      )}
      {(node.kind === 'vlan' || node.kind === 'switch' || node.kind === 'vxlan') && (
        <Members id={id} />
      )}
    </div>
  );
}

function Members({ id }: { id: string }) {
  const design = useApp((s) => s.design);
  const topology = useAnalysis((s) => s.topology);
  const members = linksOf(design, id).map((i) => otherEnd(design.links[i]!, id));
  const domain = topology?.domains.find((d) => d.element === id);
  return (
    <Section title="Members">
      {members.length === 0 ? (
        <p className="nc-muted">Nothing attached yet.</p>
      ) : (
        <table className="nc-kv">
          <tbody>
            {members.map((m) => {
              const iface = topology?.interfaces.find(
                (i) => i.node === m && i.domain === (domain?.id ?? id) && i.address,
              );
              return (
                <tr key={m} data-testid={`member-${m}`}>
                  <td>{m}</td>
                  <td className="mono">
                    <span data-testid={`member-address-${m}`}>{iface?.address ?? '—'}</span>
                    <Provisional iface={iface} testid={`member-provisional-${m}`} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {domain?.gateway && (
        <div className="nc-field-hint">
          Gateway: {domain.gateway.node} ({domain.gateway.address})
        </div>
      )}
    </Section>
  );
}

function LinkInspector({ linkId, link }: { linkId: string; link: Link }) {
  const setMtu = useApp((s) => s.setLinkMtu);
  const setState = useApp((s) => s.setLinkState);
  const live = useLive((s) => s.links[linkId]);
  return (
    <div className="nc-inspector-body" data-testid="inspector-link">
      <header className="nc-inspector-head">
        <span className="nc-node-icon link">⟷</span>
        <div>
          <div className="nc-inspector-title">{linkId}</div>
          <div className="nc-muted">Link (veth pair){live ? ` · kernel: ${live.state}` : ''}</div>
        </div>
      </header>
      <Section title="Link">
        <div className="nc-row">
          <Field
            label="MTU"
            testid="inspector-mtu"
            value={link.mtu === undefined ? '' : String(link.mtu)}
            placeholder="1500"
            parse={mtuParse}
            onCommit={(v) => setMtu(linkId, v)}
            width="half"
            mono
          />
          <div className="half">
            <Select
              label="State"
              testid="inspector-link-state"
              value={link.state}
              options={[
                { value: 'up', label: 'up' },
                { value: 'down', label: 'down (cut)' },
              ]}
              onChange={(v) => setState(linkId, v)}
            />
          </div>
        </div>
      </Section>
      <Section title="Ends">
        <EndpointFields link={link} linkId={linkId} end={0} />
        <EndpointFields link={link} linkId={linkId} end={1} />
      </Section>
      <ElementProblems id={linkId} />
    </div>
  );
}

function DesignInspector() {
  const design = useApp((s) => s.design);
  const setName = useApp((s) => s.setDesignName);
  const setTitle = useApp((s) => s.setDesignTitle);
  const labName = useLive((s) => s.labName);
  const running = useLive((s) => labDeployed(s.lab));
  const lab = labOf(labName, design.name);
  const counts = Object.values(design.nodes).reduce<Record<string, number>>((acc, n) => {
    acc[n.kind] = (acc[n.kind] ?? 0) + 1;
    return acc;
  }, {});
  return (
    <div className="nc-inspector-body" data-testid="inspector-design">
      <header className="nc-inspector-head">
        <div>
          <div className="nc-inspector-title">Design</div>
          <div className="nc-muted">Select an element to edit it</div>
        </div>
      </header>
      <Section title="Design">
        <Field
          label="Title"
          testid="inspector-title"
          value={design.title ?? ''}
          placeholder={design.name}
          parse={titleParse}
          onCommit={setTitle}
        />
        <div className="nc-field">
          <span className="nc-field-label">Lab</span>
          <output className="nc-readonly mono" data-testid="inspector-lab">
            {lab}
          </output>
          <div className="nc-field-hint">
            {labName
              ? `Namespaces nc-${lab}.<element>${running ? ', running now' : ''}. Fixed when this design was created; no rename changes it.`
              : 'Fixed when the design is saved on a server.'}
          </div>
        </div>
        <Field
          label="Requested lab name"
          testid="inspector-name"
          value={design.name}
          parse={nameParse}
          onCommit={setName}
          hint={
            labName && design.name !== lab
              ? `What a copy or an export asks for; this design keeps lab ${lab}.`
              : 'What a copy or an export asks for.'
          }
          mono
        />
      </Section>
      <Section title="Contents">
        <table className="nc-kv">
          <tbody>
            {Object.entries(counts).map(([k, n]) => (
              <tr key={k}>
                <td>{KIND_DEFINITIONS[k as DesignNode['kind']].title}</td>
                <td>{n}</td>
              </tr>
            ))}
            <tr>
              <td>Links</td>
              <td>{design.links.length}</td>
            </tr>
          </tbody>
        </table>
      </Section>
    </div>
  );
}

export function Inspector() {
  const selected = useApp((s) => (s.selection.length === 1 ? s.selection[0] : undefined));
  const count = useApp((s) => s.selection.length);
  const node = useApp((s) => (selected ? s.design.nodes[selected] : undefined));
  const link = useApp((s) => {
    if (!selected || s.design.nodes[selected]) return undefined;
    const i = linkIds(s.design.links).indexOf(selected);
    return i >= 0 ? s.design.links[i] : undefined;
  });
  // Another element gets a fresh form (no draft or note carried over), but a
  // rename from the form's own Id field keeps it (see RenameContext). Counting
  // selections rather than keying by id: the old id may be given to a new element.
  const [form, setForm] = useState<{ id?: string; n: number; renamedTo?: string }>({
    id: selected,
    n: 0,
  });
  if (form.id !== selected)
    setForm({ id: selected, n: form.renamedTo === selected ? form.n : form.n + 1 });
  const onRename = useCallback((to: string) => setForm((f) => ({ ...f, renamedTo: to })), []);
  const folded = useApp((s) => s.folded.inspector);
  const what = selected ?? (count > 1 ? `${count} selected` : 'design');
  if (folded)
    return (
      <aside className="nc-inspector folded" aria-label="Inspector" data-testid="inspector">
        <FoldButton panel="inspector" folded label="the inspector">
          <span className="what">Inspector</span>
          <span className="name">{what}</span>
        </FoldButton>
      </aside>
    );
  return (
    <aside className="nc-inspector" aria-label="Inspector" data-testid="inspector">
      <div className="nc-side-bar">
        <FoldButton panel="inspector" folded={false} label="the inspector" />
        <h2>Inspector</h2>
      </div>
      {selected && node ? (
        <RenameContext.Provider value={onRename}>
          <NodeInspector key={form.n} id={selected} node={node} />
        </RenameContext.Provider>
      ) : selected && link ? (
        <LinkInspector key={selected} linkId={selected} link={link} />
      ) : count > 1 ? (
        <div className="nc-inspector-body">
          <header className="nc-inspector-head">
            <div className="nc-inspector-title">{count} selected</div>
          </header>
          <p className="nc-muted">Ctrl+C copies them with their links; Delete removes them.</p>
        </div>
      ) : (
        <DesignInspector />
      )}
    </aside>
  );
}
