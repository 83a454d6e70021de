import { describe, expect, it } from 'vitest';
import { endpointForLog, mask, redactMessage } from './redact.ts';

describe('redaction of what reaches logs and errors', () => {
  it('masks key ids to 4 characters', () => {
    expect(mask('LTAI5tAbCdEfGhIjKlMn')).toBe('LTAI****');
    expect(mask('ak')).toBe('****');
  });
  it('drops user:password@ from endpoints, whatever the scheme', () => {
    expect(endpointForLog('http://user:SECRET@sls.example:8080')).toBe('http://***@sls.example:8080');
    expect(endpointForLog('user:SECRET@sls.example')).toBe('***@sls.example');
    expect(endpointForLog('https://sls.example/')).toBe('https://sls.example/');
    expect(endpointForLog('localhost:18080')).toBe('localhost:18080');
  });
  it.each([
    ['AccessKeyId not found: LTAI5tPLANTEDKEYID0001', 'AccessKeyId not found: LTAI****'],
    ['AccessKeyId not found: ebbflow-planted-id', 'AccessKeyId not found: ebbf****'],
    ['The AccessKeyId is disabled: LTAI5tPLANTEDKEYID0001.', 'The AccessKeyId is disabled: LTAI****'],
    ['denied for STS.NUPLANTEDSTSKEYID01 on project p', 'denied for STS.**** on project p'],
    ['get sts token failed with OIDC, unmarshal fail: {"Credentials":{"AccessKeyId":"STS.NUxyz12345678","AccessKeySecret":"PLANTED-SECRET","SecurityToken":"PLANTED-TOKEN"', 'get sts token failed with OIDC, unmarshal fail: {"Credentials":{"AccessKeyId":"STS.****","AccessKeySecret":"***","SecurityToken":"***"'],
    ['access_key_secret = PLANTED-SECRET; OIDCToken=eyPLANTED', 'access_key_secret = ***; OIDCToken=***'],
    ['signature does not match', 'signature does not match'],
  ])('%s', (text, want) => {
    expect(redactMessage(text)).toBe(want);
  });
});
