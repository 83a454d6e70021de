import { UserError } from '../core/errors.ts';
import type { SlsCredentials } from './sls-client.ts';

/**
 * A credentials file, pure: either the JSON that STS-writing sidecars produce
 * ({AccessKeyId, AccessKeySecret, SecurityToken?}) or the Alibaba Cloud INI profile file
 * (`[default]` with `type = access_key`, `access_key_id`, `access_key_secret`) that
 * ALIBABA_CLOUD_CREDENTIALS_FILE names for the official SDKs. Every problem is a UserError naming
 * the file, the line where there is one, and the field.
 */
export function parseCredentialsFile(text: string, file: string, profile = 'default'): SlsCredentials {
  return /^\s*\{/.test(text) ? parseJson(text, file) : parseIni(text, file, profile);
}

const HINT = 'JSON {"AccessKeyId": "...", "AccessKeySecret": "...", "SecurityToken": "..."} or an INI profile [default] with type = access_key, access_key_id and access_key_secret';

function parseJson(text: string, file: string): SlsCredentials {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new UserError(`credentials file ${file}: not valid JSON (${(e as Error).message})`, HINT);
  }
  const o = j as Record<string, unknown>;
  const field = (names: string[], required: boolean): string | undefined => {
    const v = names.map((n) => o[n]).find((x) => x !== undefined && x !== '');
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || !v) throw new UserError(`credentials file ${file}: ${names[0]}: ${v === undefined ? 'missing' : `must be a non-empty string, got ${JSON.stringify(v)}`}`, HINT);
    return v;
  };
  const accessKeyId = field(['AccessKeyId', 'accessKeyId'], true)!;
  const accessKeySecret = field(['AccessKeySecret', 'accessKeySecret'], true)!;
  const securityToken = field(['SecurityToken', 'securityToken'], false);
  return { accessKeyId, accessKeySecret, ...(securityToken ? { securityToken } : {}) };
}

/**
 * Hand-written rather than the `ini` package: errors must name the line, which `ini` does not
 * report, and the format here is only `[section]` headers and `key = value` lines.
 */
function parseIni(text: string, file: string, profile: string): SlsCredentials {
  const sections = new Map<string, { line: number; keys: Map<string, string> }>();
  let current: Map<string, string> | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) return;
    const head = /^\[([^\]]+)\]$/.exec(line);
    if (head) {
      current = new Map();
      sections.set(head[1]!.trim(), { line: i + 1, keys: current });
      return;
    }
    const kv = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (!kv || !current) throw new UserError(`credentials file ${file}:${i + 1}: not valid JSON or INI (${current ? 'expected key = value' : 'expected a [profile] header first'}): ${line.slice(0, 40)}`, HINT);
    current.set(kv[1]!, kv[2]!.replace(/^"(.*)"$/, '$1'));
  });
  const sec = sections.get(profile);
  if (!sec) throw new UserError(`credentials file ${file}: [${profile}]: no such profile${sections.size ? ` (has ${[...sections.keys()].join(', ')})` : ''}`, 'name the profile with ALIBABA_CLOUD_PROFILE, or add it');
  const at = `credentials file ${file}:${sec.line}: [${profile}]`;
  const type = sec.keys.get('type') ?? 'access_key';
  if (type !== 'access_key') throw new UserError(`${at} type: ${type} is not supported by the exporter; use access_key, or RRSA for role credentials`, HINT);
  const get = (k: string) => {
    const v = sec.keys.get(k);
    if (!v) throw new UserError(`${at} ${k}: missing`, HINT);
    return v;
  };
  return { accessKeyId: get('access_key_id'), accessKeySecret: get('access_key_secret') };
}
