/**
 * Monitored items on tag variables are served on change, whatever sampling interval the client asks for
 * (docs/opcua.md "Subscriptions" and "Cost"). A tag's variable learns every new value the moment the node has
 * it (tag-space.ts `update`), so sampling it on a timer only re-reads what is already known: at 10,000 items
 * at 1 s, the sampling (a read with its permission checks, a copy and a comparison per item per second) was
 * most of what serving them cost.
 *
 * node-opcua serves an item on change only when the client asks for 0 ms; it then still sends at most one
 * value per revised interval, the latest (its coalescing window). Tandem makes the same choice for any
 * interval a client asks for on a tag, and keeps the interval it asked for as that window: the client
 * receives what a sampling server would send, at most one value per interval and never an older one.
 * OPC 10000-4 5.12.1.2 lets a server serve an item exception-based.
 *
 * node-opcua has no option for this, so the choice is made in MonitoredItem's start of sampling, which runs
 * for a new item, a changed one and a re-enabled one. test/integration/opcua-serving.test.ts ("OPC UA:
 * monitored tags are served on change") fails if a node-opcua update stops honouring it.
 */
import { AttributeIds, MonitoredItem, type BaseNode } from 'node-opcua';

/** The variables whose items are served on change: the tags (every session may read them, tag-space.ts). */
const onChangeVariables = new WeakSet<BaseNode>();

/** The parts of node-opcua's MonitoredItem this relies on (not in its public types). */
interface MonitoredItemInternals {
  _exceptionBased: boolean;
  readonly samplingInterval: number;
  readonly itemToMonitor: { readonly attributeId: number } | null;
  readonly node: BaseNode | null;
  __start_sampling: (this: MonitoredItemInternals, recordInitialValue: boolean) => void;
}

let installed = false;

/** From now on, items on `variable`'s value are served on change (once per process: see the module note). */
export function serveOnChange(variable: BaseNode): void {
  onChangeVariables.add(variable);
  if (installed) return;
  installed = true;
  const prototype = MonitoredItem.prototype as unknown as MonitoredItemInternals;
  const startSampling = prototype.__start_sampling;
  if (typeof startSampling !== 'function') {
    throw new Error('node-opcua MonitoredItem has no __start_sampling: tags cannot be served on change');
  }
  prototype.__start_sampling = function (this: MonitoredItemInternals, recordInitialValue: boolean): void {
    if (
      this.node !== null &&
      onChangeVariables.has(this.node) &&
      this.itemToMonitor?.attributeId === AttributeIds.Value &&
      this.samplingInterval > 0
    ) {
      this._exceptionBased = true;
    }
    startSampling.call(this, recordInitialValue);
  };
}
