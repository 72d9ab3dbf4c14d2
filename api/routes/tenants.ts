import { Router, type Request } from 'express';
import { isUniqueViolation } from '../../db/errors';
import { withTransaction } from '../../db/transaction';
import {
  accountTypeOf,
  findTenantVersion,
  insertTenant,
  lockTenant,
  listTenants,
  partnerIdTaken,
  resolveTenantId,
  tenantHasAccess,
  writeTenantVersion,
  type TenantData,
  type TenantView,
} from '../../db/tenants';
import { insertSecurityEvent } from '../../db/security-events';
import { authenticate, callerOf, requireRole } from '../auth';
import type { ApiDeps } from '../deps';
import { badRequest, conflict, gone, notFound } from '../problem';
import { ListTenantsQuery, parse } from '../schemas';
import { asksTestMode, CreateTenantBody, PatchTenantBody, TenantReadQuery } from '../tenant-schemas';

/**
 * The tenant configuration API (Shipium): every write is a new version, reads can look back with
 * asOfDateTime, DELETE archives, and testMode answers with what would be stored, changing nothing.
 */
export function tenantRoutes(deps: ApiDeps): Router {
  const router = Router();
  const guard = [authenticate(deps.tokens), requireRole('staff', 'admin')];

  const dataOf = ({ tenantId: _id, version: _v, validFrom: _f, archived: _a, ...data }: TenantView) =>
    data as TenantData;
  const taken = (id: string) => conflict(`a live tenant already has partnerProvidedId ${id}`);

  async function liveTenant(req: Request): Promise<TenantView> {
    const identifier = String(req.params.identifier);
    const tenantId = await resolveTenantId(deps.pool, identifier);
    const latest = tenantId && (await findTenantVersion(deps.pool, tenantId));
    if (!latest) throw notFound(`no tenant ${identifier}`);
    if (latest.archived)
      throw gone(
        `tenant ${identifier} was archived at ${latest.validFrom}; earlier versions stay readable with asOfDateTime`,
      );
    return latest;
  }

  router.post('/v1/tenants', ...guard, async (req, res) => {
    const { testMode, ...fields } = parse(CreateTenantBody, req.body);
    const data = fields as TenantData;
    if (testMode) {
      if (await partnerIdTaken(deps.pool, data.partnerProvidedId)) throw taken(data.partnerProvidedId);
      return res.json({ testMode: true, tenantId: null, ...data, version: 1, validFrom: null, archived: false });
    }
    try {
      const tenantId = await withTransaction(deps.pool, (tx) => insertTenant(tx, { data, at: new Date() }));
      const created = (await findTenantVersion(deps.pool, tenantId!))!;
      res.status(201).location(`${deps.config.publicUrl}/v1/tenants/${tenantId}`).json(created);
    } catch (err) {
      if (isUniqueViolation(err, 'tenants_live_partner_id')) throw taken(data.partnerProvidedId);
      throw err;
    }
  });

  router.get('/v1/tenants/:identifier', ...guard, async (req, res) => {
    const { asOfDateTime } = parse(TenantReadQuery, req.query);
    if (!asOfDateTime) return res.json(await liveTenant(req));
    const identifier = String(req.params.identifier);
    const tenantId = await resolveTenantId(deps.pool, identifier);
    const then = tenantId && (await findTenantVersion(deps.pool, tenantId, new Date(asOfDateTime)));
    if (!then) throw notFound(`tenant ${identifier} did not exist at ${asOfDateTime}`);
    res.json(then);
  });

  router.patch('/v1/tenants/:identifier', ...guard, async (req, res) => {
    const { testMode, ...changes } = parse(PatchTenantBody, req.body);
    const latest = await liveTenant(req);
    // Test and production never share credentials: a tenant's account type is fixed once it exists.
    if (changes.accountType && changes.accountType !== accountTypeOf(latest))
      throw conflict(`tenant ${latest.tenantId} is a ${accountTypeOf(latest)} account; its account type cannot change`);
    // Only the properties given change; the rest carry over from the latest version.
    const data = { ...dataOf(latest), ...changes } as TenantData;
    if (testMode) {
      if (changes.partnerProvidedId && (await partnerIdTaken(deps.pool, changes.partnerProvidedId, latest.tenantId)))
        throw taken(changes.partnerProvidedId);
      return res.json({
        testMode: true,
        tenantId: latest.tenantId,
        ...data,
        version: latest.version + 1,
        validFrom: null,
        archived: false,
      });
    }
    try {
      // Merged again under the row lock, so a concurrent PATCH is built upon rather than lost.
      const written = await withTransaction(deps.pool, async (tx) => {
        await lockTenant(tx, latest.tenantId);
        const now = (await findTenantVersion(tx, latest.tenantId))!;
        if (now.archived) throw gone(`tenant ${latest.tenantId} was archived meanwhile`);
        return writeTenantVersion(tx, latest.tenantId, { ...dataOf(now), ...changes }, false, new Date());
      });
      res.json(written);
    } catch (err) {
      if (isUniqueViolation(err, 'tenants_live_partner_id')) throw taken(data.partnerProvidedId);
      throw err;
    }
  });

  router.get('/v1/tenants', ...guard, async (req, res) => {
    const query = parse(ListTenantsQuery, req.query);
    const rows = await listTenants(deps.pool, {
      ...query,
      after: query.cursor ? decodeTenantCursor(query.cursor) : undefined,
    });
    const last = rows.length === query.limit ? rows[rows.length - 1] : undefined;
    res.json({
      items: rows.map(({ cursorAt: _c, ...item }) => item),
      nextCursor: last ? Buffer.from(JSON.stringify([last.cursorAt, last.tenantId])).toString('base64url') : null,
    });
  });

  // A tenant that still has API access is taken off by an offboarding, which ends every access and tells the
  // customer; DELETE only archives, so it would leave credentials and subscriptions working.
  router.delete('/v1/tenants/:identifier', ...guard, async (req, res) => {
    const latest = await liveTenant(req);
    if (await tenantHasAccess(deps.pool, latest.tenantId)) {
      await insertSecurityEvent(deps.pool, {
        event: 'tenant_delete_refused',
        actor: callerOf(req).email,
        subject: latest.tenantId,
        reason: 'tenant still has API access',
      });
      throw conflict(
        `tenant ${String(req.params.identifier)} still has API access (client, integration user or subscriptions): offboard it with POST /v1/tenants/${String(req.params.identifier)}/offboard`,
        { tenantId: latest.tenantId, offboard: `${deps.config.publicUrl}/v1/tenants/${latest.tenantId}/offboard` },
      );
    }
    if (asksTestMode(req.body)) return res.json({ testMode: true, ...latest });
    await withTransaction(deps.pool, (tx) => writeTenantVersion(tx, latest.tenantId, dataOf(latest), true, new Date()));
    // Shipium answers a DELETE with the tenant as it was.
    res.json(latest);
  });

  return router;
}

function decodeTenantCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    // The time is created_at in whole microseconds since the epoch, handed back as it was.
    if (
      typeof createdAt !== 'string' ||
      !/^\d{1,17}$/.test(createdAt) ||
      !/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/.test(id)
    )
      throw new Error('bad cursor');
    return { createdAt, id };
  } catch {
    throw badRequest('Invalid cursor', [{ path: 'cursor', message: 'use the nextCursor of a previous page' }]);
  }
}
