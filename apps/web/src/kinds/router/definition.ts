import type { KindDefinition } from '../types';

export const routerDefinition: KindDefinition<'router'> = {
  kind: 'router',
  title: 'Router',
  hint: 'Forwards between subnets; routes computed from the drawing',
  color: '#7c3aed',
  create: () => ({ kind: 'router', routing: 'auto', routes: [] }),
  summary: (n) =>
    n.routing === 'static'
      ? `static · ${n.routes.length} route${n.routes.length === 1 ? '' : 's'}`
      : 'auto routing',
};
