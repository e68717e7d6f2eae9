import type { RouterNode, StaticRoute } from '@netcanvas/shared';
import { StaticRoute as RouteSchema } from '@netcanvas/shared';
import { useApp } from '../../ui/context';
import { bySchema, Field, Select } from '../../ui/Field';
import { useFieldProblems } from '../../ui/inspectorParts';

const toParse = bySchema(RouteSchema.shape.to);
const viaParse = bySchema(RouteSchema.shape.via);

export function RouterInspector({ id, node }: { id: string; node: RouterNode }) {
  const setRouting = useApp((s) => s.setRouting);
  const setRoutes = useApp((s) => s.setStaticRoutes);
  const problems = useFieldProblems(id, 'routes');
  const update = (i: number, patch: Partial<StaticRoute>) =>
    setRoutes(
      id,
      node.routes.map((r, j) => (j === i ? { ...r, ...patch } : r)),
    );
  return (
    <>
      <Select
        label="Routing"
        testid="inspector-routing"
        value={node.routing}
        options={[
          { value: 'auto', label: 'auto: computed, plus routes below' },
          { value: 'static', label: 'static: only the routes below' },
        ]}
        onChange={(v) => setRouting(id, v)}
      />
      <div className="nc-routes" data-testid="inspector-routes">
        {node.routes.map((r, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: routes have no identity but their position
          <div className="nc-row nc-route" key={i}>
            <Field
              label={i === 0 ? 'To' : ''}
              testid={`route-to-${i}`}
              value={r.to}
              parse={toParse}
              onCommit={(to) => update(i, { to })}
              width="half"
              mono
            />
            <Field
              label={i === 0 ? 'Via' : ''}
              testid={`route-via-${i}`}
              value={r.via}
              parse={viaParse}
              onCommit={(via) => update(i, { via })}
              width="half"
              mono
            />
            <button
              type="button"
              className="icon-btn"
              title="Remove route"
              data-testid={`route-remove-${i}`}
              onClick={() =>
                setRoutes(
                  id,
                  node.routes.filter((_, j) => j !== i),
                )
              }
            >
              ×
            </button>
          </div>
        ))}
        {problems.map((p) => (
          <div key={p.message} className={`nc-field-problem sev-${p.severity}`}>
            {p.message}
          </div>
        ))}
        <button
          type="button"
          className="link-btn"
          data-testid="route-add"
          onClick={() => setRoutes(id, [...node.routes, { to: 'default', via: '10.0.0.1' }])}
        >
          + Add static route
        </button>
      </div>
    </>
  );
}
