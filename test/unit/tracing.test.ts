import { redactTokenPath, tracingRequested } from '../../lib/tracing';

describe('tracing', () => {
  it('is on only when an OTLP endpoint is given', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
  });

  it.each([
    ['/collect/abc_DEF-123', '/collect/:token'],
    ['/v1/collect/abc?x=1', '/v1/collect/:token?x=1'],
    ['/kit/abc', '/kit/:token'],
    ['/v1/kits/abc', '/v1/kits/:token'],
    ['/set-password/abc', '/set-password/:token'],
    ['/v1/set-password/abc', '/v1/set-password/:token'],
  ])('records %s as %s', (path, recorded) => {
    expect(redactTokenPath(path)).toBe(recorded);
  });

  it('leaves paths without a token as they are', () => {
    expect(redactTokenPath('/v1/onboardings/4b1c')).toBe('/v1/onboardings/4b1c');
    expect(redactTokenPath('/v1/kits')).toBe('/v1/kits');
  });
});
