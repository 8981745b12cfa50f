/**
 * The node's log lines as an operator sees them: readable at a terminal (TANDEM_LOG_FORMAT=pretty stands in
 * for the terminal here; node-core/pretty-log.spec.ts covers the choice), JSON lines into a pipe or file.
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { SOURCE_CLI, tempDir, waitFor } from './harness.ts';

const running: { kill(signal: NodeJS.Signals): boolean }[] = [];
afterEach(() => running.splice(0).forEach((child) => child.kill('SIGKILL')));

async function firstLogLine(env: Record<string, string>): Promise<string> {
  const child = spawn(
    process.execPath,
    [
      SOURCE_CLI,
      '--data-dir',
      tempDir('log-format'),
      '--api-port',
      '0',
      '--peer-port',
      '0',
      '--opcua-port',
      '0',
    ],
    { env: { ...process.env, TANDEM_LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  running.push(child);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return waitFor(
    () => stderr.split('\n').find((line) => line.includes('node is active')),
    30_000,
    'a log line',
  );
}

describe('log lines', () => {
  it('readable at a terminal: time, level, message, fields', async () => {
    const line = await firstLogLine({ TANDEM_LOG_FORMAT: 'pretty' });
    expect(line).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}node is active {2}status=active epoch=1 /);
  });

  it('JSON when written to a pipe', async () => {
    const line = await firstLogLine({ TANDEM_LOG_FORMAT: '' });
    expect(JSON.parse(line)).toMatchObject({ level: 30, msg: 'node is active', status: 'active' });
  });
});
