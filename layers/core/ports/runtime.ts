// What every use case needs from its runtime: the time and a structured log.
export interface Clock {
  now(): Date;
}

/** Structured logging as the core uses it: a message and attributes (always with a `reason` code). */
export interface AppLog {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}
