import type { Design, Diagnostic, IfaceSpec, Link } from '@netcanvas/shared';
import { addressKey, ElementId, IfAddress, IfName, RESERVED_NAMES } from '@netcanvas/shared';
import { createContext, useContext } from 'react';
import { endpointNode, endpointObject, linkIds, linksOf } from '../model/endpoints';
import { labOf } from '../store/live';
import { useAnalysis, useApp, useLive, useStores } from './context';
import { bySchema, emptyToUndefined, Field, type Parsed } from './Field';

/** Diagnostics whose path points at this node's field, e.g. ['nodes', 'vlan10', 'subnet']. */
export function useFieldProblems(id: string, field: string): Diagnostic[] {
  const messages = useAnalysis((s) => s.messages[id]);
  return (messages ?? []).filter(
    (d) => d.path && d.path[0] === 'nodes' && d.path[1] === id && d.path[2] === field,
  );
}

const idSchema = bySchema(ElementId);

/**
 * Told just before the Id field renames an element, so the inspector keeps the
 * same form for the new id instead of mounting a fresh one: a fresh form would
 * drop the focus (the field clicked next, or the Id field after Enter) to the
 * page, where Backspace deletes the element.
 */
export const RenameContext = createContext<(to: string) => void>(() => {});

export function IdField({ id }: { id: string }) {
  const app = useStores().app;
  const rename = useApp((s) => s.renameElement);
  const renaming = useContext(RenameContext);
  const parse = (raw: string): Parsed<string> => {
    const r = idSchema(raw);
    if (!r.ok) return r;
    if (RESERVED_NAMES.has(r.value))
      return { ok: false, message: `"${r.value}" is a word iproute2 reads as a keyword` };
    if (r.value !== id && app.getState().design.nodes[r.value])
      return { ok: false, message: `${r.value} already exists` };
    return r;
  };
  return (
    <Field
      label="Id"
      testid="inspector-id"
      value={id}
      parse={parse}
      onCommit={(to) => {
        if (to === id) return;
        renaming(to);
        rename(id, to);
      }}
      mono
    />
  );
}

export function LabelField({ id, label }: { id: string; label?: string }) {
  const setLabel = useApp((s) => s.setLabel);
  const parse = (raw: string): Parsed<string | undefined> =>
    raw.length > 64
      ? { ok: false, message: 'labels are at most 64 characters' }
      : { ok: true, value: emptyToUndefined(raw) };
  return (
    <Field
      label="Label"
      testid="inspector-label"
      value={label ?? ''}
      parse={parse}
      onCommit={(v) => setLabel(id, v)}
      placeholder="optional"
    />
  );
}

/** The interface the core gave an element on a link (or its container attachment: `linkId` = its id). */
export function useInterface(nodeId: string, linkId: string): IfaceSpec | undefined {
  return useAnalysis((s) =>
    s.topology?.interfaces.find((i) => i.node === nodeId && i.link === linkId && i.address),
  );
}

/**
 * An address this browser chose by itself: the server's address record
 * (DESIGN.md §7) does not hold it, because there is no server or the
 * element was added a moment ago. Shown with a marker until the server decides.
 */
export function Provisional({ iface, testid }: { iface: IfaceSpec | undefined; testid: string }) {
  const name = useApp((s) => s.design.name);
  const provisional = useLive((s) => {
    if (!iface?.address) return false;
    // The analysis names namespaces after the lab the server gave this design.
    const key = addressKey(labOf(s.labName, name), iface.netns, iface.name);
    return s.addresses === null || key === null || s.addresses[key] !== iface.address;
  });
  if (!provisional) return null;
  return (
    <span
      className="nc-provisional"
      data-testid={testid}
      title="Chosen by this browser: the server has not decided this address (no server, or not saved yet)"
    >
      provisional
    </span>
  );
}

const ipParse = bySchema(IfAddress.optional(), emptyToUndefined);
const ifnameParse = (raw: string): Parsed<string | undefined> => {
  const v = emptyToUndefined(raw);
  if (v === undefined) return { ok: true, value: undefined };
  if (RESERVED_NAMES.has(v))
    return { ok: false, message: `"${v}" is a word iproute2 reads as a keyword` };
  return bySchema(IfName)(v);
};

/** One link end: the interface name and address this element has on it. */
export function EndpointFields({ link, linkId, end }: { link: Link; linkId: string; end: 0 | 1 }) {
  const ep = endpointObject(link.endpoints[end]);
  const other = endpointNode(link.endpoints[end === 0 ? 1 : 0]);
  const setIp = useApp((s) => s.setInterfaceAddress);
  const setName = useApp((s) => s.setInterfaceName);
  const iface = useInterface(ep.node, linkId);
  const resolved = iface?.address ?? undefined;
  const kind = useApp((s) => s.design.nodes[ep.node]?.kind);
  // Segments and tunnels have no interface of their own on a link: their members do.
  if (kind === 'vlan' || kind === 'switch' || kind === 'vxlan') return null;
  return (
    <div className="nc-endpoint" data-testid={`endpoint-${linkId}-${end}`}>
      <div className="nc-endpoint-title">
        <b>{ep.node}</b> → {other}
        {ep.ip === undefined && (
          <Provisional iface={iface} testid={`endpoint-provisional-${linkId}-${end}`} />
        )}
      </div>
      <div className="nc-row">
        <Field
          label="Interface"
          testid={`endpoint-ifname-${linkId}-${end}`}
          value={ep.ifname ?? ''}
          placeholder={other}
          parse={ifnameParse}
          onCommit={(v) => setName(linkId, end, v)}
          width="half"
          mono
        />
        <Field
          label="Address"
          testid={`endpoint-ip-${linkId}-${end}`}
          value={ep.ip ?? ''}
          placeholder={resolved ?? 'automatic'}
          parse={ipParse}
          onCommit={(v) => setIp(linkId, end, v)}
          width="half"
          mono
        />
      </div>
    </div>
  );
}

/** A container's eth0 on its host's bridge: not a link in the document, but an interface all the same. */
function ContainerAttachment({ id, host }: { id: string; host: string }) {
  const iface = useInterface(id, id);
  return (
    <div className="nc-endpoint" data-testid={`attachment-${id}`}>
      <div className="nc-endpoint-title">
        <b>eth0</b> → {host}'s br0{' '}
        <span className="nc-muted mono" data-testid={`attachment-address-${id}`}>
          {iface?.address ?? ''}
        </span>
        <Provisional iface={iface} testid={`attachment-provisional-${id}`} />
      </div>
      <div className="nc-field-hint" style={{ marginBottom: 6 }}>
        Address from the host's segment, automatically.
      </div>
    </div>
  );
}

/** Every link of an element, with this element's end editable. */
export function InterfacesSection({ id, design }: { id: string; design: Design }) {
  const ids = linkIds(design.links);
  const rows = linksOf(design, id).map((i) => ({
    link: design.links[i]!,
    linkId: ids[i]!,
    index: i,
  }));
  const host =
    design.nodes[id]?.kind === 'namespace'
      ? (design.nodes[id] as { host?: string }).host
      : undefined;
  if (rows.length === 0 && !host)
    return <p className="nc-muted">No links yet: drag from a handle of {id} to another element.</p>;
  return (
    <>
      {host && <ContainerAttachment id={id} host={host} />}
      {rows.map(({ link, linkId, index }) => (
        <EndpointFields
          // Link ids are made of element ids: keyed by them, renaming this element
          // would remount the interface fields and drop the focus of the one clicked.
          key={index}
          link={link}
          linkId={linkId}
          end={endpointNode(link.endpoints[0]) === id ? 0 : 1}
        />
      ))}
    </>
  );
}

export function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section className="nc-section">
      <h3>{title}</h3>
      {children}
    </section>
  );
}
