import { useEffect, useMemo, useRef, useState } from 'react';
import { labRunning } from '../store/live';
import { useAnalysis, useClient, useLive } from '../ui/context';

/** Ping/traceroute output and the packet capture stream. */
export function ToolsPanel() {
  const tools = useLive((s) => s.tools);
  const { downloadCapture, startCapture } = useClient().lab;
  const capture = useLive((s) => s.capture);
  const running = useLive(labRunning);
  const topology = useAnalysis((s) => s.topology);
  const interfaces = useMemo(
    () => topology?.interfaces.filter((i) => i.kind !== 'bridge') ?? [],
    [topology],
  );
  const [target, setTarget] = useState('');
  const out = useRef<HTMLPreElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: follow the output as lines arrive
  useEffect(() => {
    out.current?.scrollTo(0, out.current.scrollHeight);
  }, [capture?.lines.length]);
  const chosen = interfaces.find((i) => i.key === target) ?? interfaces[0];
  return (
    <div className="nc-tools" data-testid="capture-panel">
      <div className="nc-tools-capture">
        <div className="nc-panel-bar">
          <select
            aria-label="Interface to capture on"
            value={chosen?.key ?? ''}
            onChange={(e) => setTarget(e.target.value)}
            data-testid="capture-interface"
          >
            {interfaces.map((i) => (
              <option key={i.key} value={i.key}>
                {i.node} · {i.name}
                {i.address ? ` (${i.address})` : ''}
              </option>
            ))}
          </select>
          <button
            type="button"
            disabled={!running || !chosen || capture?.running}
            onClick={() => chosen && void startCapture(chosen.node, chosen.name)}
            data-testid="capture-start"
            title={running ? 'tcpdump for up to 15 s / 50 packets' : 'Deploy the lab to capture'}
          >
            {capture?.running ? 'Capturing…' : 'Capture'}
          </button>
          {capture?.id && !capture.running && (
            <button
              type="button"
              onClick={() => void downloadCapture(capture.id!)}
              data-testid="capture-download"
            >
              Download .pcap
            </button>
          )}
          <span className="nc-muted">
            {capture
              ? `${capture.target}: ${capture.lines.length} lines`
              : 'Right-click an element for ping, traceroute and capture.'}
          </span>
        </div>
        <pre ref={out} className="nc-console" data-testid="capture-output">
          {capture?.lines.map((l) => l.text).join('\n') ||
            (running ? 'No capture yet.' : 'Tools need a deployed lab.')}
        </pre>
      </div>
      <div className="nc-tools-runs" data-testid="tool-runs">
        {tools.length === 0 && <div className="nc-muted">No pings yet.</div>}
        {tools.map((t) => (
          <details
            key={t.id}
            open={t === tools[0]}
            className={`nc-tool-run ${t.running ? 'running' : t.ok ? 'ok' : 'fail'}`}
            data-testid={`tool-run-${t.id}`}
          >
            <summary>
              {t.running ? '…' : t.ok ? '✓' : '✗'} {t.title}
            </summary>
            <pre className="nc-console small">{t.output}</pre>
          </details>
        ))}
      </div>
    </div>
  );
}
