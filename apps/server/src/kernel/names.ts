/**
 * names — the lab's namespace naming rule and the argument check for batch lines.
 *
 * Ownership (docs/architecture.md): lab `L` owns exactly `nc-L` (fabric) and
 * `nc-L.<x>` (elements). The lab is the text between `nc-` and the first dot,
 * so `nc-same` never owns `nc-same-vlan.c1`.
 */

import { LAB_NAME_RE, labOfNetns } from '@netcanvas/shared';

/** A namespace name this layer will pass to iproute2 (also the /run/netns file name). */
const NETNS_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function assertLabName(lab: string): void {
  if (!LAB_NAME_RE.test(lab)) {
    throw new Error(
      `invalid lab name ${JSON.stringify(lab)}: use 1–24 characters of a-z, 0-9 and '-', starting with a letter`,
    );
  }
}

export function assertNetnsName(name: string): void {
  if (!NETNS_NAME.test(name) || name === '.' || name === '..') {
    throw new Error(`invalid namespace name ${JSON.stringify(name)}`);
  }
}

export function ownedBy(lab: string, netns: string): boolean {
  return labOfNetns(netns) === lab;
}

/**
 * iproute2 batch lines are split on whitespace, `"`/`'` start quoted words,
 * `\` continues a line and `#` starts a comment: an argument containing any
 * of them would change what runs. Names are validated upstream; this is the
 * last line of defence before a line reaches a privileged process.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what must be refused
const UNSAFE_ARG = /[\s"'\\#\x00-\x1f\x7f]/;

export function assertBatchArg(arg: string, context: string): void {
  if (arg.length === 0) throw new Error(`${context}: empty argument`);
  if (UNSAFE_ARG.test(arg)) {
    throw new Error(
      `${context}: argument ${JSON.stringify(arg)} contains whitespace, a quote, a backslash, '#' or a control character`,
    );
  }
}
