import {
  deriveUsername,
  inStaffDomain,
  integrationSystemProblem,
  personalEmailProblem,
  plannedSteps,
  stagesOf,
} from '../../../domain';

describe('rules shared by the API and the workflow', () => {
  it('plans every step, and skips collection and verification without clients', () => {
    const willRun = (body: unknown) =>
      plannedSteps(body)
        .filter((s) => !s.willRun)
        .map((s) => s.name);
    expect(willRun({ clients: [{ partnerProvidedId: 'c' }] })).toEqual([]);
    expect(willRun({ clients: [] })).toEqual(['COLLECT_CLIENT_CREDENTIALS', 'VERIFY_CONNECTIVITY']);
    expect(willRun('not even an object')).toEqual(['COLLECT_CLIENT_CREDENTIALS', 'VERIFY_CONNECTIVITY']);
    expect(plannedSteps({}).map((s) => s.name)[0]).toBe('CREATE_TENANT');
  });

  it('refuses a staff domain or subdomain, or a staff account, as the integration mailbox', () => {
    expect(inStaffDomain('api@eu.ops.gw.example', ['OPS.gw.example'])).toBe('ops.gw.example');
    expect(inStaffDomain('api@notgw.example', ['gw.example'])).toBeUndefined();
    expect(personalEmailProblem('jo@gw.example', ['gw.example'], false)).toMatch(/staff domain gw\.example/);
    expect(personalEmailProblem('jo@acme.example', ['gw.example'], true)).toMatch(/is a staff account/);
    expect(personalEmailProblem('api@acme.example', ['gw.example'], false)).toBeUndefined();
  });

  it('needs the name of an "Other" integration system', () => {
    expect(integrationSystemProblem({ integrationSystem: 'other' })).toMatch(/needs the system’s name/);
    expect(
      integrationSystemProblem({ integrationSystem: 'Other', integrationSystemName: 'In-house ERP' }),
    ).toBeUndefined();
    expect(integrationSystemProblem({ integrationSystem: 'SAP S/4HANA' })).toBeUndefined();
  });

  it('derives WSI_<TENANT> usernames, with a numbered suffix for the next free one', () => {
    expect(deriveUsername('WSI', 'acme-001')).toBe('WSI_ACME_001');
    expect(deriveUsername('WSI', '--ünïcode--')).toBe('WSI_N_CODE');
    expect(deriveUsername('WSI', '***')).toBe('WSI_TENANT');
    expect(deriveUsername('EDI', 'acme', 1)).toBe('EDI_ACME_2');
  });

  it('puts a subscription through the AM alone unless the policy adds the TECH_AM', () => {
    expect(stagesOf({ INVOICING: 'AM_THEN_TECH_AM' }, 'INVOICING')).toEqual(['AM', 'TECH_AM']);
    expect(stagesOf({ INVOICING: 'AM_THEN_TECH_AM' }, 'ORDER_MANAGEMENT')).toEqual(['AM']);
  });
});
