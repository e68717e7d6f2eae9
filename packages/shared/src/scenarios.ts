export interface Scenario {
  name: 'same-vlan' | 'inter-vlan' | 'vxlan';
  title: string;
  /** Two lines: what it teaches. */
  teaches: string;
  /** What to try (break it and watch why). */
  tryThis: string[];
  yaml: string;
}
export const scenarios: Scenario[] = [];
