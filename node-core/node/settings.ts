/** The node's settings: what the flags of contract.md set, validated as one object, stored in the database. */
import { z } from 'zod';
import { validateCron } from '../redundancy/restore-window.ts';

const port = z.number().int().min(0).max(65535);
const positiveMs = z.number().int().min(1).max(3_600_000);
const hostPort = z.object({ host: z.string().min(1), port: port.min(1) });

export const nodeSettingsSchema = z
  .object({
    name: z.string().trim().min(1).max(128),
    mode: z.enum(['independent', 'master', 'backup']),
    peerHost: z.string().min(1),
    peerPort: port,
    masterHost: z.string().min(1).nullable(),
    masterPort: port.min(1),
    apiHost: z.string().min(1),
    apiPort: port,
    standby: z.enum(['cold', 'warm']),
    recovery: z.enum(['automatic', 'manual', 'window']),
    restoreWindow: z
      .object({
        cron: z.string().refine(
          (cron) => {
            try {
              validateCron(cron);
              return true;
            } catch {
              return false;
            }
          },
          { message: 'is not a valid CRON expression' },
        ),
        lengthMs: positiveMs,
      })
      .nullable(),
    isolationCheck: hostPort.nullable(),
    timing: z.object({
      pingRateMs: positiveMs,
      pingTimeoutMs: positiveMs,
      missedPings: z.number().int().min(1).max(100),
      failoverTimeMs: z.number().int().min(0).max(3_600_000),
      connectionWaitMs: z.number().int().min(0).max(3_600_000),
    }),
    licenseFile: z.string().min(1).nullable(),
    licensePublicKeyFile: z.string().min(1).nullable(),
  })
  .superRefine((s, ctx) => {
    if (s.mode === 'backup' && !s.masterHost) {
      ctx.addIssue({ code: 'custom', path: ['masterHost'], message: 'a backup needs --master-host' });
    }
    if (s.recovery === 'window' && !s.restoreWindow) {
      ctx.addIssue({
        code: 'custom',
        path: ['restoreWindow'],
        message: 'recovery "window" needs --restore-window CRON and --restore-window-length MS',
      });
    }
  });

export type NodeSettings = z.infer<typeof nodeSettingsSchema>;

export function defaultSettings(hostName: string): NodeSettings {
  return {
    name: hostName,
    mode: 'independent',
    peerHost: '0.0.0.0',
    peerPort: 8099,
    masterHost: null,
    masterPort: 8099,
    apiHost: '127.0.0.1',
    apiPort: 8088,
    standby: 'warm',
    recovery: 'automatic',
    restoreWindow: null,
    isolationCheck: null,
    timing: {
      pingRateMs: 1000,
      pingTimeoutMs: 3000,
      missedPings: 3,
      failoverTimeMs: 10_000,
      connectionWaitMs: 10_000,
    },
    licenseFile: null,
    licensePublicKeyFile: null,
  };
}

/** The flag that sets each setting, so that errors name what the operator typed. */
export const FLAG_OF_SETTING: Readonly<Record<string, string>> = {
  name: '--name',
  mode: '--mode',
  peerHost: '--peer-host',
  peerPort: '--peer-port',
  masterHost: '--master-host',
  masterPort: '--master-port',
  apiHost: '--api-host',
  apiPort: '--api-port',
  standby: '--standby',
  recovery: '--recovery',
  restoreWindow: '--restore-window',
  'restoreWindow.cron': '--restore-window',
  'restoreWindow.lengthMs': '--restore-window-length',
  isolationCheck: '--isolation-check',
  'isolationCheck.host': '--isolation-check',
  'isolationCheck.port': '--isolation-check',
  'timing.pingRateMs': '--ping-rate',
  'timing.pingTimeoutMs': '--ping-timeout',
  'timing.missedPings': '--missed-pings',
  'timing.failoverTimeMs': '--failover-time',
  'timing.connectionWaitMs': '--connection-wait',
  licenseFile: '--license',
  licensePublicKeyFile: '--license-public-key',
};

/** Names each wrong field the way an operator typed it, e.g. `--ping-rate (timing.pingRateMs): too small`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.join('.') || 'settings';
      const flag = FLAG_OF_SETTING[field];
      return `${flag ? `${flag} (${field})` : field}: ${issue.message}`;
    })
    .join('; ');
}
