import { describe, expect, it } from 'vitest';
import {
  CANCEL_BUTTON,
  CONFIRM_BUTTON,
  QuitFlow,
  confirmQuitOptions,
} from '../../electron/main/quit-flow.ts';
import type { NodeSnapshot } from '../../electron/main/tray-state.ts';
import { FakeDialog, cancellable } from './fake-electron.ts';
import { statusView, type ViewShape } from './fixtures.ts';

/** Lets promise callbacks run; no timers, no sleeping. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

function rig(snapshot: NodeSnapshot) {
  const steps: string[] = [];
  let finishStop: (() => void) | null = null;
  let failStop: ((error: Error) => void) | null = null;
  const dialog = new FakeDialog();
  const node = {
    snapshot,
    stop: () => {
      steps.push('stop:start');
      return new Promise<void>((resolve, reject) => {
        finishStop = () => {
          steps.push('stop:done');
          resolve();
        };
        failStop = reject;
      });
    },
  };
  const flow = new QuitFlow({
    app: { exit: (code) => steps.push(`exit:${code ?? 0}`) },
    dialog,
    node,
    beforeExit: () => steps.push('beforeExit'),
    log: (m) => steps.push(`log:${m}`),
  });
  return {
    flow,
    dialog,
    steps,
    finishStop: () => finishStop?.(),
    failStop: (e: Error) => failStop?.(e),
  };
}

const active = (shape: ViewShape = {}): NodeSnapshot => ({ phase: 'running', view: statusView(shape) });

describe('quitting an active node', () => {
  it('asks, then waits for the hand-over (running.stop()) before the app exits', async () => {
    const { flow, dialog, steps, finishStop } = rig(active());
    const event = cancellable();
    flow.onBeforeQuit(event);
    expect(event.prevented).toBe(true);
    expect(dialog.shown).toHaveLength(1);
    expect(steps).toEqual([]);

    dialog.answer(CONFIRM_BUTTON);
    await settle();
    expect(steps).toEqual(['stop:start']);
    expect(flow.state).toBe('stopping');

    finishStop();
    await flow.settled;
    expect(steps).toEqual(['stop:start', 'stop:done', 'beforeExit', 'exit:0']);
  });

  it('cancelled: nothing stops, nothing exits, and the next quit asks again', async () => {
    const { flow, dialog, steps } = rig(active());
    flow.onBeforeQuit(cancellable());
    dialog.answer(CANCEL_BUTTON);
    await flow.settled;
    expect(steps).toEqual([]);
    expect(flow.state).toBe('idle');

    const again = cancellable();
    flow.onBeforeQuit(again);
    expect(again.prevented).toBe(true);
    expect(dialog.shown).toHaveLength(2);
  });

  it('holds further quits while asking or stopping, without a second dialog', async () => {
    const { flow, dialog, finishStop } = rig(active());
    flow.onBeforeQuit(cancellable());
    const second = cancellable();
    flow.onBeforeQuit(second);
    expect(second.prevented).toBe(true);
    expect(dialog.shown).toHaveLength(1);
    dialog.answer(CONFIRM_BUTTON);
    await settle();
    const third = cancellable();
    flow.onBeforeQuit(third);
    expect(third.prevented).toBe(true);
    finishStop();
    await flow.settled;
    // After exit has been called, a late before-quit passes.
    const late = cancellable();
    flow.onBeforeQuit(late);
    expect(late.prevented).toBe(false);
  });

  it('exits non-zero when the stop fails, and says so', async () => {
    const { flow, dialog, steps, failStop } = rig(active());
    flow.onBeforeQuit(cancellable());
    dialog.answer(CONFIRM_BUTTON);
    await settle();
    failStop(new Error('socket hang up'));
    await flow.settled;
    expect(steps.at(-1)).toBe('exit:1');
    expect(steps.some((s) => s.startsWith('log:node did not stop cleanly'))).toBe(true);
  });

  it('a system shutdown during the question stops without waiting for the answer', async () => {
    const { flow, dialog, steps, finishStop } = rig(active());
    flow.onBeforeQuit(cancellable());
    const shutdown = cancellable();
    flow.onSystemShutdown(shutdown);
    expect(shutdown.prevented).toBe(true);
    await settle();
    finishStop();
    await flow.settled;
    dialog.answer(CANCEL_BUTTON);
    await settle();
    expect(steps).toEqual(['stop:start', 'stop:done', 'beforeExit', 'exit:0']);
  });
});

describe('quitting a node that is not active', () => {
  it.each<[string, NodeSnapshot]>([
    ['a standby', active({ status: 'standby', mode: 'backup', peerStatus: 'active' })],
    ['a node still starting', { phase: 'starting' }],
    ['a PC not set up', { phase: 'unconfigured' }],
    ['a node that failed', { phase: 'failed', reason: 'x' }],
  ])('%s stops (telling its peer) and exits without asking', async (_name, snapshot) => {
    const { flow, dialog, steps, finishStop } = rig(snapshot);
    const event = cancellable();
    flow.onBeforeQuit(event);
    expect(event.prevented).toBe(true);
    expect(dialog.shown).toHaveLength(0);
    finishStop();
    await flow.settled;
    expect(steps).toEqual(['stop:start', 'stop:done', 'beforeExit', 'exit:0']);
  });
});

describe('the question', () => {
  it('says the backup takes over when it stands by', () => {
    const options = confirmQuitOptions(statusView());
    expect(options.buttons).toEqual(['Hand over and quit', 'Cancel']);
    expect(options.cancelId).toBe(CANCEL_BUTTON);
    expect(options.defaultId).toBe(CANCEL_BUTTON);
    expect(options.detail).toContain('The backup takes over at once');
  });

  it('warns that the pair will have no active node when the peer is not standing by', () => {
    const options = confirmQuitOptions(statusView({ link: 'disconnected' }));
    expect(options.detail).toContain('NO active node');
    expect(options.buttons?.[0]).toBe('Quit anyway');
  });

  it('warns an independent node that processing stops', () => {
    expect(confirmQuitOptions(statusView({ mode: 'independent', peer: null })).detail).toContain(
      'nothing will process data',
    );
  });
});
