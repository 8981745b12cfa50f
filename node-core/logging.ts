/**
 * Structured logs (pino) on stderr, so stdout stays for what the CLI prints to the operator. JSON lines for
 * journald, files and log shippers; at a terminal the same records as readable lines (pretty-log.ts).
 * TANDEM_LOG_FORMAT=json|pretty chooses either way.
 */
import { pino } from 'pino';
import { prettyLogStream } from './pretty-log.ts';

export type Logger = pino.Logger;

export type LogFormat = 'json' | 'pretty';

/** `pretty` when stderr is a terminal, else `json`, unless TANDEM_LOG_FORMAT says which. */
export function logFormat(
  env: NodeJS.ProcessEnv = process.env,
  isTerminal = process.stderr.isTTY,
): LogFormat {
  const chosen = env['TANDEM_LOG_FORMAT'];
  if (chosen === 'json' || chosen === 'pretty') return chosen;
  return isTerminal ? 'pretty' : 'json';
}

export function createLogger(
  level: string = process.env['TANDEM_LOG_LEVEL'] ?? 'info',
  format: LogFormat = logFormat(),
): Logger {
  const destination =
    format === 'pretty'
      ? prettyLogStream(process.stderr, { colour: process.stderr.isTTY && !process.env['NO_COLOR'] })
      : pino.destination(2);
  return pino({ level, base: { app: 'tandem' } }, destination);
}

export const silentLogger: Logger = pino({ level: 'silent' });
