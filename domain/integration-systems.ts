/**
 * Ongoing WMS: the integration's external system is picked from a known list; a system not on it is
 * "Other", and then the customer types its name (integrationSystemName). Served by
 * GET /v1/catalog/integration-systems and checked at the start.
 */
export const OTHER_INTEGRATION_SYSTEM = 'Other';

export const INTEGRATION_SYSTEMS = [
  'SAP S/4HANA',
  'SAP ECC',
  'SAP Business One',
  'Microsoft Dynamics 365',
  'Oracle NetSuite',
  'Oracle E-Business Suite',
  'Infor',
  'Sage',
  'Visma',
  'Fortnox',
  'Odoo',
  'Shopify',
  'Adobe Commerce (Magento)',
  'WooCommerce',
  OTHER_INTEGRATION_SYSTEM,
] as const;

/** The catalog's spelling of a system named in any case, or undefined when it is not in the catalog. */
export function catalogIntegrationSystem(name: string): string | undefined {
  const wanted = name.trim().toLowerCase();
  return INTEGRATION_SYSTEMS.find((s) => s.toLowerCase() === wanted);
}
