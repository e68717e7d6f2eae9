/** Where the checks of validate put what they find. */
import type { Diagnostic, Severity } from '../model.js';

export class Collector {
  readonly list: Diagnostic[] = [];
  add(
    severity: Severity,
    code: string,
    message: string,
    elements: string[],
    path?: (string | number)[],
  ): void {
    const d: Diagnostic = { severity, code, message, elements };
    if (path) d.path = path;
    this.list.push(d);
  }
}
