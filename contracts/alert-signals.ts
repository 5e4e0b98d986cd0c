/**
 * Small pure readings of an alert's fields: what it touches (credentials, system paths) and where
 * its connection goes. The gate's feature extractor turns them into numbers; an incident's chain
 * uses them to tell a step that reaches a protected target from more of the same. None allocates
 * more than a few short strings per alert.
 */

/** Secrets and credentials: reading or writing them is the step before lateral movement. */
const CREDENTIAL_PATHS = [
  '/etc/shadow',
  '/etc/gshadow',
  '/etc/sudoers',
  '/etc/pam.d',
  '/.ssh/',
  '/root/.ssh',
  '/var/run/secrets/kubernetes.io',
  '/run/secrets/kubernetes.io',
  '/etc/kubernetes/',
  '/var/lib/kubelet/pki',
  '/.kube/config',
  '/.aws/credentials',
  '/.docker/config.json',
  '/proc/self/environ',
];

/** System locations whose change persists or hides a foothold (binaries, boot, loader, cron). */
const SYSTEM_PATHS = ['/bin/', '/sbin/', '/usr/bin/', '/usr/sbin/', '/usr/local/bin/', '/lib/modules', '/boot/', '/etc/ld.so.preload', '/etc/cron', '/var/spool/cron', '/dev/mem', '/etc/passwd'];

export const PATH_SENSITIVITY = { none: 0, system: 1, credentials: 2 } as const;

const escape = (p: string) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// One alternation each: a single regex pass beats a dozen includes() per text.
const CREDENTIAL_RE = new RegExp(CREDENTIAL_PATHS.map(escape).join('|'));
const SYSTEM_RE = new RegExp(SYSTEM_PATHS.map(escape).join('|'));

/** 2 when any of the texts touches a credential path, 1 for a system path, else 0. */
export function pathSensitivity(texts: ReadonlyArray<string | undefined>): number {
  let level = 0;
  for (const t of texts) {
    if (!t) continue;
    if (CREDENTIAL_RE.test(t)) return PATH_SENSITIVITY.credentials;
    if (level === 0 && SYSTEM_RE.test(t)) level = PATH_SENSITIVITY.system;
  }
  return level;
}

export const CONNECTION = { none: 0, private: 1, public: 2 } as const;

const FD_TUPLE = /(?:^|\s)\[?([0-9a-fA-F:.]+)\]?:\d+->\[?([0-9a-fA-F:.]+)\]?:\d+/;
const DEV_TCP = /\/dev\/(?:tcp|udp)\/([0-9a-zA-Z.:-]+)\//;

/**
 * Where a connection goes: Falco writes a socket as `client:port->server:port` in fd.name (the
 * remote end is the server for outbound connections), some rules give fd.rip, and a reverse
 * shell names its peer in the command line as /dev/tcp/host/port.
 */
export function connectionClass(fdName: string | undefined, remoteIp: string | undefined, cmdline: string | undefined): number {
  let remote = remoteIp;
  if (!remote && fdName) remote = FD_TUPLE.exec(fdName)?.[2];
  if (!remote && cmdline) remote = DEV_TCP.exec(cmdline)?.[1];
  if (!remote) return CONNECTION.none;
  return isPrivateAddress(remote) ? CONNECTION.private : CONNECTION.public;
}

/** RFC 1918, loopback, link-local, CGNAT and IPv6 ULA/loopback count as inside the cluster's reach. */
export function isPrivateAddress(address: string): boolean {
  const a = address.toLowerCase();
  if (a === 'localhost' || a === '::1' || a.startsWith('fc') || a.startsWith('fd') || a.startsWith('fe80')) return true;
  const m = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(a);
  if (!m) return false; // a host name or a public IPv6 address
  const first = Number(m[1]);
  const second = Number(m[2]);
  return (
    first === 10 ||
    first === 127 ||
    (first === 172 && second >= 16 && second <= 31) ||
    (first === 192 && second === 168) ||
    (first === 169 && second === 254) ||
    (first === 100 && second >= 64 && second <= 127)
  );
}
