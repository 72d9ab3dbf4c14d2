-- Shipium: origins have a server-assigned originId, the same in every version of their tenant. Origins stored
-- before ids existed get one now: one id per (tenant, origin partnerProvidedId), written into every version
-- that has the origin and into the tenant's current data.
CREATE TEMPORARY TABLE legacy_origin_ids ON COMMIT DROP AS
SELECT tenant_id, partner_provided_id, gen_random_uuid() AS origin_id
FROM (SELECT DISTINCT v.tenant_id, o ->> 'partnerProvidedId' AS partner_provided_id
      FROM tenant_versions v, jsonb_array_elements(v.data -> 'origins') AS o
      WHERE jsonb_typeof(v.data -> 'origins') = 'array' AND NOT o ? 'originId') AS legacy;

CREATE FUNCTION pg_temp.with_origin_ids(tenant uuid, data jsonb) RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_set(data, '{origins}', coalesce((
    SELECT jsonb_agg(CASE WHEN o ? 'originId' OR i.origin_id IS NULL THEN o
                          ELSE o || jsonb_build_object('originId', i.origin_id) END ORDER BY n)
    FROM jsonb_array_elements(data -> 'origins') WITH ORDINALITY AS e(o, n)
    LEFT JOIN legacy_origin_ids i ON i.tenant_id = tenant AND i.partner_provided_id = o ->> 'partnerProvidedId'),
    '[]'::jsonb))
$$;

UPDATE tenant_versions SET data = pg_temp.with_origin_ids(tenant_id, data)
WHERE tenant_id IN (SELECT tenant_id FROM legacy_origin_ids) AND jsonb_typeof(data -> 'origins') = 'array';
UPDATE tenants SET data = pg_temp.with_origin_ids(tenant_id, data)
WHERE tenant_id IN (SELECT tenant_id FROM legacy_origin_ids) AND jsonb_typeof(data -> 'origins') = 'array';

DROP FUNCTION pg_temp.with_origin_ids(uuid, jsonb);
