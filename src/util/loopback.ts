/**
 * True for hosts that can only be this machine: the literal addresses 127.0.0.0/8 and ::1, and
 * the name `localhost` itself. Not `*.localhost`: such names may be sent to a DNS resolver, which
 * can answer with any address, so plain http to them is not known to stay on this machine.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (host === 'localhost') return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  return /^127(\.\d{1,3}){3}$/.test(host);
}
