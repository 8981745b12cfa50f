import net from 'node:net';

/**
 * DNS rebinding defence: a page on evil.example that resolves to 127.0.0.1 still sends `Host: evil.example`.
 * Addresses and localhost are this machine by definition; other names must be configured.
 */
export function isAllowedHost(hostHeader: string | undefined, allowedNames: ReadonlySet<string>): boolean {
  if (!hostHeader) return false;
  const host = stripPort(hostHeader.trim().toLowerCase());
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (net.isIP(host) !== 0) return true;
  return allowedNames.has(host);
}

function stripPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end > 0 ? host.slice(1, end) : host;
  }
  const colon = host.lastIndexOf(':');
  return colon > 0 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
}
