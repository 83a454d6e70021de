import { describe, expect, it } from 'vitest';
import type { QueryFailure } from './value.ts';
import { parseRows } from './value.ts';

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
