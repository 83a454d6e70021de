import { describe, expect, it } from 'vitest';
import { parseCredentialsFile } from './credentials-file.ts';

describe('credentials file', () => {
  it('reads the JSON and INI forms', () => {
    expect(parseCredentialsFile('{"AccessKeyId": "id", "AccessKeySecret": "s", "SecurityToken": "t", "Expiration": "2099-01-01T00:00:00Z"}', 'f')).toEqual({ accessKeyId: 'id', accessKeySecret: 's', securityToken: 't' });
    const ini = '# comment\n[default]\ntype = access_key\naccess_key_id = id\naccess_key_secret = "s"\n\n[other]\naccess_key_id = id2\naccess_key_secret = s2\n';
    expect(parseCredentialsFile(ini, 'f')).toEqual({ accessKeyId: 'id', accessKeySecret: 's' });
    expect(parseCredentialsFile(ini, 'f', 'other')).toEqual({ accessKeyId: 'id2', accessKeySecret: 's2' });
  });
  it.each([
    ['{"AccessKeyId": 1, "AccessKeySecret": "s"}', /credentials file f: AccessKeyId: must be a non-empty string, got 1/],
    ['{"AccessKeySecret": "s"}', /credentials file f: AccessKeyId: missing/],
    ['{', /credentials file f: not valid JSON/],
    ['[default]\ntype = ram_role_arn\naccess_key_id = a\n', /credentials file f:1: \[default\] type: ram_role_arn is not supported/],
    ['[default]\naccess_key_id = a\nnonsense\n', /credentials file f:3: not valid JSON or INI \(expected key = value\)/],
    ['[prod]\naccess_key_id = a\n', /credentials file f: \[default\]: no such profile \(has prod\)/],
  ])('%j is refused naming file, line and field', (text, message) => {
    expect(() => parseCredentialsFile(text, 'f')).toThrow(message);
  });
});
