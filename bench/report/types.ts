import type { StreamLane, StreamPlan, WrkLane, WrkPlan } from '../lanes.ts';
import type { TargetId } from '../targets.ts';

export type WrkLaneId = 'c1' | 'rate500' | 'max64' | 'body1k' | 'body500k';
export type StreamLaneId = 'streamLight' | 'stream100' | 'stream1000';

export interface Plan {
  c1: WrkPlan;
  rate500: WrkPlan;
  max64: WrkPlan;
  /** One connection, a 1 KB and a 500 KB request. */
  body1k: WrkPlan;
  body500k: WrkPlan;
  streamLight: StreamPlan;
  stream100: StreamPlan;
  stream1000: StreamPlan;
  warmupS: number;
}

export interface HeapStats {
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
}

export interface Memory {
  idleMb?: number;
  afterLoadMb?: number;
  /** Highest sample while 1,000 streams were open. */
  streams1000Mb?: number;
  /** llmux's V8 heap from its /metrics, to tell heap from the rest of RSS. */
  heapIdle?: HeapStats;
  heapAfterLoad?: HeapStats;
}

export interface BudgetLine {
  budget: string;
  measured: string;
  status: 'PASS' | 'FAIL' | 'SKIP' | 'INFO';
}

export interface BenchResults {
  date: string;
  mode: 'full' | 'quick';
  wallS: number;
  machine: Record<string, string>;
  mock: { kind: string; note?: string };
  /** Systems that could not be measured, and why. */
  missing: Partial<Record<TargetId, string>>;
  plan: Plan;
  wrk: Record<WrkLaneId, Partial<Record<TargetId, WrkLane>>>;
  streams: Record<StreamLaneId, Partial<Record<TargetId, StreamLane>>>;
  memory: Partial<Record<TargetId, Memory>>;
  /** CPU used by other processes: before the run, and lanes where it exceeded 10 % of a core. */
  background: { beforePct: number; contendedLanes: Record<string, number> };
  /** Lanes that failed to run: "lane/target" → error. */
  laneErrors: Record<string, string>;
  budgets: BudgetLine[];
  /** Idle RSS of Node with less and less of llmux loaded: where the floor is. */
  rssFloor?: Array<{ what: string; mb: number }>;
}
