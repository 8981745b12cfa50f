/**
 * Modbus TCP: one connection per device, opened on the first poll and again on the next poll after it
 * broke. A device that cannot be reached or does not answer in time gives every tag quality 'bad' and one
 * fault report (not one per poll); its first good answer after that reports the recovery. `read` never
 * rejects; `write` rejects with an AcquisitionError that names what went wrong.
 */
import net from 'node:net';
import type { ModbusTCPClient } from 'jsmodbus';
import type { Clock } from '../clock/index.ts';
import type { DeviceDefinition, ModbusSource } from './device-definition.ts';
import {
  AcquisitionError,
  fromBit,
  fromNumber,
  toNumber,
  type Driver,
  type DriverTag,
  type PolledScalar,
  type PolledValue,
} from './driver.ts';
import { DEFAULT_PLAN, isBitTable, planReads, type PlanOptions, type ReadBlock } from './modbus-plan.ts';

export interface ModbusTcpDriverOptions {
  readonly clock: Clock;
  /** The device became unreachable (a reason) or answers again (null); called once per change. */
  fault(reason: string | null): void;
  readonly plan?: PlanOptions;
}

type Connection =
  | { readonly state: 'closed' }
  | { readonly state: 'connecting'; readonly socket: net.Socket; readonly ready: Promise<ModbusTCPClient> }
  | { readonly state: 'open'; readonly socket: net.Socket; readonly client: ModbusTCPClient }
  | { readonly state: 'disposed' };

/** jsmodbus is loaded with the first device connection, so a node without Modbus devices never loads it. */
let jsmodbus: Promise<typeof import('jsmodbus')> | null = null;

/** The device answered, but with a Modbus exception (illegal address, busy, ...): a tag problem, not a link one. */
class DeviceRejected extends Error {}

/** The connection is unusable: refused, reset, closed or silent past the timeout. */
class LinkFailed extends Error {}

export class ModbusTcpDriver implements Driver<ModbusSource> {
  readonly #device: DeviceDefinition;
  readonly #o: ModbusTcpDriverOptions;
  #conn: Connection = { state: 'closed' };
  #fault: string | null = null;

  constructor(device: DeviceDefinition, options: ModbusTcpDriverOptions) {
    this.#device = device;
    this.#o = options;
  }

  get address(): string {
    return `${this.#device.host}:${this.#device.port}`;
  }

  /** The reason the device is faulted now, or null. */
  get fault(): string | null {
    return this.#fault;
  }

  async read(tags: readonly DriverTag<ModbusSource>[]): Promise<PolledValue[]> {
    if (tags.length === 0 || this.#conn.state === 'disposed') return this.#allBad(tags);
    const raw = new Map<string, PolledScalar | null>();
    try {
      const client = await this.#connect();
      for (const block of planReads(tags, this.#o.plan ?? DEFAULT_PLAN)) {
        await this.#readBlockInto(client, block, raw);
      }
    } catch (error) {
      if (!this.#disposed()) this.#setFault(this.#reason(error));
      this.#drop();
      return this.#allBad(tags);
    }
    this.#setFault(null);
    const ts = this.#o.clock.now();
    return tags.map((tag) => {
      const value = raw.get(tag.name) ?? null;
      return { name: tag.name, value, quality: value === null ? 'bad' : 'good', ts };
    });
  }

  async write(tag: DriverTag<ModbusSource>, value: PolledScalar): Promise<void> {
    const { table, register } = tag.source;
    if (this.#conn.state === 'disposed')
      throw new AcquisitionError('CLOSED', `device ${this.address} is closed`);
    if (table === 'input' || table === 'discrete')
      throw new AcquisitionError(
        'NOT_WRITABLE',
        `tag "${tag.name}" reads ${table} ${register}, which cannot be written`,
      );
    let request: () => Promise<unknown>;
    if (table === 'coil') {
      const n = toNumber(value);
      if (n === null) throw new AcquisitionError('OUT_OF_RANGE', 'value: expected true or false');
      request = () => this.#client().then((c) => c.writeSingleCoil(register, n !== 0));
    } else {
      const n = toNumber(value);
      const scaled = n === null ? null : Math.round(n / (tag.source.scale ?? 1));
      if (scaled === null || scaled < 0 || scaled > 0xffff)
        throw new AcquisitionError(
          'OUT_OF_RANGE',
          `value: ${String(value)} does not fit holding register ${register} (0–65535 after dividing by scale ${tag.source.scale ?? 1})`,
        );
      request = () => this.#client().then((c) => c.writeSingleRegister(register, scaled));
    }
    try {
      await this.#deadline(request(), `write ${table} ${register}`);
    } catch (error) {
      if (error instanceof DeviceRejected)
        throw new AcquisitionError(
          'DEVICE_REJECTED',
          `device ${this.address} refused the write: ${error.message}`,
          {
            cause: error,
          },
        );
      const reason = this.#reason(error);
      if (!this.#disposed()) this.#setFault(reason);
      this.#drop();
      throw new AcquisitionError('DEVICE_FAULT', reason, { cause: error });
    }
  }

  close(): Promise<void> {
    this.#drop();
    this.#conn = { state: 'disposed' };
    return Promise.resolve();
  }

  async #readBlockInto(
    client: ModbusTCPClient,
    block: ReadBlock,
    into: Map<string, PolledScalar | null>,
  ): Promise<void> {
    try {
      const values = await this.#readRange(client, block);
      for (const tag of block.tags)
        into.set(tag.name, this.#convert(tag, values[tag.source.register - block.start]));
    } catch (error) {
      if (!(error instanceof DeviceRejected)) throw error;
      // One address the device does not have should not spoil its neighbours: ask for each tag alone.
      if (block.tags.length === 1 || block.count === 1) {
        for (const tag of block.tags) into.set(tag.name, null);
        return;
      }
      for (const tag of block.tags) {
        const single: ReadBlock = { table: block.table, start: tag.source.register, count: 1, tags: [tag] };
        await this.#readBlockInto(client, single, into);
      }
    }
  }

  async #readRange(client: ModbusTCPClient, block: ReadBlock): Promise<readonly (number | boolean)[]> {
    const what = `read ${block.table} ${block.start}+${block.count}`;
    let values: ArrayLike<number | boolean>;
    switch (block.table) {
      case 'holding':
        values = (await this.#deadline(client.readHoldingRegisters(block.start, block.count), what)).response
          .body.valuesAsArray;
        break;
      case 'input':
        values = (await this.#deadline(client.readInputRegisters(block.start, block.count), what)).response
          .body.valuesAsArray;
        break;
      case 'coil':
        values = (await this.#deadline(client.readCoils(block.start, block.count), what)).response.body
          .valuesAsArray;
        break;
      case 'discrete':
        values = (await this.#deadline(client.readDiscreteInputs(block.start, block.count), what)).response
          .body.valuesAsArray;
        break;
    }
    if (values.length < block.count)
      throw new DeviceRejected(`${what}: the answer holds ${values.length} values, not ${block.count}`);
    return Array.from(values);
  }

  #convert(tag: DriverTag<ModbusSource>, raw: number | boolean | undefined): PolledScalar | null {
    if (raw === undefined) return null;
    if (isBitTable(tag.source.table)) return fromBit(raw === true || raw === 1, tag.dataType);
    return fromNumber(Number(raw) * (tag.source.scale ?? 1), tag.dataType);
  }

  #client(): Promise<ModbusTCPClient> {
    return this.#connect();
  }

  #connect(): Promise<ModbusTCPClient> {
    const conn = this.#conn;
    switch (conn.state) {
      case 'open':
        return Promise.resolve(conn.client);
      case 'connecting':
        return conn.ready;
      case 'disposed':
        return Promise.reject(new LinkFailed(`device ${this.address} is closed`));
      case 'closed':
        break;
    }
    const { host, port, unitId, timeoutMs } = this.#device;
    const socket = new net.Socket();
    let lastError: Error | null = null;
    // Without a listener an 'error' would crash the process; the 'close' that follows reports it.
    socket.on('error', (error) => {
      lastError = error;
    });
    socket.on('close', () => {
      if (this.#conn.state !== 'disposed' && 'socket' in this.#conn && this.#conn.socket === socket)
        this.#conn = { state: 'closed' };
    });
    const ready = (jsmodbus ??= import('jsmodbus')).then(
      ({ ModbusTCPClient }) =>
        new Promise<ModbusTCPClient>((resolve, reject) => {
          if (this.#conn.state !== 'connecting' || this.#conn.socket !== socket) {
            // Dropped or closed while jsmodbus was loading.
            reject(new LinkFailed(`connection to ${host}:${port} was closed`));
            return;
          }
          const client = new ModbusTCPClient(socket, unitId, timeoutMs);
          socket.once('connect', () => {
            socket.setNoDelay(true);
            if (this.#conn.state === 'connecting' && this.#conn.socket === socket)
              this.#conn = { state: 'open', socket, client };
            resolve(client);
          });
          socket.once('close', () =>
            reject(
              new LinkFailed(
                `cannot connect to ${host}:${port}: ${lastError?.message ?? 'connection closed'}`,
              ),
            ),
          );
          socket.connect({ host, port });
        }),
    );
    this.#conn = { state: 'connecting', socket, ready };
    return this.#deadline(ready, `connect to ${host}:${port}`);
  }

  /** Rejects after the device's timeout (on the injected clock); the late answer, if any, is ignored. */
  #deadline<T>(work: Promise<T>, what: string): Promise<T> {
    const { timeoutMs } = this.#device;
    return new Promise<T>((resolve, reject) => {
      const timer = this.#o.clock.setTimeout(
        () => reject(new LinkFailed(`no answer from ${this.address} within ${timeoutMs} ms (${what})`)),
        timeoutMs,
      );
      work.then(
        (value) => {
          this.#o.clock.clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          this.#o.clock.clearTimeout(timer);
          reject(asDriverError(error, this.address, timeoutMs, what));
        },
      );
    });
  }

  /** Asked through a method: a field narrowed before an `await` is not narrowed after it. */
  #disposed(): boolean {
    return this.#conn.state === 'disposed';
  }

  #drop(): void {
    const conn = this.#conn;
    if (conn.state === 'open' || conn.state === 'connecting') {
      this.#conn = { state: 'closed' };
      conn.socket.destroy();
    }
  }

  #setFault(reason: string | null): void {
    if ((reason === null) === (this.#fault === null)) return;
    this.#fault = reason;
    try {
      this.#o.fault(reason);
    } catch {
      // A failing listener must not break polling.
    }
  }

  #reason(error: unknown): string {
    return error instanceof Error ? error.message : `device ${this.address}: ${String(error)}`;
  }

  #allBad(tags: readonly DriverTag<ModbusSource>[]): PolledValue[] {
    const ts = this.#o.clock.now();
    return tags.map((tag) => ({ name: tag.name, value: null, quality: 'bad', ts }));
  }
}

/** jsmodbus rejects with plain objects `{ err, message }`; they become one of the two errors above. */
function asDriverError(error: unknown, address: string, timeoutMs: number, what: string): Error {
  if (error instanceof Error) return error;
  if (typeof error === 'object' && error !== null && 'err' in error) {
    const { err, message } = error as { err: unknown; message?: unknown };
    const text = typeof message === 'string' ? message : String(err);
    return err === 'ModbusException'
      ? new DeviceRejected(text)
      : new LinkFailed(
          err === 'Timeout'
            ? `no answer from ${address} within ${timeoutMs} ms (${what})`
            : `device ${address}: ${text}`,
        );
  }
  return new LinkFailed(`device ${address}: ${String(error)}`);
}
