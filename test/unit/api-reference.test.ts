import { readFileSync } from 'node:fs';
import { API_REFERENCE_COMMAND, API_REFERENCE_FILE, renderApiReference } from '../../scripts/api-reference';

/** docs/api.md is rendered from the OpenAPI document: a route or schema changed without it fails here. */
describe('docs/api.md', () => {
  it('is what the OpenAPI document renders today', () => {
    const committed = readFileSync(API_REFERENCE_FILE, 'utf8');
    if (committed !== renderApiReference()) {
      throw new Error(`docs/api.md is stale: run \`${API_REFERENCE_COMMAND}\` and commit the result`);
    }
  });
});
