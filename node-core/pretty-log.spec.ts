import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { logFormat } from './logging.ts';
import { prettyLine, prettyLogStream } from './pretty-log.ts';

/** A real pino logger writing through the pretty stream, as createLogger makes it at a terminal. */
function prettyLogger(): { logger: pino.Logger; text: () => string } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const logger = pino({ level: 'info', base: { app: 'tandem' } }, prettyLogStream(out, { colour: false }));
  return { logger, text: () => text };
}

describe('log lines at a terminal', () => {
  it('a record is one line: time, level, message, then its fields', () => {
    const { logger, text } = prettyLogger();
    logger.info({ status: 'active', epoch: 1, reason: 'started independent' }, 'node is active');
    expect(text()).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} INFO {2}node is active {2}status=active epoch=1 reason="started independent"\n$/,
    );
    expect(text()).not.toContain('{');
  });

  it("an error's message is a field and its stack follows, indented", () => {
    const { logger, text } = prettyLogger();
    logger.warn(
      { err: new Error('__require is not defined') },
      'WAL checkpoints run on the main thread again',
    );
    const [line, ...stack] = text().trimEnd().split('\n');
    expect(line).toMatch(
      / WARN {2}WAL checkpoints run on the main thread again {2}err="__require is not defined"$/,
    );
    expect(stack.length).toBeGreaterThan(0);
    expect(stack.every((l) => l.startsWith('    at '))).toBe(true);
  });

  it('colours the level only when asked, and passes a line that is no record through', () => {
    const record = JSON.stringify({ level: 50, time: 0, msg: 'boom' });
    expect(prettyLine(record, { colour: true })).toBe('00:00:00.000 \x1b[31mERROR\x1b[0m boom');
    expect(prettyLine('plain text', { colour: false })).toBe('plain text');
  });

  it('pretty at a terminal, JSON otherwise, and TANDEM_LOG_FORMAT decides when given', () => {
    expect(logFormat({}, true)).toBe('pretty');
    expect(logFormat({}, false)).toBe('json');
    expect(logFormat({ TANDEM_LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormat({ TANDEM_LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
  });
});
