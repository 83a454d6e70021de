import { UserError } from '../core/errors.ts';
import { parseJsonText } from '../core/json.ts';
import { mask } from './redact.ts';

export interface SlsCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/**
 * A credentials file, pure: either the JSON that STS-writing sidecars produce
 * ({AccessKeyId, AccessKeySecret, SecurityToken?}) or the Alibaba Cloud INI profile file
 * (`[default]` with `type = access_key`, `access_key_id`, `access_key_secret`) that
 * ALIBABA_CLOUD_CREDENTIALS_FILE names for the official SDKs. Every problem is a UserError naming
 * the file, the line where there is one, and the field — never the content: the file holds a
 * secret, and an error message ends up in CI logs and pod events.
 */
export function parseCredentialsFile(text: string, file: string, profile = 'default'): SlsCredentials {
  return /^\s*\{/.test(text) ? parseJson(text, file) : parseIni(text, file, profile);
}

const HINT = 'JSON {"AccessKeyId": "...", "AccessKeySecret": "...", "SecurityToken": "..."} or an INI profile [default] with type = access_key, access_key_id and access_key_secret';

/** The `type` values of the Alibaba Cloud credentials file: naming one of them reveals nothing. */
const KNOWN_TYPES = new Set(['access_key', 'sts', 'ecs_ram_role', 'ram_role_arn', 'rsa_key_pair', 'bearer', 'oidc_role_arn', 'credentials_uri', 'chain']);
/** The keys of a profile; a line naming one of them may be pointed at by name. */
const KNOWN_KEYS = new Set(['type', 'access_key_id', 'access_key_secret', 'security_token', 'sts_token', 'role_arn', 'role_session_name', 'oidc_provider_arn', 'oidc_token_file_path', 'region_id', 'policy']);

/**
 * A wrong value as an error may show it: a short number, boolean or null (no key or secret is six
 * characters or fewer), else only its kind.
 */
function describeValue(v: unknown): string {
  if (v === null || typeof v === 'number' || typeof v === 'boolean') {
    const s = JSON.stringify(v);
    return s.length <= 6 ? s : `a ${typeof v}`;
  }
  if (typeof v === 'string') return 'an empty string';
  return Array.isArray(v) ? 'an array' : `a value of type ${typeof v}`;
}

function parseJson(text: string, file: string): SlsCredentials {
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw new UserError(`credentials file ${file}: not valid JSON at line ${parsed.line}, column ${parsed.column} (the content is not shown: it holds secrets)`, HINT);
  const o = parsed.value;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new UserError(`credentials file ${file}: not a JSON object`, HINT);
  const rec = o as Record<string, unknown>;
  const field = (names: string[], required: boolean): string | undefined => {
    const v = names.map((n) => (Object.hasOwn(rec, n) ? rec[n] : undefined)).find((x) => x !== undefined && x !== '');
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || !v) throw new UserError(`credentials file ${file}: ${names[0]}: ${v === undefined ? 'missing' : `must be a non-empty string, got ${describeValue(v)}`}`, HINT);
    return v;
  };
  const accessKeyId = field(['AccessKeyId', 'accessKeyId'], true)!;
  const accessKeySecret = field(['AccessKeySecret', 'accessKeySecret'], true)!;
  const securityToken = field(['SecurityToken', 'securityToken'], false);
  return { accessKeyId, accessKeySecret, ...(securityToken ? { securityToken } : {}) };
}

/** Profile names as an error may list them: short ones whole, longer ones (a pasted key?) masked. */
const profileName = (n: string) => (n.length <= 16 && /^[\w.-]+$/.test(n) ? n : mask(n));

/** Why line `n` is not `key = value`, naming the key only when it is one of the format's own. */
function badLine(file: string, n: number, line: string, inSection: boolean): UserError {
  const key = /^([A-Za-z_]+)\s*:/.exec(line)?.[1];
  if (inSection && key && KNOWN_KEYS.has(key)) return new UserError(`credentials file ${file}:${n}: ${key}: write "${key} = …" (INI takes =, not :); the value is not shown`, HINT);
  return new UserError(`credentials file ${file}:${n}: not valid JSON or INI (${inSection ? 'expected key = value' : 'expected a [profile] header first'}); the line is not shown: it may hold a secret`, HINT);
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
    if (!kv || !current) throw badLine(file, i + 1, line, current !== undefined);
    current.set(kv[1]!, kv[2]!.replace(/^"(.*)"$/, '$1'));
  });
  const sec = sections.get(profile);
  if (!sec) throw new UserError(`credentials file ${file}: [${profileName(profile)}]: no such profile${sections.size ? ` (has ${[...sections.keys()].map(profileName).join(', ')})` : ''}`, 'name the profile with ALIBABA_CLOUD_PROFILE, or add it');
  const at = `credentials file ${file}:${sec.line}: [${profileName(profile)}]`;
  const type = sec.keys.get('type') ?? 'access_key';
  if (type !== 'access_key') throw new UserError(`${at} type: ${KNOWN_TYPES.has(type) ? type : 'this type'} is not supported by the exporter; use access_key, or RRSA for role credentials`, HINT);
  const get = (k: string) => {
    const v = sec.keys.get(k);
    if (!v) throw new UserError(`${at} ${k}: missing`, HINT);
    return v;
  };
  return { accessKeyId: get('access_key_id'), accessKeySecret: get('access_key_secret') };
}
