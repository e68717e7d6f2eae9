import type { Design } from '@netcanvas/shared';
import { designFromYaml, scenarios } from '@netcanvas/shared';

/** A built-in scenario as the gallery opens it. */
export function scenario(name: string): Design {
  const sc = scenarios.find((s) => s.name === name);
  if (!sc) throw new Error(`no scenario ${name}`);
  return designFromYaml(sc.yaml).design!;
}
