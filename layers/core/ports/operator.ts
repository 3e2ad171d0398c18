// The operator's controls as the use cases read them: the DRY/LIVE switch, the emergency stop, the
// error journal admin status shows, and the mode they combine into.
import type { ExecutionMode } from '../domain/execution-mode.js';

/** The operator's DRY/LIVE switch (SSM); read throws when the switch cannot be read. */
export interface ExecutionSwitch {
  read(): Promise<string | undefined>;
  write(mode: ExecutionMode): Promise<void>;
}

export interface OperatorFlags {
  emergencyStop(): Promise<boolean>;
  setEmergencyStop(on: boolean, by: string, now: Date): Promise<void>;
}

export interface RecordedError {
  readonly at: string;
  readonly reason: string;
  readonly message: string;
  /** The function that recorded it (admin status shows each function's latest). */
  readonly source?: string;
}

export interface ErrorJournal {
  record(reason: string, message: string, now: Date): Promise<void>;
  recent(limit: number): Promise<RecordedError[]>;
}

/** The execution mode to act on right now (switch, deploy ceiling, emergency stop combined). */
export interface ModeReading {
  readonly mode: ExecutionMode;
  /** What the switch said, or why it could not be read. */
  readonly switchValue: string;
  readonly emergencyStop: boolean;
}
