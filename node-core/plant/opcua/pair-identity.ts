/**
 * Who the two OPC UA servers of a pair are (docs/opcua.md "Redundancy objects"). Each node's ApplicationUri
 * follows from the pair name and its mode, so either node knows its peer's without asking it: the pair's
 * name is the same on both nodes (the link refuses a peer of another name), and one is the master, the
 * other the backup. The peer's endpoint is the host of its API address with the OPC UA port it states in its
 * hello; a peer of an earlier version does not state it, and this node's own port is assumed (the usual
 * install: one node per machine, the same port on both). A peer that serves no OPC UA (port 0) has none.
 */
import type { Mode } from '../../redundancy/index.ts';

export function applicationUri(pairName: string, mode: Mode): string {
  return `urn:tandem:${encodeURIComponent(pairName)}:${mode}`;
}

export function peerMode(mode: Mode): Mode | null {
  if (mode === 'master') return 'backup';
  if (mode === 'backup') return 'master';
  return null;
}

/** The peer's OPC UA endpoint, from its API address, or null while that is not known. */
export function peerEndpointUrl(peerApiUrl: string | null, port: number): string | null {
  if (!peerApiUrl || port === 0) return null;
  try {
    const host = new URL(peerApiUrl).hostname;
    return `opc.tcp://${host}:${port}`;
  } catch {
    return null;
  }
}
