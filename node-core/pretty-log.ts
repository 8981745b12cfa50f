/**
 * Log lines for a person at a terminal: `12:04:31.207 WARN  node is stopping  reason=stopping epoch=3`, with
 * an error's stack below its line. pino writes its JSON records into this stream, which rewrites each one;
 * the records stay exactly what the JSON output carries, only their form changes (logging.ts says when).
 *
 * Our own small formatter rather than pino-pretty: pino-pretty runs as a pino transport on a worker thread
 * that pino loads by module name at run time, which the service bundle cannot resolve (the same kind of
 * break as the store thread's once was, docs in node-core/store/store-worker.ts), and it would bring a
 * dozen packages to print records that are flat objects.
 */
import type { Writable } from 'node:stream';

const LEVELS: Readonly<Record<number, { name: string; colour: string }>> = {
  10: { name: 'TRACE', colour: '\x1b[90m' },
  20: { name: 'DEBUG', colour: '\x1b[90m' },
  30: { name: 'INFO', colour: '\x1b[32m' },
  40: { name: 'WARN', colour: '\x1b[33m' },
  50: { name: 'ERROR', colour: '\x1b[31m' },
  60: { name: 'FATAL', colour: '\x1b[41m' },
};
const RESET = '\x1b[0m';

/** pino's own fields, and ours that every record carries: shown in the line's head or not at all. */
const HEAD_FIELDS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'app', 'v']);

interface SerializedError {
  readonly type?: string;
  readonly message?: string;
  readonly stack?: string;
}

export interface PrettyLogOptions {
  readonly colour: boolean;
}

/** One JSON record as one line (and an error's stack indented below it); a line that is no record as is. */
export function prettyLine(json: string, options: PrettyLogOptions): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const level = LEVELS[record['level'] as number] ?? { name: String(record['level']), colour: '' };
  const time = typeof record['time'] === 'number' ? new Date(record['time']).toISOString().slice(11, 23) : '';
  const levelText = level.name.padEnd(5);
  const head = `${time} ${options.colour ? `${level.colour}${levelText}${RESET}` : levelText} ${typeof record['msg'] === 'string' ? record['msg'] : ''}`;
  const fields: string[] = [];
  const stacks: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (HEAD_FIELDS.has(key) || value === undefined) continue;
    if (isError(value)) {
      fields.push(`${key}=${quote(value.message ?? value.type ?? 'error')}`);
      if (value.stack)
        stacks.push(
          ...value.stack
            .split('\n')
            .slice(1)
            .map((line) => `    ${line.trim()}`),
        );
    } else fields.push(`${key}=${quote(value)}`);
  }
  return [fields.length > 0 ? `${head}  ${fields.join(' ')}` : head, ...stacks].join('\n');
}

function isError(value: unknown): value is SerializedError {
  return typeof value === 'object' && value !== null && 'message' in value && 'stack' in value;
}

/** Text bare when it is one word, else quoted; numbers, booleans and objects as JSON. */
function quote(value: unknown): string {
  if (typeof value !== 'string') return JSON.stringify(value);
  return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
}

/** A stream pino writes to (one record per write), printing each record as prettyLine does. */
export function prettyLogStream(out: Writable, options: PrettyLogOptions): { write(chunk: string): void } {
  return {
    write(chunk: string) {
      for (const line of chunk.split('\n')) {
        if (line.trim() !== '') out.write(`${prettyLine(line, options)}\n`);
      }
    },
  };
}
