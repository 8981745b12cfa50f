/**
 * What config data holds: tag definitions, devices, alarm rules, the pair's operator accounts (`user`:
 * a name and its password hash, node-core/auth/pair-accounts.ts), so that one sign-in serves both nodes, and
 * the operators' decisions on OPC UA client certificates (`opcua-client`, plant/opcua/client-approvals.ts),
 * so that a client approved on one node is trusted by both.
 * On its own, so the dashboard can name it.
 */
import type { ConfigKind } from '../protocol/words.ts';

// The kinds are words of the wire protocol: one source in protocol/.
export { CONFIG_KINDS, type ConfigKind } from '../protocol/words.ts';

/** One item's identity across kinds. */
export function itemKey(item: { readonly kind: ConfigKind; readonly key: string }): string {
  return `${item.kind}\u0000${item.key}`;
}
