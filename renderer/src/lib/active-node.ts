/**
 * Where changes (tag writes, acknowledgements, conflicts) can be made. Only the active node takes them
 * (docs/rules.md "Data 1"); a standby answers 307 to the active node's API, which a browser cannot follow
 * with the token. So a standby's screens say where the running node is instead of offering buttons that fail.
 */
import type { Status, StatusView } from '../../../node-core/dto.ts';

export type ChangesPlace =
  | { readonly here: true }
  | {
      readonly here: false;
      /** This node's status (not active). */
      readonly status: Status;
      /** The running peer's API and dashboard, when the link says there is one. */
      readonly activeUrl: string | null;
    };

/** Changes are made here unless the node says it is not active (an unknown status lets the node answer). */
export function changesPlace(status: StatusView | null): ChangesPlace {
  if (!status || status.node.status === 'active') return { here: true };
  const peer = status.peer;
  const activeUrl = peer?.link === 'connected' && peer.status === 'active' ? peer.apiUrl : null;
  return { here: false, status: status.node.status, activeUrl };
}
