/** What GET /api/status shows of the node's OPC UA server (docs/opcua.md, docs/contract.md). */
export interface OpcUaView {
  /** `disabled`: `--opcua-port 0`; `failed`: see `problem` (the node runs on without OPC UA). */
  readonly state: 'disabled' | 'starting' | 'running' | 'failed' | 'stopped';
  readonly endpointUrl: string | null;
  readonly applicationUri: string;
  /** 0–255, docs/opcua.md "ServiceLevel". */
  readonly serviceLevel: number;
  /** OPC UA sessions open now. */
  readonly sessions: number;
  readonly problem: string | null;
}
