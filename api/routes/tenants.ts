import { Router, type Request } from 'express';
import { isUniqueViolation } from '../../db/errors';
import { findOffboardingOfTenant } from '../../db/offboardings';
import { insertSecurityEvent } from '../../db/security-events';
import { withTransaction } from '../../db/transaction';
import {
  accountTypeOf,
  findTenantVersion,
  insertTenant,
  listTenants,
  partnerIdTaken,
  tenantHasAccess,
  writeTenantVersion,
  type TenantData,
  type TenantView,
} from '../../db/tenants';
import { callerOf } from '../auth';
import { authenticateConfigCaller, orchestratorOf, staffOnly } from '../config-auth';
import type { ApiDeps } from '../deps';
import { conflict, forbidden } from '../problem';
import { decodeCursor, encodeCursor } from '../keyset-cursor';
import { ListTenantsQuery, parse } from '../schemas';
import { asksTestMode, CreateTenantBody, PatchTenantBody, TenantReadQuery } from '../tenant-schemas';
import { presentTenant } from '../tenant-view';
import {
  dataOf,
  newAssets,
  takenPartnerId,
  tenantOf,
  withOriginAssets,
  writeNextVersion,
} from '../use-cases/tenant-config';

/** What only staff change: who the tenant is, what it pays for, who approves for it, whether it is live. */
const STAFF_FIELDS = ['partnerProvidedId', 'plan', 'accountManagerEmail', 'accountType', 'status'] as const;

/**
 * The tenant configuration API (Shipium): every write is a new version, reads can look back with
 * asOfDateTime, DELETE archives, and testMode answers with what would be stored, changing nothing.
 * Staff use it for every tenant; a customer's systems, with their own access token, read and change their own.
 */
export function tenantRoutes(deps: ApiDeps): Router {
  const router = Router();
  const auth = authenticateConfigCaller(deps);
  const present = (tenant: Parameters<typeof presentTenant>[0], at = new Date()) =>
    presentTenant(tenant, deps.config.publicUrl, at);
  const taken = (id: string) => takenPartnerId(id);

  router.post('/v1/tenants', auth, staffOnly('create tenants'), async (req, res) => {
    const { testMode, ...fields } = parse(CreateTenantBody, req.body);
    const at = new Date();
    const made = newAssets(orchestratorOf(req), at, testMode);
    // A tenant made here names its maker as an onboarding's names its workflow.
    const data = withOriginAssets(
      undefined,
      { ...(fields as TenantData), orchestratedAssetMetadata: made.metadata },
      made,
    );
    if (testMode) {
      if (await partnerIdTaken(deps.pool, data.partnerProvidedId)) throw taken(data.partnerProvidedId);
      return res.json({
        testMode: true,
        ...present({ tenantId: null, ...data, version: 1, validFrom: null, archived: false }, at),
      });
    }
    try {
      const tenantId = await insertTenant(deps.pool, { data, at });
      const created = (await findTenantVersion(deps.pool, tenantId!))!;
      res.status(201).location(`${deps.config.publicUrl}/v1/tenants/${tenantId}`).json(present(created, at));
    } catch (err) {
      if (isUniqueViolation(err, 'tenants_live_partner_id')) throw taken(data.partnerProvidedId);
      throw err;
    }
  });

  router.get('/v1/tenants/:identifier', auth, async (req, res) => {
    const { asOfDateTime } = parse(TenantReadQuery, req.query);
    const asOf = asOfDateTime ? new Date(asOfDateTime) : undefined;
    res.json(present(await tenantOf(deps.pool, req, { asOf }), asOf));
  });

  router.patch('/v1/tenants/:identifier', auth, async (req, res) => {
    const { testMode, status, ...changes } = parse(PatchTenantBody, req.body);
    const staffFields = STAFF_FIELDS.filter((f) => (f === 'status' ? status : changes[f]) !== undefined);
    if (req.principal?.kind === 'customer' && staffFields.length)
      throw forbidden(`A customer system cannot change ${staffFields.join(', ')}`);
    const latest = await tenantOf(deps.pool, req, { archived: status === 'ACTIVE' ? 'allow' : undefined });
    // Test and production never share credentials: a tenant's account type is fixed once it exists.
    if (changes.accountType && changes.accountType !== accountTypeOf(latest))
      throw conflict(`tenant ${latest.tenantId} is a ${accountTypeOf(latest)} account; its account type cannot change`);
    if (status === 'ARCHIVED') await refuseArchivingWithAccess(req, latest);
    const reactivating = status === 'ACTIVE' && latest.archived;
    if (reactivating) await refuseReactivatingOffboarded(latest.tenantId);
    const at = new Date();
    const made = newAssets(orchestratorOf(req), at, testMode);
    // Only the properties given change; the rest carry over from the latest version.
    const merge = (current: TenantView) =>
      withOriginAssets(dataOf(current), { ...dataOf(current), ...(changes as Partial<TenantData>) }, made);
    const data = merge(latest);
    // Reactivation only while no other live tenant has taken the partnerProvidedId meanwhile (the index
    // tenants_live_partner_id decides a race); testMode, which writes nothing, asks the same question.
    if (
      (reactivating || (testMode && changes.partnerProvidedId)) &&
      (await partnerIdTaken(deps.pool, data.partnerProvidedId, latest.tenantId))
    )
      throw taken(data.partnerProvidedId);
    if (testMode)
      return res.json({
        testMode: true,
        ...present(
          { ...latest, ...data, version: latest.version + 1, validFrom: null, archived: status === 'ARCHIVED' },
          at,
        ),
      });
    const written = await writeNextVersion(
      deps.pool,
      latest.tenantId,
      (current) => ({ data: merge(current), archived: status === 'ARCHIVED' }),
      {
        archived: status === 'ACTIVE' ? 'allow' : undefined,
        // Taking a tenant back is audited with who did it, in the same transaction as its version.
        after: async (tx, next) => {
          if (reactivating)
            await insertSecurityEvent(tx, {
              event: 'tenant_reactivated',
              actor: callerOf(req).email,
              subject: latest.tenantId,
              detail: { version: next.version, partnerProvidedId: next.partnerProvidedId },
            });
        },
      },
    );
    res.json(present(written, at));
  });

  router.get('/v1/tenants', auth, staffOnly('list every tenant'), async (req, res) => {
    const query = parse(ListTenantsQuery, req.query);
    const rows = await listTenants(deps.pool, {
      ...query,
      after: query.cursor ? decodeCursor(query.cursor) : undefined,
    });
    const last = rows.length === query.limit ? rows[rows.length - 1] : undefined;
    res.json({
      items: rows.map(({ cursorAt: _c, ...item }) => item),
      nextCursor: last ? encodeCursor({ createdAt: last.cursorAt, id: last.tenantId }) : null,
    });
  });

  // A tenant that still has API access is taken off by an offboarding, which ends every access and tells the
  // customer; DELETE only archives, so it would leave credentials and subscriptions working.
  /**
   * An offboarded customer's tenant stays archived: reactivated, it would be live with no integration user
   * or API client, which neither an expansion (nothing to reuse) nor a first onboarding (a live tenant) takes.
   */
  async function refuseReactivatingOffboarded(tenantId: string): Promise<void> {
    const offboardingId = await findOffboardingOfTenant(deps.pool, tenantId);
    if (offboardingId)
      throw conflict(
        `tenant ${tenantId} was offboarded: a returning customer comes back through a first onboarding, which creates its tenant, user and client again`,
        { offboardingId },
      );
  }

  async function refuseArchivingWithAccess(req: Request, latest: TenantView): Promise<void> {
    if (!(await tenantHasAccess(deps.pool, latest.tenantId))) return;
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

  router.delete('/v1/tenants/:identifier', auth, staffOnly('delete tenants'), async (req, res) => {
    const latest = await tenantOf(deps.pool, req);
    await refuseArchivingWithAccess(req, latest);
    if (asksTestMode(req.body)) return res.json({ testMode: true, ...present(latest) });
    await withTransaction(deps.pool, (tx) => writeTenantVersion(tx, latest.tenantId, dataOf(latest), true, new Date()));
    // Shipium answers a DELETE with the tenant as it was.
    res.json(present(latest));
  });

  return router;
}
