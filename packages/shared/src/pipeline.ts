/**
 * The pipeline: parse → validate → resolve, every diagnostic together, in
 * one order. What the CLI, the server and the browser call.
 */
import { sortDiagnostics } from './diagnostics.js';
import type { AddressHints, Diagnostic, Topology } from './model.js';
import { withLinkEnds } from './parse/links.js';
import { parseDesign } from './parse/parse.js';
import type { Design } from './parse/schema.js';
import { yamlSource } from './parse/yaml.js';
import { resolve } from './resolve/resolve.js';
import { validate } from './validate/validate.js';

/** parse → validate → resolve, all diagnostics together. What the CLI, server and browser call. */
export function diagnose(
  input: unknown,
  hints?: AddressHints,
): { design?: Design; topology?: Topology; diagnostics: Diagnostic[] } {
  const parsed = parseDesign(input);
  if (!parsed.design) return { diagnostics: sortDiagnostics(parsed.diagnostics) };
  return diagnoseDesign(parsed.design, hints);
}

/**
 * validate → resolve for a design that already parsed (the YAML path uses this); `semantic`:
 * validate's diagnostics when they are known already (replan.ts: a link's state changed only).
 */
export function diagnoseDesign(
  design: Design,
  hints?: AddressHints,
  semantic: Diagnostic[] = validate(design),
): { design: Design; topology: Topology; diagnostics: Diagnostic[]; semantic: Diagnostic[] } {
  const resolved = resolve(design, hints);
  return {
    design,
    topology: resolved.topology,
    diagnostics: sortDiagnostics(withLinkEnds([...semantic, ...resolved.diagnostics], design)),
    semantic,
  };
}

/** designFromYaml → validate → resolve, every diagnostic with its line and column. */
export function diagnoseYaml(
  text: string,
  hints?: AddressHints,
): { design?: Design; topology?: Topology; diagnostics: Diagnostic[] } {
  const source = yamlSource(text);
  if (!source.design) return { diagnostics: sortDiagnostics(source.place(source.diagnostics)) };
  const result = diagnoseDesign(source.design, hints);
  return {
    design: result.design,
    topology: result.topology,
    diagnostics: sortDiagnostics(source.place([...source.diagnostics, ...result.diagnostics])),
  };
}
