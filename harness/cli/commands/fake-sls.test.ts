import { describe, expect, it } from 'vitest';
import { credentialFromOptions, SECRET_ENV, TOKEN_ENV } from './fake-sls.ts';

describe('ebbflow fake-sls credentials', () => {
  it('takes the secret and token from the environment without a warning', () => {
    const r = credentialFromOptions({ accessKeyId: 'ak' }, { [SECRET_ENV]: 's3cret', [TOKEN_ENV]: 'tok' });
    expect(r).toEqual({ credential: { accessKeyId: 'ak', accessKeySecret: 's3cret', securityToken: 'tok' }, warnings: [] });
  });

  it('still takes secrets on the command line, warning that others can see them', () => {
    const r = credentialFromOptions({ accessKeyId: 'ak', accessKeySecret: 'cli', securityToken: 'tok' }, { [SECRET_ENV]: 'env' });
    expect(r.credential).toEqual({ accessKeyId: 'ak', accessKeySecret: 'cli', securityToken: 'tok' });
    expect(r.warnings).toEqual([expect.stringContaining(`--access-key-secret on the command line is visible`), expect.stringContaining(`set ${TOKEN_ENV} instead`)]);
  });

  it('defaults to the well-known test secret and no token', () => {
    expect(credentialFromOptions({ accessKeyId: 'ak' }, {}).credential).toEqual({ accessKeyId: 'ak', accessKeySecret: 'ebbflow-test-secret' });
  });
});
