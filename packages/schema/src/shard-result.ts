// The parts of a DriverResult that only a run spread over machines has: what one slice records
// about itself (a pod's result file), and the per-slice figures a merge lists beside its total.

/** What a slice (`c1m-load … --shard-index I --shard-count K`) records besides a normal result. */
export interface ShardSection {
  index: number;
  count: number;
  /** The start barrier the ramp waited for (ISO); when none was given, the moment it began. */
  startAt: string;
  /** How late the ramp began after startAt, by this host's clock (ms). */
  startOffsetMs: number;
  /** The rate share this slice sent (messages/s; 0 = closed loop or hold). */
  rate: number;
  /** Wire bytes in the measured window: exact, so a merge's byte rates are not sums of rounded rates. */
  bytesSentMeasured: number;
  bytesReceivedMeasured: number;
}

/** One slice's own figures, listed by a merge beside the total. */
export interface ShardFigures {
  index: number;
  hostname: string;
  established: number;
  sent: number;
  received: number;
  missing: number;
  messagesPerSecond: number;
  latencyP99Us: number;
  startOffsetMs: number;
  passed: boolean;
}

/** What a merge adds to the total: where it came from and how far the slices' starts spread. */
export interface MergeSection {
  /** The files merged, in slice order. */
  files: string[];
  perShard: ShardFigures[];
  /** Latest minus earliest start offset (ms): how well the start barrier held across hosts. */
  startOffsetSpreadMs: number;
}
