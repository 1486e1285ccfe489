import { match } from 'path-to-regexp';
import { RoutePolicyTable } from '../route-match';
import { ROUTE_POLICIES, type RoutePolicy } from '../route-policy';

/** The table's answer the long way: every pattern of the method, in order (what the index must agree with). */
function walk(policies: readonly RoutePolicy[], method: string, path: string): RoutePolicy | null {
  const wanted = method === 'HEAD' ? 'GET' : method.toUpperCase();
  return policies.find((p) => p.method === wanted && match(p.path)(path) !== false) ?? null;
}

const policy = (method: RoutePolicy['method'], path: string): RoutePolicy => ({ method, path, access: { permission: 'ops:dispatch' } });

describe('route policy table', () => {
  it('finds the first policy in table order, patterns that begin with a parameter included', () => {
    const table = new RoutePolicyTable([
      policy('GET', '/things/special'),
      policy('GET', '/:kind/special'),
      policy('GET', '/things/:id'),
      policy('GET', '/:kind/:id'),
      policy('POST', '/things'),
    ]);
    expect(table.match('GET', '/things/special')?.policy.path).toBe('/things/special');
    expect(table.match('GET', '/things/special-offer')?.policy.path).toBe('/things/:id');
    // A pattern that begins with a parameter, listed before a literal one that also matches, wins (as in Express).
    const ordered = new RoutePolicyTable([policy('GET', '/:kind/latest'), policy('GET', '/things/:id')]);
    expect(ordered.match('GET', '/things/latest')?.policy.path).toBe('/:kind/latest');
    expect(ordered.match('GET', '/things/7')?.policy.path).toBe('/things/:id');
    expect(table.match('GET', '/others/special')).toMatchObject({ policy: { path: '/:kind/special' }, params: { kind: 'others' } });
    expect(table.match('GET', '/others/42')).toMatchObject({ policy: { path: '/:kind/:id' }, params: { kind: 'others', id: '42' } });
    expect(table.match('GET', '/')).toBeNull();
    expect(table.match('DELETE', '/things/1')).toBeNull();
  });

  it('matches as Express does: any case, a trailing slash, HEAD by the GET route, decoded parameters', () => {
    const table = new RoutePolicyTable([policy('GET', '/operations/resources/:id'), policy('POST', '/operations/resources')]);
    expect(table.match('post', '/Operations/Resources/')?.policy.path).toBe('/operations/resources');
    expect(table.match('HEAD', '/operations/resources/a%20b')).toMatchObject({ params: { id: 'a b' } });
  });

  it('agrees with a walk of the whole table on every route the API serves', () => {
    const table = new RoutePolicyTable();
    const paths = ROUTE_POLICIES.flatMap((p) => {
      const concrete = p.path.replace(/\{[^}]*\}/g, '').replace(/\*\w+/g, 'a/b').replace(/:(\w+)/g, 'p1');
      return [concrete, concrete.toUpperCase(), `${concrete}/extra`, concrete.replace(/^\/[^/]+/, '/unknown')];
    });
    let compared = 0;
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']) {
      for (const path of paths) {
        expect([method, path, table.match(method, path)?.policy ?? null]).toEqual([method, path, walk(ROUTE_POLICIES, method, path)]);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });
});
