import type { Design } from '@netcanvas/shared';
import type { XYPosition } from '@xyflow/react';
import { endpointNode } from './endpoints';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The pipe's thickness; its length is the gap between its members. */
export const PIPE_HEIGHT = 40;
/** Shortest pipe drawn: room for "tun · VNI 42 · over public". */
export const PIPE_MIN = 200;
/**
 * Room between a member and the pipe's mouth: the member's link to the
 * tunnel is drawn there, long enough to see, click and cut.
 */
export const PIPE_GAP = 40;

/** The elements a tunnel joins: those linked to it, each once, in link order. */
export function tunnelMembers(design: Design, tunnel: string): string[] {
  const out: string[] = [];
  for (const link of design.links) {
    const a = endpointNode(link.endpoints[0]);
    const b = endpointNode(link.endpoints[1]);
    const other = a === tunnel ? b : b === tunnel ? a : undefined;
    if (other && other !== tunnel && design.nodes[other] && !out.includes(other)) out.push(other);
  }
  return out;
}

const cx = (r: Rect) => r.x + r.width / 2;
const cy = (r: Rect) => r.y + r.height / 2;

/**
 * Where a VXLAN is drawn as a pipe between its members (routers, hosts,
 * containers), the way a textbook draws a tunnel: from the leftmost member's
 * right border to the rightmost member's left border (less PIPE_GAP each side), so it spans the gap
 * between them and follows them when they move. Its height is the user's: the
 * pipe's centre line is at the middle of the tunnel's own layout box
 * (`own`, a card's top-left corner), so dragging it up or down keeps it there
 * and the same spot holds the card when the pipe falls back to one.
 * Fewer than two members: null, drawn as an ordinary card.
 */
export function tunnelRect(
  members: readonly Rect[],
  own: XYPosition | undefined,
  card: { width: number; height: number },
): Rect | null {
  if (members.length < 2) return null;
  const byX = [...members].sort((a, b) => cx(a) - cx(b));
  const left = byX[0]!;
  const right = byX[byX.length - 1]!;
  let x0 = left.x + left.width + PIPE_GAP;
  let x1 = right.x - PIPE_GAP;
  if (x1 - x0 < PIPE_MIN) {
    // Members side by side or stacked: a pipe of the shortest length, centred between them.
    const mid = (cx(left) + cx(right)) / 2;
    x0 = mid - PIPE_MIN / 2;
    x1 = mid + PIPE_MIN / 2;
  }
  const centreY = own
    ? own.y + card.height / 2
    : members.reduce((sum, m) => sum + cy(m), 0) / members.length;
  return { x: x0, y: centreY - PIPE_HEIGHT / 2, width: x1 - x0, height: PIPE_HEIGHT };
}

/**
 * The point of the pipe a member's link ends at: the pipe's end on the
 * member's side, so the link reads as the member's leg into the tunnel's mouth.
 */
export function pipeEnd(pipe: Rect, member: { x: number; y: number }): { x: number; y: number } {
  return { x: member.x < cx(pipe) ? pipe.x : pipe.x + pipe.width, y: cy(pipe) };
}

/**
 * The layout entry a pipe keeps: the top-left corner of a card centred on
 * the pipe (what tunnelRect reads back), so a pipe dropped where it was
 * dragged stays there, and falls back to a card on the same spot.
 */
export function pipeToLayout(
  pipe: Rect,
  card: { width: number; height: number },
): { x: number; y: number } {
  return {
    x: Math.round(cx(pipe) - card.width / 2),
    y: Math.round(cy(pipe) - card.height / 2),
  };
}
