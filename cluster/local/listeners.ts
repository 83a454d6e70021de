import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/**
 * Which TCP addresses processes listen on, read from /proc (no `ss` needed): the listening sockets
 * of /proc/net/tcp and tcp6, mapped to processes through the `socket:[inode]` links of
 * /proc/<pid>/fd. Linux only; elsewhere every list is empty.
 */
export interface Listener {
  pid: number;
  /** The process's name (/proc/<pid>/comm). */
  process: string;
  address: string;
  port: number;
}

interface ListeningSocket {
  address: string;
  port: number;
  inode: number;
}

const TCP_LISTEN = '0A';

/** An address of /proc/net/tcp{,6}: 32-bit words in host (little-endian) byte order, hex. */
export function decodeProcAddress(hex: string): string {
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8) {
    const word = hex.slice(w, w + 8);
    for (let b = 6; b >= 0; b -= 2) bytes.push(parseInt(word.slice(b, b + 2), 16));
  }
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.slice(0, 10).every((x) => x === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return compressIpv6(groups);
}

/** RFC 5952 text: the longest run of two or more zero groups becomes `::`. */
function compressIpv6(groups: string[]): string {
  let best = { at: -1, len: 1 };
  for (let i = 0; i < groups.length; ) {
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.at < 0) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`;
}

/** The listening sockets in the text of /proc/net/tcp or /proc/net/tcp6. */
export function parseProcNetTcp(text: string): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[3] !== TCP_LISTEN) continue;
    const [addr, port] = f[1]!.split(':');
    out.push({ address: decodeProcAddress(addr!), port: parseInt(port!, 16), inode: Number(f[9]) });
  }
  return out;
}

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback: what no other machine can reach. */
export function isLoopback(address: string): boolean {
  return /^127\./.test(address) || address === '::1' || /^::ffff:127\./.test(address);
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function socketInodes(pid: number): number[] {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.push(Number(m[1]));
    } catch {
      /* closed meanwhile */
    }
  }
  return out;
}

/** Every TCP socket these processes listen on (processes in this network namespace). */
export function listenersOf(pids: number[]): Listener[] {
  const byInode = new Map<number, ListeningSocket>();
  for (const s of [...parseProcNetTcp(read('/proc/net/tcp')), ...parseProcNetTcp(read('/proc/net/tcp6'))]) byInode.set(s.inode, s);
  const out: Listener[] = [];
  for (const pid of new Set(pids)) {
    const name = read(`/proc/${pid}/comm`).trim();
    for (const inode of socketInodes(pid)) {
      const s = byInode.get(inode);
      if (s) out.push({ pid, process: name, address: s.address, port: s.port });
    }
  }
  return out;
}
