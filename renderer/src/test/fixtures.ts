/** Test data in the API's exact shapes, and a fake `DashboardApi` (the client mocked at its class boundary). */
import { vi } from 'vitest';
import type {
  AlarmView,
  CertificateRecord,
  CommandAnswer,
  ConflictDiscarded,
  ConflictReapplied,
  ConflictView,
  FailoverEvent,
  HistoryView,
  NodeView,
  PeerView,
  SettingsSaved,
  SettingsView,
  StatusView,
  TagDefinitionView,
  TagValueView,
} from '../../../node-core/dto.ts';
import type { LicenseState } from '../../../node-core/protocol/license.ts';
import type {
  ApiProblem,
  CertificateDecision,
  CsvDownload,
  DashboardApi,
  EventQuery,
  HistoryQuery,
  LiveHandlers,
  LiveSubscription,
  SettingsChange,
  SwitchoverAnswer,
} from '../lib/api-client.ts';
import { ApiError } from '../lib/api-client.ts';
import { nodeSettings, settingsSaved, settingsView } from './settings-fixtures.ts';

export const FP_NODE = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
export const FP_PEER = '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0';
export const FP_OTHER = 'ffffeeeeddddccccbbbbaaaa99998888777766665555444433332222111100aa';

export const NOW = Date.parse('2025-06-01T03:00:00Z');

function license(
  overrides: Partial<{ modules: string[]; limits: Record<string, number> }> = {},
): LicenseState {
  return {
    state: 'valid',
    license: {
      licensee: 'Acme Water',
      modules: overrides.modules ?? ['modbus', 'history'],
      limits: overrides.limits ?? { tags: 5000 },
      issuedAt: '2025-01-01T00:00:00Z',
      expiresAt: '2026-01-01T00:00:00Z',
    },
  };
}

function nodeView(overrides: Partial<NodeView> = {}): NodeView {
  return {
    name: 'pump-station-4',
    nodeId: 'node-aaaa',
    mode: 'master',
    status: 'active',
    standbyLevel: 'warm',
    recovery: 'automatic',
    epoch: 7,
    startedAt: '2025-06-01T01:00:00Z',
    fingerprint: FP_NODE,
    license: license(),
    version: '0.1.0',
    apiUrl: 'http://10.0.0.1:8088',
    heldSince: null,
    ...overrides,
  };
}

export function peerView(overrides: Partial<PeerView> = {}): PeerView {
  return {
    link: 'connected',
    linkReason: null,
    mode: 'backup',
    status: 'standby',
    standbyLevel: 'warm',
    version: '0.1.0',
    startedAt: '2025-06-01T00:30:00Z',
    nodeId: 'node-bbbb',
    fingerprint: FP_PEER,
    epoch: 7,
    lastHeartbeatAt: '2025-06-01T02:59:59Z',
    rttMs: 3.4,
    rttRecentMs: [2, 3, 5, 3.4],
    missedPings: 0,
    license: license(),
    apiUrl: 'http://10.0.0.2:8088',
    clockOffsetMs: 2,
    clockOffsetErrorMs: 1,
    heldSince: null,
    ...overrides,
  };
}

export function statusView(
  overrides: { node?: Partial<NodeView>; peer?: Partial<PeerView> | null; conflicts?: number } & Partial<
    Pick<
      StatusView,
      | 'licenseMatch'
      | 'licenseDifferences'
      | 'misconfiguration'
      | 'settingsDifferences'
      | 'clockSkew'
      | 'databaseDamage'
    >
  > = {},
): StatusView {
  return {
    node: nodeView(overrides.node),
    peer: overrides.peer === null ? null : peerView(overrides.peer),
    licenseMatch: overrides.licenseMatch ?? 'match',
    licenseDifferences: overrides.licenseDifferences ?? [],
    misconfiguration: overrides.misconfiguration ?? null,
    settingsDifferences: overrides.settingsDifferences ?? [],
    clockSkew: overrides.clockSkew ?? null,
    databaseDamage: overrides.databaseDamage ?? null,
    sync: {
      eventsReplicated: 1234,
      configSeq: 42,
      peerConfigSeq: 41,
      runtimeLagMs: 2,
      conflicts: overrides.conflicts ?? 0,
    },
  };
}

let eventSeq = 0;
export function failoverEvent(overrides: Partial<FailoverEvent> = {}): FailoverEvent {
  eventSeq += 1;
  return {
    id: `ev-${eventSeq}`,
    at: '2025-06-01T02:00:00Z',
    kind: 'role-change',
    node: 'master',
    nodeId: 'node-aaaa',
    from: 'standby',
    to: 'active',
    reason: 'missed heartbeats',
    durationMs: 12_400,
    ...overrides,
  };
}

export function certificate(overrides: Partial<CertificateRecord> = {}): CertificateRecord {
  return {
    fingerprint: FP_PEER,
    subject: 'CN=pump-station-4 backup',
    notBefore: '2025-05-01T00:00:00Z',
    notAfter: '2035-05-01T00:00:00Z',
    state: 'pending',
    firstSeenAt: '2025-06-01T02:58:00Z',
    ...overrides,
  };
}

export function problem(overrides: Partial<ApiProblem> = {}): ApiError {
  return new ApiError(
    overrides.status ?? 0,
    overrides.code ?? 'UNREACHABLE',
    overrides.message ?? 'the node is not answering',
  );
}

export function tagDefinition(overrides: Partial<TagDefinitionView> & { name: string }): TagDefinitionView {
  return { dataType: 'float', source: { kind: 'memory' }, ...overrides };
}

export function tagValue(overrides: Partial<TagValueView> & { name: string }): TagValueView {
  return { value: 1, quality: 'good', ts: '2025-06-01T02:59:00Z', ...overrides };
}

export function alarmView(overrides: Partial<AlarmView> & { id: string }): AlarmView {
  return {
    rule: { tag: 'boiler.temp', condition: 'high', threshold: 90, deadband: 0, priority: 'medium' },
    active: false,
    acked: false,
    ackedBy: null,
    activatedAt: null,
    clearedAt: null,
    ackedAt: null,
    ...overrides,
  };
}

/** A promise that never settles: the "loading" state. */
export function pending<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}

/** A conflict as the node lists it: a tag the peer made while it ran on its side of a split. */
export function conflict(overrides: Partial<ConflictView> = {}): ConflictView {
  return {
    id: 'node-peer:2:17',
    origin: 'node-peer',
    epoch: 2,
    op: 'put',
    kind: 'tag',
    key: 'pump.speed',
    value: { dataType: 'float', source: { kind: 'memory' } },
    at: '2025-06-01T02:40:00.000Z',
    recordedAt: '2025-06-01T02:55:00.000Z',
    current: null,
    ...overrides,
  };
}

export class FakeApi implements DashboardApi {
  handlers: LiveHandlers | null = null;
  readonly liveClosed = vi.fn();

  status = vi.fn<() => Promise<StatusView>>(() => Promise.resolve(statusView()));
  events = vi.fn<(query?: EventQuery) => Promise<FailoverEvent[]>>(() => Promise.resolve([]));
  eventsCsv = vi.fn<(query?: EventQuery) => Promise<CsvDownload>>(() =>
    Promise.resolve({ blob: new Blob(['at,kind\r\n']), filename: 'tandem-events.csv' }),
  );
  certificates = vi.fn<() => Promise<CertificateRecord[]>>(() => Promise.resolve([]));
  approveCertificate = vi.fn<(fp: string) => Promise<CertificateDecision>>((fingerprint) =>
    Promise.resolve({ fingerprint, state: 'trusted' }),
  );
  rejectCertificate = vi.fn<(fp: string) => Promise<CertificateDecision>>((fingerprint) =>
    Promise.resolve({ fingerprint, state: 'rejected' }),
  );
  switchover = vi.fn<() => Promise<SwitchoverAnswer>>(() =>
    Promise.resolve({ requested: true, status: 'active' }),
  );
  tagDefinitions = vi.fn<() => Promise<TagDefinitionView[]>>(() => Promise.resolve([]));
  tagValues = vi.fn<() => Promise<TagValueView[]>>(() => Promise.resolve([]));
  writeTag = vi.fn<(name: string, value: number | boolean | string, uid: string) => Promise<CommandAnswer>>(
    (_name, _value, uid) => Promise.resolve({ ok: true, uid, executed: true }),
  );
  alarms = vi.fn<() => Promise<AlarmView[]>>(() => Promise.resolve([]));
  ackAlarm = vi.fn<(id: string, by: string, uid: string) => Promise<CommandAnswer>>((_id, _by, uid) =>
    Promise.resolve({ ok: true, uid, executed: true }),
  );
  history = vi.fn<(tag: string, query: HistoryQuery) => Promise<HistoryView>>((tag, query) =>
    Promise.resolve({ tag, from: query.from, to: query.to, kind: 'raw', samples: [] }),
  );
  conflicts = vi.fn<() => Promise<ConflictView[]>>(() => Promise.resolve([]));
  reapplyConflict = vi.fn<(id: string) => Promise<ConflictReapplied>>((id) =>
    Promise.resolve({ reapplied: conflict({ id }) }),
  );
  discardConflict = vi.fn<(id: string) => Promise<ConflictDiscarded>>((id) =>
    Promise.resolve({ discarded: conflict({ id }) }),
  );
  settings = vi.fn<() => Promise<SettingsView>>(() => Promise.resolve(settingsView()));
  saveSettings = vi.fn<(change: SettingsChange) => Promise<SettingsSaved>>((change) =>
    Promise.resolve(settingsSaved(nodeSettings(change))),
  );

  live(handlers: LiveHandlers): LiveSubscription {
    this.handlers = handlers;
    return { close: this.liveClosed };
  }
}
