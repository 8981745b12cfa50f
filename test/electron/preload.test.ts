/**
 * The preload as Electron runs it when sandboxed: a CommonJS script with a `require` that knows only
 * 'electron'. It is compiled the way the build compiles it (TypeScript, CommonJS) and run in a fresh V8
 * context with a fake ipcRenderer and contextBridge.
 */
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import type { TandemBridge } from '../../electron/shared/bridge.ts';
import { invokeChannels } from '../../electron/shared/ipc-contract.ts';
import { REPO } from './desktop-harness.ts';

const source = fs.readFileSync(path.join(REPO, 'electron', 'preload', 'index.cts'), 'utf8');
const compiled = ts.transpileModule(source, {
  compilerOptions: {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    verbatimModuleSyntax: false,
  },
  fileName: 'index.cts',
}).outputText;

interface Loaded {
  bridge: TandemBridge;
  exposed: Map<string, unknown>;
  invoked: { channel: string; input: unknown }[];
  listeners: Map<string, ((event: unknown, payload: unknown) => void)[]>;
  required: string[];
  answers: Map<string, unknown>;
}

function load(): Loaded {
  const exposed = new Map<string, unknown>();
  const invoked: { channel: string; input: unknown }[] = [];
  const listeners = new Map<string, ((event: unknown, payload: unknown) => void)[]>();
  const required: string[] = [];
  const answers = new Map<string, unknown>();
  const ipcRenderer = {
    invoke: (channel: string, input: unknown) => {
      invoked.push({ channel, input });
      return Promise.resolve(answers.get(channel) ?? { ok: true, value: `value of ${channel}` });
    },
    on: (channel: string, listener: (event: unknown, payload: unknown) => void) => {
      listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
    },
    removeListener: (channel: string, listener: (event: unknown, payload: unknown) => void) => {
      listeners.set(
        channel,
        (listeners.get(channel) ?? []).filter((l) => l !== listener),
      );
    },
  };
  const contextBridge = { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) };
  const sandboxRequire = (name: string): unknown => {
    required.push(name);
    if (name === 'electron') return { ipcRenderer, contextBridge };
    throw new Error(`a sandboxed preload cannot require ${name}`);
  };
  const module = { exports: {} };
  // Electron's sandboxed preload wrapper: (require, process, Buffer, global, setImmediate, clearImmediate, exports, module).
  vm.runInNewContext(compiled, { require: sandboxRequire, module, exports: module.exports, Promise, Error });
  return { bridge: exposed.get('tandem') as TandemBridge, exposed, invoked, listeners, required, answers };
}

describe('preload', () => {
  it("needs nothing but 'electron', and exposes one object, window.tandem", () => {
    const { exposed, required } = load();
    expect(required).toEqual(['electron']);
    expect([...exposed.keys()]).toEqual(['tandem']);
  });

  it('exposes named functions only, never ipcRenderer or anything of it', () => {
    const { bridge } = load();
    expect(Object.keys(bridge).sort()).toEqual(
      [
        'getConnection',
        'getFirstRunDefaults',
        'getPreferences',
        'onNavigate',
        'openDashboard',
        'openPartner',
        'setPreferences',
        'submitFirstRun',
      ].sort(),
    );
    for (const value of Object.values(bridge)) expect(typeof value).toBe('function');
    expect(compiled).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
  });

  it('reaches every invoke channel of the contract, and nothing else', async () => {
    const { bridge, invoked } = load();
    await bridge.getConnection();
    await bridge.openDashboard();
    await bridge.openPartner('http://10.0.0.12:8088/');
    await bridge.getFirstRunDefaults();
    await bridge.submitFirstRun({ mode: 'independent', name: 'x', apiPort: 8088 });
    await bridge.getPreferences();
    await bridge.setPreferences({ openAtLogin: true });
    expect(invoked.map((i) => i.channel).sort()).toEqual(Object.keys(invokeChannels).sort());
    expect(invoked.find((i) => i.channel === 'preferences:set')?.input).toEqual({ openAtLogin: true });
    expect(invoked.find((i) => i.channel === 'window:open-partner')?.input).toBe('http://10.0.0.12:8088/');
  });

  it('unwraps values, and rebuilds an error result as a rejection with its code', async () => {
    const { bridge, answers } = load();
    answers.set('connection:get', { ok: true, value: { apiUrl: 'http://127.0.0.1:8088', token: 't' } });
    await expect(bridge.getConnection()).resolves.toEqual({ apiUrl: 'http://127.0.0.1:8088', token: 't' });
    answers.set('connection:get', {
      ok: false,
      error: { code: 'NOT_RUNNING', message: 'the node is not running' },
    });
    await expect(bridge.getConnection()).rejects.toThrow('NOT_RUNNING: the node is not running');
  });

  it('hands the first-run form its result whole, field errors included', async () => {
    const { bridge, answers } = load();
    const failure = {
      ok: false,
      error: { code: 'BAD_INPUT', message: 'masterHost: x', fields: { masterHost: 'x' } },
    };
    answers.set('first-run:submit', failure);
    await expect(bridge.submitFirstRun({ mode: 'independent', name: 'x', apiPort: 1 })).resolves.toEqual(
      failure,
    );
  });

  it('passes on navigation requests with known routes only, and unsubscribes', () => {
    const { bridge, listeners } = load();
    const routes: string[] = [];
    const off = bridge.onNavigate((route) => routes.push(route));
    const emit = (payload: unknown): void => {
      for (const l of listeners.get('window:navigate') ?? []) l({ sender: 'ipc event stays here' }, payload);
    };
    emit('certificates');
    emit('conflicts');
    emit('javascript:alert(1)');
    emit({ route: 'history' });
    off();
    emit('history');
    expect(routes).toEqual(['certificates', 'conflicts']);
  });
});
