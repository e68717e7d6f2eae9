import { linkIds } from '../model/endpoints';
import { labRunning } from '../store/live';
import { useAnalysis, useApp, useClient, useLive, useStores } from '../ui/context';

/** Right-click menu: live tools on elements, capture and cut/restore on links. */
export function ContextMenu() {
  const menu = useApp((s) => s.contextMenu);
  const { app } = useStores();
  const { ping, setLinkLive, startCapture, traceroute } = useClient().lab;
  const close = () => app.getState().openContextMenu(null);
  const topology = useAnalysis((s) => s.topology);
  const endpoints = topology?.endpoints.map((e) => e.node) ?? [];
  const interfaces =
    menu?.kind === 'node'
      ? (topology?.interfaces.filter((i) => i.node === menu.id && i.kind !== 'bridge') ?? [])
      : [];
  // A link is captured at one of its ends; only an end with a namespace of its
  // own (not a VLAN or switch port in the shared fabric) can run tcpdump.
  const resolved =
    menu?.kind === 'edge' ? topology?.links.find((l) => l.id === menu.id) : undefined;
  const captureEnds = resolved
    ? [resolved.a, resolved.b].filter((end) => topology?.netns.some((n) => n.node === end.node))
    : [];
  const running = useLive(labRunning);
  const link = useApp((s) => {
    if (menu?.kind !== 'edge') return undefined;
    const i = linkIds(s.design.links).indexOf(menu.id);
    return i >= 0 ? s.design.links[i] : undefined;
  });
  if (!menu) return null;
  const item = (
    label: string,
    testid: string,
    action: () => void,
    disabled = false,
    title?: string,
  ) => (
    <button
      type="button"
      key={testid}
      className="nc-menu-item"
      data-testid={testid}
      disabled={disabled}
      title={title}
      onClick={() => {
        close();
        action();
      }}
    >
      {label}
    </button>
  );
  const needLab = running ? undefined : 'Deploy the lab first';
  return (
    <section
      className="nc-menu"
      style={{ left: menu.x, top: menu.y }}
      data-testid="context-menu"
      aria-label={`Actions for ${menu.id}`}
      onContextMenu={(e) => e.preventDefault()}
    >
      <div className="nc-menu-title">{menu.id}</div>
      {menu.kind === 'node' && endpoints.includes(menu.id) && (
        <>
          <div className="nc-menu-sub">Ping</div>
          {endpoints
            .filter((e) => e !== menu.id)
            .map((to) =>
              item(`→ ${to}`, `menu-ping-${to}`, () => void ping(menu.id, to), !running, needLab),
            )}
          <div className="nc-menu-sub">Traceroute</div>
          {endpoints
            .filter((e) => e !== menu.id)
            .map((to) =>
              item(
                `→ ${to}`,
                `menu-traceroute-${to}`,
                () => void traceroute(menu.id, to),
                !running,
                needLab,
              ),
            )}
        </>
      )}
      {menu.kind === 'node' && interfaces.length > 0 && (
        <>
          <div className="nc-menu-sub">Capture on</div>
          {interfaces.map((i) =>
            item(
              i.name,
              `menu-capture-${i.name}`,
              () => void startCapture(menu.id, i.name),
              !running,
              needLab,
            ),
          )}
        </>
      )}
      {captureEnds.length > 0 && (
        <>
          <div className="nc-menu-sub">Capture on this link</div>
          {captureEnds.map((end) =>
            item(
              `at ${end.node} (${end.ifname})`,
              `menu-capture-at-${end.node}`,
              () => void startCapture(end.node, end.ifname),
              !running,
              needLab,
            ),
          )}
          <div className="nc-menu-sep" />
        </>
      )}
      {menu.kind === 'edge' &&
        link &&
        (link.state === 'down'
          ? item('Restore link', 'menu-restore-link', () => void setLinkLive(menu.id, 'up'))
          : item('Cut link', 'menu-cut-link', () => void setLinkLive(menu.id, 'down')))}
      <div className="nc-menu-sep" />
      {item('Delete', 'menu-delete', () => app.getState().removeElements([menu.id]))}
    </section>
  );
}
