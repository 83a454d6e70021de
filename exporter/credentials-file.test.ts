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

describe('credentials file errors never show the content', () => {
  const SECRET = 'REAL-SECRET-VALUE-42';
  const message = (text: string, profile?: string) => {
    try {
      parseCredentialsFile(text, 'creds', profile);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('accepted');
  };
  it.each([
    ['an INI line written with ":"', `[default]\naccess_key_id = LTAIabcdefghijklmnop\naccess_key_secret: ${SECRET}\n`, /^credentials file creds:3: access_key_secret: write "access_key_secret = …"/],
    ['a line before any header (a file that is not INI, e.g. /etc/shadow)', `root:${SECRET}:19000:0:99999:7:::\n`, /^credentials file creds:1: not valid JSON or INI \(expected a \[profile\] header first\)/],
    ['a stray line', `[default]\n${SECRET}\n`, /^credentials file creds:2: not valid JSON or INI \(expected key = value\)/],
    ['JSON with a bare secret', `{\n  "AccessKeyId": "id",\n  "AccessKeySecret": ${SECRET}\n}`, /^credentials file creds: not valid JSON at line 3, column 22/],
    ['JSON cut off in the secret', `{"AccessKeyId": "id", "AccessKeySecret": "${SECRET}`, /not valid JSON at line 1, column 63/],
    ['JSON with a secret of the wrong type', '{"AccessKeyId": "id", "AccessKeySecret": 42424242424242}', /AccessKeySecret: must be a non-empty string, got a number$/],
    ['JSON with a secret in an array', `{"AccessKeyId": "id", "AccessKeySecret": ["${SECRET}"]}`, /AccessKeySecret: must be a non-empty string, got an array$/],
    ['an unknown type holding a secret', `[default]\ntype = ${SECRET}\n`, /\[default\] type: this type is not supported/],
    ['a profile header that is a pasted secret', `[${SECRET}]\naccess_key_id = a\n`, /no such profile \(has REAL\*\*\*\*\)/],
  ])('%s', (_, text, expected) => {
    const m = message(text);
    expect(m).toMatch(expected);
    expect(m).not.toContain(SECRET);
    expect(m).not.toContain('42424242');
  });
});
