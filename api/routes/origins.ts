import { Router, type Request } from 'express';
import type { TenantData, TenantView } from '../../db/tenants';
import { authenticateConfigCaller, orchestratorOf } from '../config-auth';
import type { ApiDeps } from '../deps';
import { conflict, notFound } from '../problem';
import { parse } from '../schemas';
import { CreateOriginBody, PatchOriginBody, TenantReadQuery } from '../tenant-schemas';
import { presentOrigin } from '../tenant-view';
import { dataOf, newAssets, sameData, tenantOf, withOriginAssets, writeNextVersion } from '../use-cases/tenant-config';

type Origin = Record<string, unknown>;
const originsOf = (tenant: TenantView | TenantData) => (tenant.origins as Origin[] | undefined) ?? [];

/** The origin a path names, by its originId or its partnerProvidedId; its index in the tenant's list. */
function originIn(tenant: TenantView | TenantData, req: Request): { origin: Origin; index: number } {
  const key = String(req.params.origin);
  const index = originsOf(tenant).findIndex((o) => o.originId === key || o.partnerProvidedId === key);
  if (index < 0) throw notFound(`tenant ${String(req.params.identifier)} has no origin ${key}`);
  return { origin: originsOf(tenant)[index], index };
}

/**
 * One origin at a time (Shipium's origins with their schedules): each write is a new version of the tenant, built
 * on its latest, and the same principals as the tenant configuration API may use it (a customer: its own tenants).
 */
export function originRoutes(deps: ApiDeps): Router {
  const router = Router();
  const auth = authenticateConfigCaller(deps);
  const present = (origin: Origin, tenant: TenantView, at: Date) =>
    presentOrigin(origin, tenant, deps.config.publicUrl, at);
  // Problems are named from the origin's own body, not from the tenant's list of origins.
  const fromBody = (path: (string | number)[]) => path.slice(1).join('.');

  router.get('/v1/tenants/:identifier/origins', auth, async (req, res) => {
    const { asOfDateTime } = parse(TenantReadQuery, req.query);
    const at = asOfDateTime ? new Date(asOfDateTime) : new Date();
    const tenant = await tenantOf(deps.pool, req, { asOf: asOfDateTime ? at : undefined });
    res.json({ items: originsOf(tenant).map((o) => present(o, tenant, at)) });
  });

  router.get('/v1/tenants/:identifier/origins/:origin', auth, async (req, res) => {
    const { asOfDateTime } = parse(TenantReadQuery, req.query);
    const at = asOfDateTime ? new Date(asOfDateTime) : new Date();
    const tenant = await tenantOf(deps.pool, req, { asOf: asOfDateTime ? at : undefined });
    res.json(present(originIn(tenant, req).origin, tenant, at));
  });

  // The origin's partnerProvidedId is its natural key: adding it twice is a 409 naming the first, never a copy.
  router.post('/v1/tenants/:identifier/origins', auth, async (req, res) => {
    const { testMode, ...origin } = parse(CreateOriginBody, req.body);
    const latest = await tenantOf(deps.pool, req);
    const at = new Date();
    const made = newAssets(orchestratorOf(req), at, testMode);
    const add = (current: TenantView) => {
      const existing = originsOf(current).find((o) => o.partnerProvidedId === origin.partnerProvidedId);
      if (existing)
        throw conflict(`tenant ${current.tenantId} has an origin ${origin.partnerProvidedId} already`, {
          originId: existing.originId,
        });
      const data = dataOf(current);
      return withOriginAssets(data, { ...data, origins: [...originsOf(current), origin] }, made, fromBody);
    };
    const next = add(latest);
    const added = (data: TenantData) => originsOf(data)[originsOf(data).length - 1];
    if (testMode) return res.json({ testMode: true, ...present(added(next), latest, at) });
    const written = await writeNextVersion(deps.pool, latest.tenantId, (current) => ({
      data: add(current),
      archived: false,
    }));
    const answer = present(added(dataOf(written)), written, at);
    res.status(201).location(String(answer.href)).json(answer);
  });

  // Only the properties given change; a PATCH that changes nothing writes no version, so a repeat is harmless.
  router.patch('/v1/tenants/:identifier/origins/:origin', auth, async (req, res) => {
    const { testMode, ...changes } = parse(PatchOriginBody, req.body);
    const latest = await tenantOf(deps.pool, req);
    const at = new Date();
    const made = newAssets(orchestratorOf(req), at, testMode);
    const change = (current: TenantView) => {
      const { origin, index } = originIn(current, req);
      const renamed = changes.partnerProvidedId;
      if (renamed && originsOf(current).some((o, i) => i !== index && o.partnerProvidedId === renamed))
        throw conflict(`tenant ${current.tenantId} has an origin ${renamed} already`);
      const origins = originsOf(current).map((o, i) => (i === index ? { ...origin, ...changes } : o));
      const data = dataOf(current);
      return { data: withOriginAssets(data, { ...data, origins }, made, fromBody), index };
    };
    const next = change(latest);
    if (testMode) return res.json({ testMode: true, ...present(originsOf(next.data)[next.index], latest, at) });
    let index = next.index;
    const written = await writeNextVersion(deps.pool, latest.tenantId, (current) => {
      const built = change(current);
      index = built.index;
      return sameData(built.data, dataOf(current)) ? undefined : { data: built.data, archived: false };
    });
    res.json(present(originsOf(written)[index], written, at));
  });

  return router;
}
