import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ItemsRefused, type ConfigApi, type ConfigItem, type EditedKind } from '../lib/config-client.ts';
import { DashboardState } from '../lib/dashboard-state.svelte.ts';
import { FakeApi, NOW, problem, statusView } from '../test/fixtures.ts';
import Configuration from './Configuration.svelte';

/** A stand-in of the node's config API: lists as given, every call recorded. */
function fakeConfig(lists: Partial<Record<EditedKind, ConfigItem[]>> = {}) {
  return {
    list: vi.fn<ConfigApi['list']>((kind) => Promise.resolve(lists[kind] ?? [])),
    put: vi.fn<ConfigApi['put']>(() => Promise.resolve()),
    remove: vi.fn<ConfigApi['remove']>(() => Promise.resolve()),
    putAll: vi.fn<ConfigApi['putAll']>((_kind, items) => Promise.resolve(items.length)),
  };
}

const PLC = {
  name: 'plc-1',
  protocol: 'modbus-tcp',
  host: '10.0.0.5',
  port: 502,
  unitId: 1,
  pollRateMs: 500,
  timeoutMs: 1000,
};
const BOILER = {
  name: 'boiler.temp',
  dataType: 'float',
  source: { kind: 'memory' },
  unit: '°C',
  precision: 1,
};
const HOT = {
  name: 'boiler.hot',
  tag: 'boiler.temp',
  condition: 'high',
  threshold: 90,
  deadband: 2,
  priority: 'critical',
};

async function shown(config: ReturnType<typeof fakeConfig>, api = new FakeApi()): Promise<DashboardState> {
  const dashboard = new DashboardState(api, { now: () => NOW, config });
  await dashboard.load();
  render(Configuration, { dashboard, config: dashboard.config! });
  await vi.waitFor(() => expect(config.list).toHaveBeenCalledTimes(3));
  return dashboard;
}

function section(name: string): HTMLElement {
  return screen.getByRole('region', { name });
}

function csvFile(text: string): File {
  return new File([text], 'tags.csv', { type: 'text/csv' });
}

describe('Configuration screen', () => {
  it('lists devices, tags with their unit and precision, and alarm rules', async () => {
    await shown(fakeConfig({ device: [PLC], tag: [BOILER], 'alarm-rule': [HOT] }));
    expect(
      await within(section('Devices')).findByText('10.0.0.5:502, unit 1, polled every 500 ms'),
    ).toBeInTheDocument();
    expect(within(section('Tags')).getByText('Memory · number, in °C, 1 decimal')).toBeInTheDocument();
    expect(
      within(section('Alarm rules')).getByText('boiler.temp > 90 (deadband 2) · Critical'),
    ).toBeInTheDocument();
  });

  it('adds a tag with its engineering unit and display precision, sent as the form says', async () => {
    const config = fakeConfig();
    await shown(config);
    const user = userEvent.setup();
    await user.click(await within(section('Tags')).findByRole('button', { name: 'Add tag' }));
    const form = screen.getByRole('form', { name: 'New tag' });
    await user.type(within(form).getByLabelText('Name'), 'line1/flow');
    await user.type(within(form).getByLabelText('Engineering unit'), 'm³/h');
    await user.type(within(form).getByLabelText('Precision (decimals)'), '2');
    await user.selectOptions(within(form).getByLabelText('Source'), 'simulator');
    await user.type(within(form).getByLabelText('Period (ms)'), '5000');
    await user.click(within(form).getByRole('button', { name: 'Save tag' }));
    expect(config.put).toHaveBeenCalledWith('tag', 'line1/flow', {
      dataType: 'float',
      unit: 'm³/h',
      precision: 2,
      source: { kind: 'simulator', waveform: 'sine', periodMs: 5000 },
    });
    expect(await screen.findByTestId('notice')).toHaveTextContent('Saved tag line1/flow.');
    expect(screen.queryByRole('form')).toBeNull();
  });

  it("a refused device shows the node's own message beside the field it names, and the form stays open", async () => {
    const config = fakeConfig();
    config.put.mockRejectedValue(
      problem({
        status: 400,
        code: 'BAD_REQUEST',
        message: 'port: must be 1–65535; pollRateMs: must be at least 50 ms',
      }),
    );
    await shown(config);
    const user = userEvent.setup();
    await user.click(await within(section('Devices')).findByRole('button', { name: 'Add device' }));
    const form = screen.getByRole('form', { name: 'New device' });
    await user.type(within(form).getByLabelText('Name'), 'plc-2');
    await user.type(within(form).getByLabelText('Host or IP address'), '10.0.0.6');
    await user.type(within(form).getByLabelText('Port'), '70000');
    await user.type(within(form).getByLabelText('Poll rate (ms)'), 'fast');
    await user.click(within(form).getByRole('button', { name: 'Save device' }));
    // Sent as typed: the node, not the dashboard, decides what is wrong with "fast".
    expect(config.put).toHaveBeenCalledWith('device', 'plc-2', {
      protocol: 'modbus-tcp',
      host: '10.0.0.6',
      port: 70000,
      pollRateMs: 'fast',
    });
    const port = within(form).getByLabelText('Port');
    expect(port).toHaveAttribute('aria-invalid', 'true');
    expect(port).toHaveAccessibleDescription('must be 1–65535');
    expect(within(form).getByLabelText('Poll rate (ms)')).toHaveAccessibleDescription(
      'must be at least 50 ms',
    );
    expect(within(form).getByRole('alert')).toHaveTextContent('The node did not save this device');
  });

  it('a message naming no field of the form is shown verbatim at the form', async () => {
    const config = fakeConfig({ tag: [BOILER] });
    config.put.mockRejectedValue(
      problem({
        status: 409,
        code: 'CONFLICT',
        message: 'tag "boiler.temp": the same item was changed on the peer',
      }),
    );
    await shown(config);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit tag boiler.temp' }));
    const form = screen.getByRole('form', { name: 'Edit tag boiler.temp' });
    expect(within(form).getByLabelText('Engineering unit')).toHaveValue('°C');
    await user.click(within(form).getByRole('button', { name: 'Save tag' }));
    expect(config.put).toHaveBeenCalledWith('tag', 'boiler.temp', {
      dataType: 'float',
      unit: '°C',
      precision: 1,
      source: { kind: 'memory' },
    });
    expect(await within(form).findByRole('alert')).toHaveTextContent(
      'The node did not save this tag: tag "boiler.temp": the same item was changed on the peer',
    );
  });

  it('adding a name that exists already replaces nothing: the form says to edit that one', async () => {
    const config = fakeConfig({ device: [PLC] });
    await shown(config);
    const user = userEvent.setup();
    await user.click(await within(section('Devices')).findByRole('button', { name: 'Add device' }));
    const form = screen.getByRole('form', { name: 'New device' });
    await user.type(within(form).getByLabelText('Name'), 'plc-1');
    await user.click(within(form).getByRole('button', { name: 'Save device' }));
    expect(within(form).getByLabelText('Name')).toHaveAccessibleDescription(
      'a device named plc-1 exists already; edit that one instead',
    );
    expect(config.put).not.toHaveBeenCalled();
  });

  it('deleting asks for confirmation first, and only then deletes', async () => {
    const config = fakeConfig({ 'alarm-rule': [HOT] });
    await shown(config);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Delete alarm rule boiler.hot' }));
    const dialog = screen.getByRole('dialog', { name: 'Delete alarm rule boiler.hot?' });
    expect(config.remove).not.toHaveBeenCalled();
    await user.click(within(dialog).getByRole('button', { name: 'Delete alarm rule' }));
    expect(config.remove).toHaveBeenCalledWith('alarm-rule', 'boiler.hot');
    await vi.waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('on a standby: the lists without controls, and a link to the running node', async () => {
    const api = new FakeApi();
    api.status.mockResolvedValue(
      statusView({
        node: { mode: 'backup', status: 'standby' },
        peer: { mode: 'master', status: 'active', apiUrl: 'http://10.0.0.2:8088' },
      }),
    );
    await shown(fakeConfig({ device: [PLC], tag: [BOILER] }), api);
    const hint = await screen.findByTestId('active-node-hint');
    expect(hint).toHaveTextContent('This node is standby. Configuration is changed on the running node.');
    expect(within(hint).getByTestId('active-node-url')).toHaveTextContent('http://10.0.0.2:8088');
    await screen.findByText('boiler.temp');
    for (const name of [/^Add /, /^Edit /, /^Delete /, /^Import/])
      expect(screen.queryAllByRole('button', { name })).toEqual([]);
    expect(screen.getByRole('button', { name: 'Export CSV' })).toBeEnabled();
  });

  it('a live config message lists that kind again (a change made on the peer shows here)', async () => {
    const config = fakeConfig();
    const api = new FakeApi();
    const dashboard = await shown(config, api);
    dashboard.start();
    config.list.mockImplementation((kind) => Promise.resolve(kind === 'tag' ? [BOILER] : []));
    api.handlers!.config!(['tag']);
    expect(await screen.findByText('boiler.temp')).toBeInTheDocument();
    dashboard.stop();
  });

  it('a CSV import with a bad line writes nothing and names the line with the node’s message', async () => {
    const config = fakeConfig();
    config.putAll.mockRejectedValue(
      new ItemsRefused('nothing was written', [
        { index: 1, message: 'precision: Too big: expected number to be <=10' },
      ]),
    );
    await shown(config);
    const user = userEvent.setup();
    await user.upload(
      screen.getByLabelText('Import tags from a CSV file'),
      csvFile(
        'name,dataType,source,unit,precision\r\nboiler.temp,float,memory,°C,1\r\n"flow, main",float,memory,m³/h,12\r\n',
      ),
    );
    const problemBox = await screen.findByTestId('import-problem');
    expect(problemBox).toHaveTextContent('Nothing was imported from tags.csv.');
    expect(
      within(problemBox)
        .getAllByTestId('import-line')
        .map((l) => l.textContent),
    ).toEqual(['Line 3: precision: Too big: expected number to be <=10']);
    expect(config.putAll).toHaveBeenCalledWith('tag', [
      { name: 'boiler.temp', dataType: 'float', source: { kind: 'memory' }, unit: '°C', precision: 1 },
      { name: 'flow, main', dataType: 'float', source: { kind: 'memory' }, unit: 'm³/h', precision: 12 },
    ]);
  });

  it('a CSV file that is not well formed is not sent: the line is named', async () => {
    const config = fakeConfig();
    await shown(config);
    const user = userEvent.setup();
    await user.upload(
      screen.getByLabelText('Import tags from a CSV file'),
      csvFile('name,dataType,source\nboiler.temp,float\n'),
    );
    expect(await screen.findByTestId('import-line')).toHaveTextContent(
      'Line 2: 2 cells, but the header has 3 columns',
    );
    expect(config.putAll).not.toHaveBeenCalled();
  });

  it('a good CSV import says how many tags were written', async () => {
    const config = fakeConfig();
    await shown(config);
    const user = userEvent.setup();
    await user.upload(
      screen.getByLabelText('Import tags from a CSV file'),
      csvFile('name,dataType,source\na,float,memory\nb,int,memory\n'),
    );
    expect(await screen.findByTestId('notice')).toHaveTextContent('Imported 2 tags.');
    expect(screen.queryByTestId('import-problem')).toBeNull();
  });
});
