import type { KindDefinition } from '../types';

export const namespaceDefinition: KindDefinition<'namespace'> = {
  kind: 'namespace',
  title: 'Namespace',
  hint: 'A container: a network namespace with its own interfaces',
  color: '#0e9f8e',
  create: () => ({ kind: 'namespace' }),
  summary: (n) => (n.host ? `on ${n.host}` : 'standalone'),
};
