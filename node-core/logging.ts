/** Structured logs (pino) on stderr, so stdout stays for what the CLI prints to the operator. */
import { pino } from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string = process.env['TANDEM_LOG_LEVEL'] ?? 'info'): Logger {
  return pino({ level, base: { app: 'tandem' } }, pino.destination(2));
}

export const silentLogger: Logger = pino({ level: 'silent' });
