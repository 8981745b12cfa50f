import { describe, expect, it } from 'vitest';
import {
  CHANNEL_NAME,
  eventChannels,
  invokeChannels,
  isHostOrAddress,
} from '../../electron/shared/ipc-contract.ts';
import { answer, registerIpcHandlers, type Handlers } from '../../electron/main/ipc-main.ts';
import { DesktopError } from '../../electron/main/errors.ts';
import { FakeIpcMain } from './fake-electron.ts';

const DASHBOARD = 'http://127.0.0.1:8088';
const FIRST_RUN = 'tandem://first-run';
const sites = (kind: 'dashboard' | 'first-run'): string => (kind === 'dashboard' ? DASHBOARD : FIRST_RUN);

function handlers(change: Partial<Handlers> = {}): Handlers {
  return {
    'connection:get': () => ({ apiUrl: DASHBOARD, token: 'secret-token' }),
    'window:open-dashboard': () => null,
    'window:open-partner': () => null,
    'first-run:get-defaults': () => ({ name: 'pc', apiPort: 8088, peerPort: 8099, masterPort: 8099 }),
    'first-run:submit': (answers) =>
      answers.mode === 'monitor'
        ? { mode: answers.mode, pairs: 1, apiUrl: DASHBOARD }
        : { name: answers.name, mode: answers.mode, fingerprint: 'ff', apiUrl: DASHBOARD },
    'preferences:get': () => ({ openAtLogin: false }),
    'preferences:set': (p) => p,
    ...change,
  };
}

function rig(change: Partial<Handlers> = {}): FakeIpcMain {
  const ipc = new FakeIpcMain();
  registerIpcHandlers(ipc, sites, handlers(change));
  return ipc;
}

describe('the contract', () => {
  it('names every channel area:verb', () => {
    for (const name of [...Object.keys(invokeChannels), ...Object.keys(eventChannels)])
      expect(name).toMatch(CHANNEL_NAME);
  });

  it('registers one handler per invoke channel, and removes them all', () => {
    const ipc = new FakeIpcMain();
    const remove = registerIpcHandlers(ipc, sites, handlers());
    expect([...ipc.handlers.keys()].sort()).toEqual(Object.keys(invokeChannels).sort());
    remove();
    expect(ipc.handlers.size).toBe(0);
  });

  it.each([
    ['10.0.0.11', true],
    ['plc-7.plant.local', true],
    ['localhost', true],
    ['::1', true],
    ['[fe80::1]', true],
    ['300.1.1.1', false],
    ['10.0.0', false],
    ['bad host', false],
    ['-leading.dash', false],
    ['http://10.0.0.11', false],
  ])('host %s is %s', (host, ok) => {
    expect(isHostOrAddress(host)).toBe(ok);
  });
});

describe('sender check', () => {
  it('answers the page the channel belongs to', async () => {
    const ipc = rig();
    expect(await ipc.invoke('connection:get', { url: `${DASHBOARD}/#/overview` })).toEqual({
      ok: true,
      value: { apiUrl: DASHBOARD, token: 'secret-token' },
    });
  });

  it.each([
    ['another origin', { url: 'http://127.0.0.1:9999/' }],
    ['a look-alike host', { url: 'http://127.0.0.1.evil.example:8088/' }],
    ['the first-run page (which may not have the token)', { url: `${FIRST_RUN}/index.html` }],
    ['a sub-frame of the dashboard', { url: `${DASHBOARD}/`, subFrame: true }],
    ['a frame already gone', null],
  ])('refuses %s', async (_name, from) => {
    const result = await rig().invoke('connection:get', from);
    expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_SENDER' } });
    expect(JSON.stringify(result)).not.toContain('secret-token');
  });

  it('refuses the dashboard before a node runs (it has no site yet)', async () => {
    const ipc = new FakeIpcMain();
    registerIpcHandlers(ipc, (kind) => (kind === 'dashboard' ? null : FIRST_RUN), handlers());
    expect(await ipc.invoke('connection:get', { url: `${DASHBOARD}/` })).toMatchObject({
      error: { code: 'FORBIDDEN_SENDER' },
    });
  });
});

describe('payload validation', () => {
  const fromFirstRun = { url: `${FIRST_RUN}/index.html` };

  it('answers BAD_INPUT naming the field', async () => {
    const result = await rig().invoke('first-run:submit', fromFirstRun, {
      mode: 'backup',
      name: 'line-1',
      apiPort: 8088,
      masterHost: 'not a host',
      masterPort: 8099,
    });
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'BAD_INPUT',
        message: 'masterHost: is not a host name or IP address',
        fields: { masterHost: 'is not a host name or IP address' },
      },
    });
  });

  it('names every wrong field', async () => {
    const result = (await rig().invoke('first-run:submit', fromFirstRun, {
      mode: 'master',
      name: '  ',
      apiPort: 70000,
      peerPort: 1.5,
    })) as { ok: false; error: { message: string; fields: Record<string, string> } };
    expect(result.error.fields).toEqual({
      name: 'is required',
      apiPort: 'must be between 1 and 65535',
      peerPort: 'must be a whole number',
    });
    expect(result.error.message).toContain('apiPort: must be between 1 and 65535');
  });

  it('names an unknown mode and unknown fields', async () => {
    const ipc = rig();
    expect(
      await ipc.invoke('first-run:submit', fromFirstRun, { mode: 'primary', name: 'x', apiPort: 1 }),
    ).toMatchObject({
      error: { code: 'BAD_INPUT', message: 'mode: must be independent, master, backup or monitor' },
    });
    expect(
      await ipc.invoke('first-run:submit', fromFirstRun, {
        mode: 'independent',
        name: 'x',
        apiPort: 1,
        nodeIntegration: true,
      }),
    ).toMatchObject({ error: { code: 'BAD_INPUT', fields: { nodeIntegration: 'is not a known field' } } });
  });

  it('refuses input on a channel that takes none', async () => {
    expect(await rig().invoke('connection:get', { url: `${DASHBOARD}/` }, { token: 'guess' })).toMatchObject({
      error: { code: 'BAD_INPUT', message: 'input: takes no input' },
    });
  });

  it('validates preferences', async () => {
    expect(
      await rig().invoke('preferences:set', { url: `${DASHBOARD}/` }, { openAtLogin: 'yes' }),
    ).toMatchObject({
      error: { code: 'BAD_INPUT', message: 'openAtLogin: must be true or false' },
    });
  });
});

describe('handlers never reject', () => {
  it('encodes a named error with its code and fields', async () => {
    const ipc = rig({
      'first-run:submit': () => {
        throw new DesktopError('PORT_TAKEN', 'API port 8088 is already in use', {
          fields: { apiPort: 'in use' },
        });
      },
    });
    expect(
      await ipc.invoke(
        'first-run:submit',
        { url: `${FIRST_RUN}/` },
        { mode: 'independent', name: 'x', apiPort: 8088 },
      ),
    ).toEqual({
      ok: false,
      error: {
        code: 'PORT_TAKEN',
        message: 'API port 8088 is already in use',
        fields: { apiPort: 'in use' },
      },
    });
  });

  it('encodes anything else as INTERNAL, from sync throws and rejections alike', async () => {
    const ipc = rig({
      'preferences:get': () => {
        throw new TypeError('boom');
      },
      'window:open-dashboard': () => Promise.reject(new Error('later boom')),
    });
    await expect(ipc.invoke('preferences:get', { url: `${DASHBOARD}/` })).resolves.toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'boom' },
    });
    await expect(ipc.invoke('window:open-dashboard', { url: `${DASHBOARD}/` })).resolves.toMatchObject({
      ok: false,
      error: { code: 'INTERNAL', message: 'later boom' },
    });
  });

  it('survives an event without a frame object at all', async () => {
    const result = await answer('connection:get', { senderFrame: null }, undefined, sites, handlers());
    expect(result.ok).toBe(false);
  });
});
