/**
 * docs/opcua.md "Limits" and "Settings": a real `tandem-node` with node-opcua-client. A client over the
 * session or subscription limit gets the Bad status code while the others carry on; the insecure switch,
 * stored with the settings, is turned off again by a flag.
 */
import { describe, expect, it } from 'vitest';
import {
  undoAfterEach,
  LOADED_MACHINE,
  makeOpcuaNode,
  opcuaRunning,
  openConnection,
  UaConnection,
  type OpenArgs,
} from './opcua-client.ts';

const register = undoAfterEach();
const connect = (...args: OpenArgs): Promise<UaConnection> => openConnection(register, ...args);

const opcuaNode = (label: string, args: string[]): ReturnType<typeof makeOpcuaNode> =>
  makeOpcuaNode(register, label, args);
const running = opcuaRunning;

/** The bare CreateSubscription service (the session has it; its typings name only the helpers around it). */
type SubscriptionService = { createSubscription(request: object): Promise<unknown> };

function subscription(connection: UaConnection): Promise<unknown> {
  return (connection.session as unknown as SubscriptionService).createSubscription({
    requestedPublishingInterval: 100,
    requestedLifetimeCount: 100,
    requestedMaxKeepAliveCount: 10,
    publishingEnabled: true,
  });
}

describe('OPC UA limits and settings', LOADED_MACHINE, () => {
  it('a client over --opcua-max-sessions gets Bad_TooManySessions, one over --opcua-max-subscriptions-per-session gets Bad_TooManySubscriptions; the node keeps serving the others', async () => {
    const { node, url } = await opcuaNode('opcua-limits', [
      '--opcua-allow-insecure',
      '--opcua-max-sessions',
      '2',
      '--opcua-max-subscriptions-per-session',
      '1',
    ]);
    await node.start();
    await running(node);
    const first = await connect(url);
    const second = await connect(url, 'anonymous');
    const third = UaConnection.open(url);
    await expect(third).rejects.toThrow(/BadTooManySessions/);

    await subscription(first);
    await expect(subscription(first)).rejects.toThrow(/BadTooManySubscriptions/);
    // Another session has its own allowance.
    await subscription(second);

    // The others carry on: both sessions read, the node answers, nothing restarted.
    expect(await first.serviceLevel()).toBe(255);
    expect(await second.serviceLevel()).toBe(255);
    const status = await node.status();
    expect(status?.opcua).toMatchObject({ state: 'running', sessions: 2 });
    expect(status?.node.status).toBe('active');
  });

  it('--no-opcua-allow-insecure turns off the stored --opcua-allow-insecure: SecurityPolicy None is refused again', async () => {
    const { node, url } = await opcuaNode('opcua-insecure-off', []);
    await node.start(['--opcua-allow-insecure']);
    await running(node);
    expect(await (await connect(url, 'anonymous')).serviceLevel()).toBe(255);
    await node.kill('SIGTERM');

    // Not given again: the stored setting holds (the reason a flag must be able to turn it off).
    await node.start();
    const stored = await node.api<{ opcuaAllowInsecure: boolean }>('GET', '/api/settings');
    expect(stored.body.opcuaAllowInsecure).toBe(true);
    await node.kill('SIGTERM');

    await node.start(['--no-opcua-allow-insecure']);
    const off = await node.api<{ opcuaAllowInsecure: boolean }>('GET', '/api/settings');
    expect(off.body.opcuaAllowInsecure).toBe(false);
    await running(node);
    await expect(UaConnection.open(url, 'anonymous', 'none')).rejects.toThrow();
    await node.kill('SIGTERM');

    // And it stays off at the next start.
    await node.start();
    const later = await node.api<{ opcuaAllowInsecure: boolean }>('GET', '/api/settings');
    expect(later.body.opcuaAllowInsecure).toBe(false);
  });
});
