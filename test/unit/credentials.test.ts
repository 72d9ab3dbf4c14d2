import type { Request } from 'express';
import { basicCredentials } from '../../api/customer-tokens';
import { passwordProblem } from '../../lib/passwords';

const withAuthorization = (value: string) => ({ get: () => value }) as unknown as Request;
const basic = (text: string) => withAuthorization(`Basic ${Buffer.from(text).toString('base64')}`);

describe('people’s passwords', () => {
  it.each([
    ['short-pw', /at least 12 characters/],
    ['1qaz2wsx3edc', /common passwords/],
    ['QWERTY123456', /common passwords/],
  ])('refuses %s', (password, why) => {
    expect(passwordProblem(password)).toMatch(why);
  });

  it('accepts a long uncommon one, counting characters rather than bytes', () => {
    expect(passwordProblem('correct horse battery')).toBeUndefined();
    expect(passwordProblem('ü'.repeat(11))).toMatch(/at least 12/);
  });
});

describe('HTTP Basic client credentials (RFC 6749 §2.3.1)', () => {
  it('form-decodes both parts', () => {
    expect(basicCredentials(basic('gw_a%3Ab:s%25+t'))).toEqual({ clientId: 'gw_a:b', secret: 's% t' });
  });

  it.each(['a%zz:b', 'a:b%', 'no-colon', ':secret'])('treats %s as no credentials, never an exception', (text) => {
    expect(basicCredentials(basic(text))).toBeUndefined();
  });

  it('ignores other schemes', () => {
    expect(basicCredentials(withAuthorization('Bearer x'))).toBeUndefined();
  });
});
