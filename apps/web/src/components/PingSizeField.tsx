import { MAX_PING_SIZE, PingSize } from '@netcanvas/shared';
import { useApp, useClient } from '../ui/context';
import { bySchema, emptyToUndefined, Field, toNumber } from '../ui/Field';

/** The core's one schema for a ping size; empty is ping's own default. */
const parseSize = bySchema(PingSize.optional(), (raw) => toNumber(emptyToUndefined(raw) ?? ''));

/**
 * The size of every ping and Measure (ICMP payload bytes, `ping -s`, with
 * don't-fragment set): committed on Enter or on leaving, as every field; a
 * value out of range is refused with the reason and the last good one kept.
 * The matrix predicts at the same size, so an MTU too small on a path is
 * predicted where it is measured.
 */
export function PingSizeField({ testid }: { testid: string }) {
  const size = useApp((s) => s.pingSize);
  const { setPingSize } = useClient().lab;
  return (
    <Field
      label="Size"
      testid={testid}
      value={size === undefined ? '' : String(size)}
      placeholder="56"
      parse={parseSize}
      onCommit={setPingSize}
      width="inline"
      mono
      title={`Ping payload in bytes, 0 to ${MAX_PING_SIZE} (ping -s), sent with don't-fragment set; empty: 56`}
    />
  );
}
