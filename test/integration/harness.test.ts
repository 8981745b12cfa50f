/** The harness itself: ports bound by the node, a taken port tried again, nothing left behind. */
import fs from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { ANY_PORT, cleanUp, NodeProcess, tempDir, waitFor } from './harness.ts';

describe('the integration harness', () => {
  it('a node given ANY_PORT binds a free port, which the harness reads from its dashboard address', async () => {
    const node = new NodeProcess(tempDir('any-port'), ANY_PORT, ['--name', 'any-port']);
    await node.start();
    expect(node.apiPort).toBeGreaterThan(0);
    expect((await node.status())?.node.name).toBe('any-port');
    await node.kill('SIGKILL');
  });

  it('a start that finds its port taken tries again, and succeeds once the port is free', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const node = new NodeProcess(tempDir('taken'), port, []);
    const started = node.start();
    // The first attempt ends with "API port … is already in use"; then the port comes free.
    await waitFor(() => (node.child?.exitCode === 1 ? true : undefined), 30_000, 'the first attempt to fail');
    await new Promise((resolve) => blocker.close(resolve));
    await started;
    expect(node.apiPort).toBe(port);
    await node.kill('SIGKILL');
  });

  it('cleanUp kills the nodes still running and removes the temp folders', async () => {
    const dir = tempDir('left-behind');
    const node = new NodeProcess(dir, ANY_PORT, []);
    await node.start();
    await cleanUp();
    expect(node.child?.signalCode).toBe('SIGKILL');
    expect(fs.existsSync(dir)).toBe(false);
  });
});
