// The execution mode as the system should act on it right now: the SSM switch, the deploy ceiling
// and the emergency flag, read with a short cache; any doubt (a failed read) means DRY.
import {
  INITIAL_SWITCH_HEALTH,
  observeSwitch,
  type ExecutionMode,
  type SwitchHealth,
} from '../domain/execution-mode.js';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../config.js';
import type { ExecutionSwitch, ModeReading, OperatorFlags } from '../ports/operator.js';
import { DynamoOperatorFlags } from './dynamo/operator-state.js';
import { SsmExecutionSwitch } from './ssm/execution-switch.js';

// Re-exported for callers that read the mode through this adapter; the type lives with the ports.
export type { ModeReading };

export class ModeSource {
  private health: SwitchHealth = INITIAL_SWITCH_HEALTH;
  private cached: { at: number; reading: ModeReading } | undefined;

  constructor(
    private readonly deps: {
      readonly switch: ExecutionSwitch;
      readonly flags: OperatorFlags;
      readonly ceiling: ExecutionMode;
      /** EMERGENCY_STOP from the environment: a stop that needs no table to work. */
      readonly envEmergencyStop: boolean;
      readonly maxAgeMs: number;
      readonly now?: () => number;
    },
  ) {}

  private inFlight: Promise<ModeReading> | undefined;
  private queued: Promise<ModeReading> | undefined;

  /**
   * A fresh read always starts after the caller asked (a stop set a moment ago is seen), but callers
   * asking together share one: those arriving while a read is in flight wait for the one queued
   * behind it. A burst of 1,000 copies makes two reads a round trip, not 1,000.
   */
  async read(options: { fresh?: boolean } = {}): Promise<ModeReading> {
    const now = (this.deps.now ?? Date.now)();
    if (!options.fresh && this.cached && now - this.cached.at < this.deps.maxAgeMs)
      return this.cached.reading;
    if (!this.inFlight) return this.start();
    if (!options.fresh) return this.inFlight;
    this.queued ??= this.inFlight
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.inFlight ?? this.start();
      });
    return this.queued;
  }

  private start(): Promise<ModeReading> {
    const read = this.readNow().finally(() => {
      if (this.inFlight === read) this.inFlight = undefined;
    });
    this.inFlight = read;
    return read;
  }

  private async readNow(): Promise<ModeReading> {
    const now = (this.deps.now ?? Date.now)();
    const [switchRead, flag] = await Promise.all([
      this.deps.switch.read().then(
        (value) => ({ ok: true as const, value }),
        (err: unknown) => ({ ok: false as const, error: err instanceof Error ? err.name : String(err) }),
      ),
      // An unreadable flag is treated as set: any doubt means DRY.
      this.deps.flags.emergencyStop().catch(() => true),
    ]);
    const emergencyStop = this.deps.envEmergencyStop || flag;
    const observed = observeSwitch(this.health, switchRead, this.deps.ceiling, emergencyStop);
    this.health = observed.health;
    const reading: ModeReading = {
      mode: observed.mode,
      switchValue: switchRead.ok ? (switchRead.value ?? '(empty)') : `unreadable: ${switchRead.error}`,
      emergencyStop,
    };
    this.cached = { at: now, reading };
    return reading;
  }

  forget(): void {
    this.cached = undefined;
  }
}

/** The mode as every function reads it: the SSM switch, the state table's flag, the deploy ceiling. */
export function modeSourceFromConfig(
  cfg: Pick<Config, 'executionModeParameter' | 'copyExecutionModeCeiling' | 'emergencyStop' | 'tables'>,
  db: DynamoDBDocumentClient,
  maxAgeMs = 5_000,
): ModeSource {
  return new ModeSource({
    switch: new SsmExecutionSwitch(cfg.executionModeParameter),
    flags: new DynamoOperatorFlags(db, cfg.tables.state),
    ceiling: cfg.copyExecutionModeCeiling,
    envEmergencyStop: cfg.emergencyStop,
    maxAgeMs,
  });
}
