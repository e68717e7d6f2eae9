import type { KindDefinition } from '../types';

export const hostDefinition: KindDefinition<'host'> = {
  kind: 'host',
  title: 'Host',
  hint: 'A machine; drop namespaces on it to make them its containers',
  color: '#4f6bed',
  create: () => ({ kind: 'host', mode: 'bridged' }),
  summary: (n) => (n.mode === 'routed' ? `routed · ${n.subnet ?? 'no subnet'}` : 'bridged'),
};
