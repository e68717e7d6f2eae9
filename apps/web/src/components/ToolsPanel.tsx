import { useEffect, useMemo, useRef, useState } from 'react';
import { MAX_PINGS } from '../live/actions';
import { labRunning } from '../store/live';
import { useAnalysis, useClient, useLive } from '../ui/context';
import { PingSizeField } from './PingSizeField';

/** Ping a pair: a count of pings, or continuous until Stop; each is a real ping through the server. */
function PingBar() {
  const topology = useAnalysis((s) => s.topology);
  const running = useLive(labRunning);
  const pinging = useLive((s) => s.pinging);
  const { ping, pingContinuous, stopPing } = useClient().lab;
  const endpoints = topology?.endpoints.map((e) => e.node) ?? [];
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [count, setCount] = useState('3');
  const a = endpoints.includes(from) ? from : endpoints[0];
  const b = endpoints.includes(to) && to !== a ? to : endpoints.find((e) => e !== a);
  const n = Number(count);
  const countOk = /^\d{1,4}$/.test(count) && n >= 1 && n <= MAX_PINGS;
  const can = running && !!a && !!b && !pinging;
  return (
    <div className="nc-ping-bar" data-testid="ping-bar">
      <select
        value={a ?? ''}
        onChange={(e) => setFrom(e.target.value)}
        aria-label="Ping from"
        data-testid="ping-from"
      >
        {endpoints.map((e) => (
          <option key={e}>{e}</option>
        ))}
      </select>
      →
      <select
        value={b ?? ''}
        onChange={(e) => setTo(e.target.value)}
        aria-label="Ping to"
        data-testid="ping-to"
      >
        {endpoints
          .filter((e) => e !== a)
          .map((e) => (
            <option key={e}>{e}</option>
          ))}
      </select>
      <input
        className={`nc-ping-count ${countOk ? '' : 'invalid'}`}
        value={count}
        inputMode="numeric"
        aria-label="How many pings"
        aria-invalid={countOk ? undefined : true}
        title={countOk ? 'How many pings, one a second' : `1 to ${MAX_PINGS} pings`}
        onChange={(e) => setCount(e.target.value)}
        data-testid="ping-count"
      />
      <PingSizeField testid="ping-size" />
      <button
        type="button"
        disabled={!can || !countOk}
        onClick={() => a && b && void ping(a, b, n)}
        data-testid="ping-start"
      >
        Ping
      </button>
      {pinging ? (
        <button type="button" onClick={stopPing} data-testid="ping-stop">
          Stop
        </button>
      ) : (
        <button
          type="button"
          disabled={!can}
          onClick={() => a && b && void pingContinuous(a, b)}
          data-testid="ping-continuous"
          title="Ping once a second until Stop"
        >
          Continuous
        </button>
      )}
    </div>
  );
}

/** Ping/traceroute output and the packet capture stream. */
export function ToolsPanel() {
  const tools = useLive((s) => s.tools);
  const { downloadCapture, startCapture, stopCapture } = useClient().lab;
  const capture = useLive((s) => s.capture);
  const running = useLive(labRunning);
  const topology = useAnalysis((s) => s.topology);
  // Every interface tcpdump can attach to, a segment's bridge ports (in the
  // fabric namespace) included; not the bridges themselves, which see only
  // what is flooded or meant for them.
  const interfaces = useMemo(
    () => topology?.interfaces.filter((i) => i.kind !== 'bridge') ?? [],
    [topology],
  );
  const [target, setTarget] = useState('');
  const [filter, setFilter] = useState('');
  const filterProblem = filter.trimStart().startsWith('-')
    ? 'A filter cannot start with "-": tcpdump would read it as an option'
    : null;
  // The list follows a capture started elsewhere (the context menu), so it names what runs.
  const started = capture?.target;
  useEffect(() => {
    if (!started) return;
    const [node, dev] = started.split('/');
    const match = interfaces.find((i) => i.node === node && i.name === dev);
    if (match) setTarget(match.key);
  }, [started, interfaces]);
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
          <input
            className={`nc-capture-filter ${filterProblem ? 'invalid' : ''}`}
            value={filter}
            placeholder="filter, e.g. udp port 4789"
            spellCheck={false}
            aria-label="Capture filter (tcpdump expression)"
            aria-invalid={filterProblem ? true : undefined}
            title={
              filterProblem ?? 'A tcpdump filter expression; the server checks it before it runs'
            }
            onChange={(e) => setFilter(e.target.value)}
            data-testid="capture-filter"
          />
          <button
            type="button"
            disabled={!running || !chosen || capture?.running || !!filterProblem}
            onClick={() =>
              chosen && void startCapture(chosen.node, chosen.name, { filter: filter.trim() })
            }
            data-testid="capture-start"
            title={running ? 'tcpdump for up to 15 s / 50 packets' : 'Deploy the lab to capture'}
          >
            {capture?.running ? 'Capturing…' : 'Capture'}
          </button>
          {capture?.running && (
            <button
              type="button"
              disabled={!capture.id}
              onClick={() => void stopCapture()}
              data-testid="capture-stop"
            >
              Stop
            </button>
          )}
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
        {filterProblem && (
          <div className="nc-field-error" role="alert" data-testid="capture-filter-error">
            {filterProblem}
          </div>
        )}
        <pre ref={out} className="nc-console" data-testid="capture-output">
          {capture?.lines.map((l) => l.text).join('\n') ||
            (running ? 'No capture yet.' : 'Tools need a deployed lab.')}
        </pre>
      </div>
      <div className="nc-tools-runs" data-testid="tool-runs">
        <PingBar />
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
