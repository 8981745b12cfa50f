/**
 * The redundancy machine's state, the events it receives and the effects it asks for (machine.ts runs them):
 * a leaf that the machine and the rules it applies (draft.ts, roles.ts, handover.ts, split-brain.ts) share.
 */
import type { PeerFrame } from '../protocol/peer-frames.ts';
import type { EventKind } from '../protocol/words.ts';
import type { RedundancyConfig, Status, TransitionReason } from './types.ts';

interface PeerView {
  readonly linked: boolean;
  readonly status: Status | null;
  readonly epoch: number;
  readonly activeSince: number | null;
  /** Peer counted down (lost) by missed heartbeats or a closed link. */
  readonly lost: boolean;
  /** The peer stays standby since then because an operator switched the pair to this node (rule 6). */
  readonly heldSince: number | null;
  /**
   * The peer's clock minus this node's, as last measured (docs/redundancy.md "Clock skew"); null until known.
   * Kept across links: the split-brain record reads the peer's `activeSince` through it at link-up, before a
   * heartbeat has measured the new link.
   */
  readonly clockOffsetMs: number | null;
}

interface Heartbeat {
  readonly seq: number;
  readonly nextPingAt: number;
  readonly outstanding: readonly { readonly seq: number; readonly sentAt: number }[];
  readonly missed: number;
  readonly lastAnsweredAt: number;
}

/** A hand-over this node is driving, so that the answers of the peer are read in context. */
type Handover =
  | { readonly kind: 'none' }
  | { readonly kind: 'pulling'; readonly since: number; readonly reason: TransitionReason }
  | { readonly kind: 'requested'; readonly since: number; readonly reason: TransitionReason }
  | { readonly kind: 'offered'; readonly since: number }
  /** This node stood down for the peer; until the peer says it is active, "nobody active" is not a reason to act. */
  | { readonly kind: 'yielded'; readonly since: number };

export interface MachineState {
  readonly config: RedundancyConfig;
  readonly status: Status;
  readonly epoch: number;
  readonly activeSince: number | null;
  readonly connectDeadline: number | null;
  readonly peer: PeerView;
  readonly heartbeat: Heartbeat;
  /** Result of the last isolation probe while the peer was unreachable; null = not known. */
  readonly isolationReachable: boolean | null;
  /**
   * When a probe last found the isolation host again after finding it unreachable: a node that was cut off
   * counts the failover time anew from then, for the heartbeats it missed say nothing about its peer
   * (docs/rules.md "Partitions"). Null once the peer is heard.
   */
  readonly isolationEndedAt: number | null;
  readonly handover: Handover;
  /**
   * An operator switched the pair away from this node at that time: it stays standby, whatever its recovery
   * mode, until an operator switches back or it restarts (docs/redundancy.md "An operator's switch-over holds").
   */
  readonly heldSince: number | null;
  /**
   * An operator switched the pair to this node (or asked for it while it was active) at that time: when a split
   * heals with both active, this node stays and asks the peer to stand down (which then holds), instead of
   * the usual split resolution undoing the operator's choice (docs/redundancy.md "An operator's switch-over
   * holds"). Ends when this node leaves the active role or restarts.
   */
  readonly claimedSince: number | null;
  readonly stopped: boolean;
}

export interface PeerHello {
  readonly status: Status;
  readonly epoch: number;
  readonly activeSince: number | null;
  readonly heldSince?: number | null | undefined;
  /** The peer's clock when it sent its hello (link-up): a first measure of its offset. */
  readonly at?: number | undefined;
}

export type MachineEvent =
  | { readonly type: 'start' }
  | { readonly type: 'tick' }
  | { readonly type: 'link-up'; readonly peer: PeerHello }
  | { readonly type: 'link-down' }
  /** A connection reached the peer, which answered, but the link waits for certificate approval. */
  | { readonly type: 'peer-unverified' }
  | { readonly type: 'peer-state'; readonly peer: PeerHello }
  | { readonly type: 'pong'; readonly seq: number }
  /** Heartbeats measured the peer's clock: its offset from this node's (clock-offset.ts). */
  | { readonly type: 'peer-clock'; readonly offsetMs: number }
  | { readonly type: 'isolation-probed'; readonly reachable: boolean }
  | { readonly type: 'switchover-requested' }
  | { readonly type: 'handover-request'; readonly reason: TransitionReason }
  | { readonly type: 'handover-ack' }
  | { readonly type: 'handover-offer' }
  | { readonly type: 'goodbye' }
  | { readonly type: 'sync-complete' }
  | { readonly type: 'stop-requested' };

/** The peer frames the machine sends: their shapes are the wire protocol's (protocol/peer-frames.ts). */
export type Frame = Extract<
  PeerFrame,
  { t: 'ping' | 'state' | 'handover-request' | 'handover-ack' | 'handover-offer' | 'goodbye' }
>;

export interface RecordedEvent {
  /** The kinds of history entry the machine records itself; the rest come from the node around it. */
  readonly kind: Extract<
    EventKind,
    'role-change' | 'peer-lost' | 'peer-regained' | 'split-brain' | 'switchover-failed'
  >;
  readonly from: Status | null;
  readonly to: Status | null;
  readonly reason: string;
  readonly durationMs: number | null;
}

export type Effect =
  | {
      readonly type: 'status-changed';
      readonly status: Status;
      readonly epoch: number;
      readonly reason: string;
    }
  | { readonly type: 'send'; readonly frame: Frame }
  | { readonly type: 'record'; readonly event: RecordedEvent }
  /** Pull everything the peer changed (config, runtime data, history) and answer with `sync-complete`. */
  | { readonly type: 'pull-from-peer' }
  /** The peer also wrote while both were active: merge its changes as a conflict set. */
  | { readonly type: 'merge-split-changes' }
  /** Persist a higher epoch heard from the peer. */
  | { readonly type: 'epoch-learned'; readonly epoch: number }
  | { readonly type: 'probe-isolation' }
  /** Close a link that went silent, so that it is built anew. */
  | { readonly type: 'drop-link' }
  | { readonly type: 'stopped' };

export interface Transition {
  readonly state: MachineState;
  readonly effects: readonly Effect[];
  /** When the driver must call again with `tick`, or null if only outside events can move the machine. */
  readonly wakeAt: number | null;
}
