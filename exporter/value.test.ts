import { describe, expect, it } from 'vitest';
import type { QueryFailure } from './value.ts';
import { classifyError, parseRows, sdkErrorMessage } from './value.ts';

const failure = (f: () => unknown): QueryFailure => {
  try {
    f();
  } catch (e) {
    return e as QueryFailure;
  }
  throw new Error('expected a QueryFailure');
};

describe('parseRows', () => {
  const rows = [{ v: '12' }];
  it('publishes only answers that say they are Complete', () => {
    expect(parseRows(rows, 'Complete', 'v', [])).toEqual([{ labels: {}, value: 12 }]);
    expect(failure(() => parseRows(rows, 'Incomplete', 'v', []))).toMatchObject({ code: 'Incomplete', retriable: true });
    // Without the header completeness is unknown: a partial, lower count must not get through.
    expect(failure(() => parseRows(rows, undefined, 'v', []))).toMatchObject({ code: 'Incomplete', retriable: true, message: expect.stringMatching(/no x-log-progress header/) });
  });
  it('an HTML page is a BadGateway whatever the headers', () => {
    expect(failure(() => parseRows('<html>502</html>', undefined, 'v', []))).toMatchObject({ code: 'BadGateway' });
  });
});

describe('SDK error messages', () => {
  const url = 'http://chat-prod.localhost:18095/logstores/device-heartbeat?query=*&type=log&from=1&to=2';
  it('puts back the separator httpx leaves out before "GET <url> failed."', () => {
    expect(sdkErrorMessage(`connect ECONNREFUSED 127.0.0.1:18095GET ${url} failed.`)).toBe(`connect ECONNREFUSED 127.0.0.1:18095; GET ${url} failed.`);
    expect(sdkErrorMessage(`getaddrinfo ENOTFOUND sls.example.comPOST ${url.replace('http', 'https')} failed.`)).toBe(`getaddrinfo ENOTFOUND sls.example.com; POST ${url.replace('http', 'https')} failed.`);
  });
  it('leaves messages that already have one, or no request suffix, alone', () => {
    expect(sdkErrorMessage(`ReadTimeout(400). GET ${url} failed.`)).toBe(`ReadTimeout(400). GET ${url} failed.`);
    expect(sdkErrorMessage('socket hang up')).toBe('socket hang up');
    expect(sdkErrorMessage('the GET of something failed.')).toBe('the GET of something failed.');
  });
  it('classifyError carries the repaired message', () => {
    const e = Object.assign(new Error(`connect ECONNREFUSED 127.0.0.1:18095GET ${url} failed.`), { code: 'ECONNREFUSED' });
    expect(classifyError(e)).toMatchObject({ code: 'NetworkError', retriable: true, message: `ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:18095; GET ${url} failed.` });
  });
});
