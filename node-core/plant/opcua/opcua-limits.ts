/**
 * The OPC UA server's session and subscription limits as settings (docs/opcua.md "Limits", docs/contract.md):
 * the defaults, flags and flag names, spread into the node's settings (node/settings.ts) and flags
 * (cli/flags.ts). The fields and their rules are in protocol/plant-settings.ts, because the dashboard checks
 * them too. Optional in the schema (settings stored by an earlier version lack them); the defaults fill them
 * in at start.
 */
import { OPCUA_LIMIT_DEFAULTS } from '../../protocol/plant-settings.ts';

export const opcuaLimitDefaults = OPCUA_LIMIT_DEFAULTS;

export const OPCUA_LIMIT_FLAGS = {
  'opcua-max-sessions': { type: 'string' },
  'opcua-max-subscriptions-per-session': { type: 'string' },
} as const;

export const OPCUA_LIMIT_FLAG_OF_SETTING = {
  opcuaMaxSessions: '--opcua-max-sessions',
  opcuaMaxSubscriptionsPerSession: '--opcua-max-subscriptions-per-session',
} as const;

/** The limits a server runs with: the settings, or the defaults where a stored settings row has none. */
export function opcuaLimits(settings: {
  opcuaMaxSessions?: number | undefined;
  opcuaMaxSubscriptionsPerSession?: number | undefined;
}): { sessions: number; subscriptionsPerSession: number } {
  return {
    sessions: settings.opcuaMaxSessions ?? opcuaLimitDefaults.opcuaMaxSessions,
    subscriptionsPerSession:
      settings.opcuaMaxSubscriptionsPerSession ?? opcuaLimitDefaults.opcuaMaxSubscriptionsPerSession,
  };
}
