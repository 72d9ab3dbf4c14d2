import { checkEmbedOrigin } from '../../../domain';

describe('the origins that may frame the collector (PortalDuct)', () => {
  it('takes https origins, and http only on loopback, written as browsers write them', () => {
    expect(checkEmbedOrigin('https://Partner.Example')).toEqual({ origin: 'https://partner.example' });
    expect(checkEmbedOrigin('https://partner.example:443/')).toEqual({ origin: 'https://partner.example' });
    expect(checkEmbedOrigin('https://app.partner.example:8443')).toEqual({
      origin: 'https://app.partner.example:8443',
    });
    expect(checkEmbedOrigin('http://localhost:5173')).toEqual({ origin: 'http://localhost:5173' });
    expect(checkEmbedOrigin('http://127.0.0.1:8080')).toEqual({ origin: 'http://127.0.0.1:8080' });
    expect(checkEmbedOrigin('http://[::1]:3000')).toEqual({ origin: 'http://[::1]:3000' });
  });

  it.each([
    ['http://partner.example', /must be https/],
    ['ftp://partner.example', /must be https/],
    ['https://partner.example/collect', /an origin only/],
    ['https://partner.example/?x=1', /an origin only/],
    ['https://partner.example#top', /an origin only/],
    ['https://user:pw@partner.example', /an origin only/],
    ['*', /no wildcards/],
    ['https://*.partner.example', /no wildcards/],
    ['partner.example', /not an origin such as/],
    ['https://a;b.example', /not an origin such as/],
    ["https://a'b.example", /not an origin such as/],
    ['null', /not an origin such as/],
  ])('refuses %s', (text, why) => {
    const check = checkEmbedOrigin(text);
    expect(check).toEqual({ problem: expect.stringMatching(why) });
  });
});
