/**
 * True for hosts that can only be this machine: 127.0.0.0/8, ::1 and `localhost`. Not `*.localhost`:
 * a DNS resolver may answer those with any address.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (host === 'localhost') return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  return /^127(\.\d{1,3}){3}$/.test(host);
}
