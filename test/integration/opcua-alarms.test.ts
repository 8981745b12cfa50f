/**
 * docs/opcua.md "Alarms": the pair's alarm rules as OPC UA alarm conditions, on two real `tandem-node`
 * processes with node-opcua-client as the plant's alarm client (events subscribed on the Server object).
 */
import { describe, expect, it } from 'vitest';
import { DataType, StatusCodes, type NodeId } from 'node-opcua';
import { waitFor } from './harness.ts';
import {
  undoAfterEach,
  LOADED_MACHINE,
  makeOpcuaPair,
  openConnection,
  type EventField,
  type OpenArgs,
  type UaConnection,
} from './opcua-client.ts';

const register = undoAfterEach();
const connect = (...args: OpenArgs): Promise<UaConnection> => openConnection(register, ...args);

type UaEvent = Record<EventField, unknown>;

/** The events a connection hears from the Server object, and a way to wait for the one a test expects. */
async function listen(
  connection: UaConnection,
): Promise<(what: string, match: (e: UaEvent) => boolean) => Promise<UaEvent>> {
  const heard: UaEvent[] = [];
  await connection.subscribeEvents((event) => heard.push(event));
  return (what, match) => waitFor(() => heard.find(match), 15_000, what);
}

const text = (value: unknown): unknown => (value as { text?: unknown } | undefined)?.text;

describe('OPC UA alarm conditions', LOADED_MACHINE, () => {
  it('alarm rules are OPC UA alarm conditions: activation, acknowledgement and return raise events on the Server object; an acknowledgement from a client goes through the dashboard path, needs a signed-in operator, is refused on the standby, and both nodes show who acknowledged', async () => {
    const pair = await makeOpcuaPair(register);
    await pair.master.api('PUT', '/api/config/tags/boiler.temp', {
      dataType: 'float',
      source: { kind: 'memory' },
    });
    const master = await connect(pair.masterUrl);
    const backup = await connect(pair.backupUrl);
    const onMaster = await listen(master);
    const onBackup = await listen(backup);
    // Added while both servers run: the condition appears without a restart.
    const rule = {
      tag: 'boiler.temp',
      condition: 'high',
      threshold: 80,
      priority: 'high',
      message: 'Boiler too hot',
    };
    expect((await pair.master.api('PUT', '/api/config/alarm-rules/boiler.hot', rule)).status).toBe(200);
    const conditionId = `ns=${master.tagsNamespace};s=alarm:boiler.hot`;
    for (const connection of [master, backup])
      await waitFor(
        async () =>
          (await connection.read(`${conditionId}`)).statusCode.equals(StatusCodes.BadNodeIdUnknown)
            ? undefined
            : true,
        10_000,
        'the condition in the address space',
      );

    expect(await master.write(master.tagId('boiler.temp'), DataType.Double, 95)).toBe(StatusCodes.Good);
    const raised = (e: UaEvent): boolean =>
      text(e.Message) === 'Boiler too hot' && e['ActiveState.Id'] === true;
    const activation = await onMaster('the activation event', raised);
    expect(activation).toMatchObject({
      SourceName: 'boiler.temp',
      Severity: 700,
      Retain: true,
      'AckedState.Id': false,
    });
    expect((activation.ConditionId as NodeId).toString()).toBe(conditionId);
    // The standby shows the replicated state as its own condition's event.
    const onStandby = await onBackup('the activation event on the standby', raised);

    const eventId = activation.EventId as Buffer;
    const id = activation.ConditionId as NodeId;
    expect(await backup.acknowledge(id, onStandby.EventId as Buffer, 'from the standby')).toEqual(
      StatusCodes.BadNoCommunication,
    );
    const anonymous = await connect(pair.masterUrl, 'anonymous');
    expect(await anonymous.acknowledge(id, eventId, 'nobody')).toEqual(StatusCodes.BadUserAccessDenied);
    expect(await master.acknowledge(id, Buffer.from('not an event'), 'seen')).toEqual(
      StatusCodes.BadEventIdUnknown,
    );
    expect(await master.acknowledge(id, eventId, 'seen, venting')).toEqual(StatusCodes.Good);
    const acknowledged = (e: UaEvent): boolean => e['AckedState.Id'] === true && e['ActiveState.Id'] === true;
    expect(await onMaster('the acknowledgement event', acknowledged)).toMatchObject({
      ClientUserId: 'opcua-operator',
      Retain: true,
    });
    expect(text((await onMaster('the comment', acknowledged)).Comment)).toBe('seen, venting');
    await onBackup('the acknowledgement event on the standby', acknowledged);
    expect(await master.acknowledge(id, eventId, 'again')).toEqual(StatusCodes.BadEventIdUnknown);
    // What the dashboard shows, on both nodes: acknowledged by the operator who signed in to OPC UA.
    for (const node of [pair.master, pair.backup]) {
      const alarms = await node.api<{ id: string; active: boolean; acked: boolean; ackedBy: string }[]>(
        'GET',
        '/api/alarms',
      );
      expect(alarms.body.find((a) => a.id === 'boiler.hot')).toMatchObject({
        active: true,
        acked: true,
        ackedBy: 'opcua-operator',
      });
    }

    expect(await master.write(master.tagId('boiler.temp'), DataType.Double, 60)).toBe(StatusCodes.Good);
    expect(
      await onMaster(
        'the return event',
        (e) => e['ActiveState.Id'] === false && text(e.Message) === 'Back to normal: Boiler too hot',
      ),
    ).toMatchObject({ Retain: false, 'AckedState.Id': true });

    // A new occurrence needs a new acknowledgement; node-opcua-client's own call uses the instance's method.
    expect(await master.write(master.tagId('boiler.temp'), DataType.Double, 99)).toBe(StatusCodes.Good);
    const again = await onMaster(
      'the second activation',
      (e) =>
        e['ActiveState.Id'] === true &&
        e['AckedState.Id'] === false &&
        !(e.EventId as Buffer).equals(eventId),
    );
    expect(await master.session.acknowledgeCondition(id, again.EventId as Buffer, 'second')).toEqual(
      StatusCodes.Good,
    );
    const second = await pair.backup.api<{ id: string; acked: boolean }[]>('GET', '/api/alarms');
    expect(second.body.find((a) => a.id === 'boiler.hot')?.acked).toBe(true);

    // A rule removed is gone from the address space, without a restart.
    expect((await pair.master.api('DELETE', '/api/config/alarm-rules/boiler.hot')).status).toBeLessThan(300);
    await waitFor(
      async () =>
        (await backup.read(conditionId)).statusCode.equals(StatusCodes.BadNodeIdUnknown) ? true : undefined,
      10_000,
      'the condition removed on the standby',
    );
  });
});
