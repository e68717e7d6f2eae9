/**
 * A plan made again for a design that differs from the one planned last only in the state of
 * some links (a link cut or restored: the commonest change of a running lab). Parse and
 * validate are not run again (neither reads a link's state: the parsed design is the last one
 * with those states replaced, and validate's diagnostics are the last ones), resolve runs whole
 * with the hints given (a link's state moves routes anywhere in the lab; the hints are the
 * kernel's addresses, which the last resolve may not have had), and the plan reuses every stage of the
 * last one that cannot depend on a link's state (compile.ts, `recompile`). The answer is the
 * full path's, value for value (test: replan.test.ts); anything else takes the full path.
 */

import { compile, recompile } from './compile/compile.js';
import { sortDiagnostics } from './diagnostics.js';
import type { AddressHints, Diagnostic, Plan, Topology } from './model.js';
import { parseDesign } from './parse/parse.js';
import type { Design } from './parse/schema.js';
import { diagnoseDesign } from './pipeline.js';
import { sameJson } from './same-json.js';

/** What a plan was made from and what it gave: what `planDesign` needs to make the next one. */
export interface DesignPlan {
  /** The design as it was given (before parsing). */
  input: unknown;
  /** The design as parsed, and validate's diagnostics of it. */
  design: Design;
  semantic: Diagnostic[];
  diagnostics: Diagnostic[];
  topology: Topology;
  /** Undefined when the diagnostics hold an error (nothing to compile). */
  plan?: Plan;
}

/**
 * parse → validate → resolve → compile, as `diagnose` then `compile` (same diagnostics, same
 * topology, same plan), or, with `last` and a design that differs from `last.input` only in
 * links' `state`, the same answer made from `last` (whatever the hints: neither parse nor
 * validate reads them, and `recompile` compares the topologies). No `planned`: the
 * design did not parse. `plan` is left out when the diagnostics hold an error.
 */
export function planDesign(
  input: unknown,
  hints: AddressHints = {},
  last?: DesignPlan,
): { diagnostics: Diagnostic[]; planned?: DesignPlan; again: boolean } {
  const resolved = resolveDesign(input, hints, last);
  if (resolved.planned) compilePlanned(resolved.planned, resolved.again ? last : undefined);
  return resolved;
}

/** planDesign's first half (parse → validate → resolve), for a caller that yields between. */
export function resolveDesign(
  input: unknown,
  hints: AddressHints = {},
  last?: DesignPlan,
): { diagnostics: Diagnostic[]; planned?: DesignPlan; again: boolean } {
  const again = last ? designAgain(last, input) : undefined;
  let checked: ReturnType<typeof diagnoseDesign>;
  if (again && last) checked = diagnoseDesign(again, hints, last.semantic);
  else {
    const parsed = parseDesign(input);
    if (!parsed.design) return { diagnostics: sortDiagnostics(parsed.diagnostics), again: false };
    checked = diagnoseDesign(parsed.design, hints);
  }
  const planned: DesignPlan = { input, ...checked };
  return { diagnostics: checked.diagnostics, planned, again: again !== undefined };
}

/**
 * planDesign's second half: sets `planned.plan` when its diagnostics hold no error, made from
 * `last` (resolveDesign's `again`) or compiled whole. Returns it.
 */
export function compilePlanned(planned: DesignPlan, last?: DesignPlan): Plan | undefined {
  if (planned.diagnostics.some((d) => d.severity === 'error')) return undefined;
  planned.plan = last?.plan ? recompile(last, planned.topology) : compile(planned.topology);
  return planned.plan;
}

/**
 * The parsed design of `input` made from the last one, when `input` is `last.input` with only
 * links' `state` changed (to `up` or `down`, or left out: `up`); else undefined.
 */
function designAgain(last: DesignPlan, input: unknown): Design | undefined {
  const before = last.input;
  if (!isRecord(input) || !isRecord(before)) return undefined;
  const keys = Object.keys(input);
  if (keys.length !== Object.keys(before).length) return undefined;
  for (const k of keys) {
    if (!Object.hasOwn(before, k)) return undefined;
    if (k !== 'links' && !sameJson(input[k], before[k])) return undefined;
  }
  const links = input.links;
  const lastLinks = before.links;
  if (links === lastLinks) return last.design;
  if (!Array.isArray(links) || !Array.isArray(lastLinks) || links.length !== lastLinks.length)
    return undefined;
  if (last.design.links.length !== links.length) return undefined;
  let out: Design['links'] | undefined;
  for (let i = 0; i < links.length; i++) {
    const now = links[i] as unknown;
    const was = lastLinks[i] as unknown;
    if (now === was) continue;
    if (!isRecord(now) || !isRecord(was)) return undefined;
    const state = now.state;
    if (state !== undefined && state !== 'up' && state !== 'down') return undefined;
    if (!sameJson(now, was, 'state')) return undefined;
    const parsed = last.design.links[i]!;
    const want = state ?? 'up';
    if (parsed.state === want) continue;
    out ??= [...last.design.links];
    out[i] = { ...parsed, state: want };
  }
  return out ? { ...last.design, links: out } : last.design;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
