import { describe, expect, it } from 'vitest';
import { parseLiveMessage } from './live-messages.ts';

describe('live messages', () => {
  it('reads each message type the node pushes', () => {
    expect(parseLiveMessage('{"type":"status","status":{"node":{"name":"pump"}}}')).toEqual({
      type: 'status',
      status: { node: { name: 'pump' } },
    });
    expect(parseLiveMessage('{"type":"event","event":{"id":"e1","kind":"peer-lost"}}')).toEqual({
      type: 'event',
      event: { id: 'e1', kind: 'peer-lost' },
    });
    expect(parseLiveMessage('{"type":"config","kinds":["tag","opcua-client"]}')).toEqual({
      type: 'config',
      kinds: ['tag', 'opcua-client'],
    });
  });

  it('skips what it does not understand: not JSON, another type, a status without its node', () => {
    expect(parseLiveMessage('not json')).toBeNull();
    expect(parseLiveMessage('{"type":"weather","sky":"blue"}')).toBeNull();
    expect(parseLiveMessage('{"type":"status","status":{"peer":null}}')).toBeNull();
    expect(parseLiveMessage('{"type":"event","event":{"kind":"peer-lost"}}')).toBeNull();
  });

  it('drops the entries of a list that do not say what they are about, and config kinds it does not know', () => {
    const values = parseLiveMessage(
      JSON.stringify({ type: 'values', values: [{ name: 'a', value: 1 }, { value: 2 }, 'x'] }),
    );
    expect(values).toEqual({ type: 'values', values: [{ name: 'a', value: 1 }] });
    const alarms = parseLiveMessage(
      JSON.stringify({ type: 'alarms', alarms: [{ id: 'hi' }, { active: true }] }),
    );
    expect(alarms).toEqual({ type: 'alarms', alarms: [{ id: 'hi' }] });
    expect(parseLiveMessage('{"type":"config","kinds":["tag","weather"]}')).toEqual({
      type: 'config',
      kinds: ['tag'],
    });
  });
});
