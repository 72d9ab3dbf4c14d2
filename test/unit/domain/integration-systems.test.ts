import { catalogIntegrationSystem, INTEGRATION_SYSTEMS, OTHER_INTEGRATION_SYSTEM } from '../../../domain';

describe('the integration-system catalog (Ongoing WMS)', () => {
  it('finds a system named in any case and answers the catalog’s spelling', () => {
    expect(catalogIntegrationSystem(' sap s/4hana ')).toBe('SAP S/4HANA');
    expect(catalogIntegrationSystem('OTHER')).toBe(OTHER_INTEGRATION_SYSTEM);
  });
  it('knows nothing outside the list, and lists "Other" once', () => {
    expect(catalogIntegrationSystem('My Spreadsheet')).toBeUndefined();
    expect(INTEGRATION_SYSTEMS.filter((s) => s === OTHER_INTEGRATION_SYSTEM)).toHaveLength(1);
  });
});
