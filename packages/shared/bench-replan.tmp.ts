import { generateDesign, planDesign, diff, diffSince, hintsFrom, compile } from './src/index.js';
import { applied } from './test/helpers/applied.js';
const design = generateDesign({ seed: 42, namespaces: 200, name: 'phase200', downLinkChance: 0 });
const t = (label: string, f: () => unknown) => { const c0 = process.cpuUsage(); const t0 = performance.now(); const r = f(); const c = process.cpuUsage(c0); console.log(label.padEnd(24), (performance.now() - t0).toFixed(1), 'ms, cpu', ((c.user + c.system) / 1000).toFixed(1)); return r as any; };
const first = t('plan 1st', () => planDesign(design, {})).planned;
const seen = t('applied', () => applied(first.topology));
t('diff 1st', () => diff(first.plan, first.topology, { ...seen, interfaces: [], routes: [], netns: [] }));
const hints = hintsFrom(first.topology);
for (let k = 0; k < 3; k++) {
  const changed = { ...design, links: design.links.map((l, i) => (i === 5 ? { ...l, state: k % 2 ? 'up' : 'down' } : l)) } as typeof design;
  const again = t(`replan ${k}`, () => planDesign(changed, hints, first));
  t(`diffSince ${k}`, () => diffSince({ plan: first.plan, topology: first.topology, observed: seen }, again.planned.plan, again.planned.topology, seen));
  t(`full diff ${k}`, () => diff(again.planned.plan, again.planned.topology, seen));
}
