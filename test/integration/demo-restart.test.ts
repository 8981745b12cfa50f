/**
 * The demo's exit notice (scripts/demo-restart.ts): the restart command it prints for a node that died must
 * start that node again when pasted into a shell, and a node the demo stopped on purpose gets no such hint.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exitNotice, restartCommand } from '../../scripts/demo-restart.ts';
import { freePort, NodeProcess, tempDir, waitFor } from './harness.ts';

const root = path.resolve(import.meta.dirname, '../..');
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

describe("the demo's exit notice", () => {
  it('a node stopped on purpose: no restart command', () => {
    const notice = exitNotice({
      role: 'master',
      code: 0,
      signal: null,
      stoppedOnPurpose: true,
      restart: restartCommand(root, path.join(root, '.tandem-demo/master')),
    });
    expect(notice).toBe('[master] stopped.');
  });

  it('a killed node: the printed command, pasted into a shell, starts it again with its stored flags', async () => {
    // A port chosen in advance: the test is that the restart binds the stored port again.
    const port = await freePort();
    const node = new NodeProcess(tempDir('demo restart'), port, ['--peer-port', '0']);
    await node.start();
    await node.kill('SIGKILL');
    const notice = exitNotice({
      role: 'master',
      code: null,
      signal: 'SIGKILL',
      stoppedOnPurpose: false,
      restart: restartCommand(root, node.dataDir),
    });
    expect(notice).toMatch(
      /^\[master\] was killed \(SIGKILL\)\. Start it again in another terminal with:\n {2}cd /,
    );
    const pasted = notice.split('\n')[1]!.trim();
    // From another folder, as a person in a new terminal would be.
    const shell = spawn('sh', ['-c', pasted], { cwd: tempDir('elsewhere'), detached: true });
    cleanups.push(() => {
      if (shell.exitCode === null) process.kill(-shell.pid!, 'SIGKILL');
    });
    let output = '';
    shell.stdout.on('data', (d: Buffer) => (output += d.toString()));
    shell.stderr.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor(
      () => (output.includes('Dashboard:') ? true : undefined),
      30_000,
      `the pasted command:\n${output}`,
    );
    expect(output).toContain(`Dashboard: http://127.0.0.1:${port}/#token=`);
  });
});
