// The operator actions behind the admin function: each takes a parsed request and the ports it
// needs and returns a plain answer. No AWS here: compose.ts wires the adapters. A refusal is an
// answer with a reason code (not an exception), so the CLI and the bot can say why.
import type { ExecutionMode } from '../domain/execution-mode.js';
import type { RangeSummary } from '../indexer/range.js';
import type { AdminFailure, AdminRequest, AdminResponse, AdminStatus } from './requests.js';

export interface RecordedErrorView {
  readonly at: string;
  readonly reason: string;
  readonly message: string;
  readonly source?: string;
}

export interface RedriveResult {
  readonly queue: string;
  readonly dryRun: boolean;
  /** Messages found in the DLQ (moved, unless dryRun). */
  readonly messages: number;
  readonly moved: number;
  /** FIFO groups seen, e.g. traders or users, so the operator sees who was affected. */
  readonly groups: readonly string[];
}

export interface WebhookInfo {
  readonly url: string;
  readonly pendingUpdateCount: number;
  readonly lastErrorDate?: number;
  readonly lastErrorMessage?: string;
  readonly allowedUpdates?: readonly string[];
}

export interface AdminDeps {
  readonly stage: string;
  /** Every function of the stack, for "last errors of every function". */
  readonly functionNames: readonly string[];
  readonly queueNames: readonly string[];
  readonly ceiling: ExecutionMode;
  readonly now: () => Date;
  readonly mode: {
    read(): Promise<{ mode: ExecutionMode; switchValue: string; emergencyStop: boolean }>;
    write(mode: ExecutionMode): Promise<void>;
    /** When the switch was last written (SSM LastModifiedDate); undefined if it never was. */
    changedAt(): Promise<Date | undefined>;
  };
  readonly flags: { setEmergencyStop(on: boolean, by: string, now: Date): Promise<void> };
  readonly indexer: {
    cursor(): Promise<number | undefined>;
    head(): Promise<number | undefined>;
  };
  readonly queues: {
    depths(): Promise<readonly { name: string; depth: number | undefined; dlqDepth: number | undefined }[]>;
    redrive(queue: string, dryRun: boolean): Promise<RedriveResult>;
  };
  readonly intents: { countByState(): Promise<Readonly<Record<string, number>>> };
  readonly errors: { recent(limit: number): Promise<readonly RecordedErrorView[]> };
  readonly follows: { turnOffAllAuto(): Promise<number> };
  /** Index a block range into fills only: no positions, no signals, so nobody is alerted. */
  readonly backfill: (range: { fromBlock: number; toBlock: number }) => Promise<RangeSummary>;
  /** Undefined until the stack has a reconciler. */
  readonly reconciler: { run(by: string): Promise<Record<string, unknown>> } | undefined;
  readonly telegram: {
    webhookInfo(): Promise<WebhookInfo>;
    setWebhook(url: string): Promise<void>;
  };
  /** The webhook URL `webhook set` points Telegram at, when the stack knows it. */
  readonly webhookUrl: string | undefined;
  /** The largest block range one backfill may take (it runs inside one invocation). */
  readonly maxBackfillBlocks: number;
  readonly metric: (name: string, value: number) => void;
}

const failure = (action: string, code: string, message: string): AdminFailure => ({
  ok: false,
  action,
  code,
  message,
});
const success = (action: string, result: Record<string, unknown>): AdminResponse => ({
  ok: true,
  action,
  result,
});

/** How many journal entries status looks through for each function's latest error. */
const ERRORS_LOOKED_AT = 100;

export async function adminStatus(deps: AdminDeps): Promise<AdminStatus> {
  const [reading, cursor, head, queues, intents, errors] = await Promise.all([
    deps.mode.read(),
    deps.indexer.cursor().catch(() => undefined),
    deps.indexer.head().catch(() => undefined),
    deps.queues.depths(),
    deps.intents.countByState(),
    deps.errors.recent(ERRORS_LOOKED_AT).catch(() => []),
  ]);
  const lastErrors: AdminStatus['lastErrors'] = {};
  for (const fn of deps.functionNames) {
    // The journal is newest first.
    const e = errors.find((x) => x.source === fn);
    lastErrors[fn] = e ? { at: e.at, reason: e.reason, message: e.message, source: fn } : null;
  }
  const byState = Object.fromEntries(Object.entries(intents).sort(([a], [b]) => a.localeCompare(b)));
  return {
    stage: deps.stage,
    at: deps.now().toISOString(),
    mode: {
      effective: reading.mode,
      ceiling: deps.ceiling,
      switch: reading.switchValue,
      emergencyStop: reading.emergencyStop,
    },
    indexer: {
      cursor: cursor ?? null,
      head: head ?? null,
      lagBlocks: cursor !== undefined && head !== undefined ? Math.max(0, head - cursor) : null,
    },
    queues: queues.map((q) => ({ name: q.name, depth: q.depth ?? null, dlqDepth: q.dlqDepth ?? null })),
    intents: { total: Object.values(byState).reduce((a, b) => a + b, 0), byState },
    lastErrors,
    unattributedErrors: errors.filter((e) => e.source === undefined).slice(0, 5),
  };
}

export async function runAdminAction(request: AdminRequest, deps: AdminDeps): Promise<AdminResponse> {
  const { action } = request;
  switch (request.action) {
    case 'status':
      return success(action, await adminStatus(deps));

    case 'mode': {
      if (request.mode === 'LIVE' && !request.confirm) {
        return failure(action, 'CONFIRMATION_REQUIRED', 'Switching to LIVE needs --yes (real money moves).');
      }
      if (request.unchangedSince !== undefined) {
        const changed = await deps.mode.changedAt();
        if (changed && Math.floor(changed.getTime() / 1000) > request.unchangedSince) {
          return failure(
            action,
            'SWITCH_CHANGED',
            `The switch was changed at ${changed.toISOString()}, after this was asked; nothing was changed. Ask again.`,
          );
        }
      }
      await deps.mode.write(request.mode);
      if (request.mode === 'LIVE') deps.metric('ModeSetLive', 1);
      const reading = await deps.mode.read();
      return success(action, {
        switch: request.mode,
        effective: reading.mode,
        // Why the system may stay DRY with the switch at LIVE: the two other keys.
        ...(request.mode === 'LIVE' && reading.mode === 'DRY'
          ? {
              heldDryBy:
                deps.ceiling === 'DRY'
                  ? 'DEPLOY_CEILING_DRY'
                  : reading.emergencyStop
                    ? 'EMERGENCY_STOP'
                    : 'SWITCH_UNHEALTHY',
            }
          : {}),
      });
    }

    case 'emergency': {
      await deps.flags.setEmergencyStop(request.stop, request.by, deps.now());
      if (request.stop) deps.metric('EmergencyStopSet', 1);
      const reading = await deps.mode.read();
      return success(action, { emergencyStop: reading.emergencyStop, effective: reading.mode });
    }

    case 'autocopy-off-all':
      return success(action, { followsChanged: await deps.follows.turnOffAllAuto() });

    case 'backfill': {
      const blocks = request.toBlock - request.fromBlock + 1;
      if (blocks > deps.maxBackfillBlocks) {
        return failure(
          action,
          'RANGE_TOO_LARGE',
          `${blocks} blocks is more than one invocation indexes (${deps.maxBackfillBlocks}); split the range.`,
        );
      }
      const summary = await deps.backfill({ fromBlock: request.fromBlock, toBlock: request.toBlock });
      return success(action, { ...summary, alerted: false });
    }

    case 'redrive': {
      if (!deps.queueNames.includes(request.queue)) {
        return failure(
          action,
          'UNKNOWN_QUEUE',
          `No queue "${request.queue}"; queues: ${deps.queueNames.join(', ')}.`,
        );
      }
      return success(action, { ...(await deps.queues.redrive(request.queue, request.dryRun)) });
    }

    case 'reconcile':
      if (!deps.reconciler) {
        return failure(
          action,
          'RECONCILER_NOT_DEPLOYED',
          'This stack has no reconciler function yet; nothing was run.',
        );
      }
      return success(action, await deps.reconciler.run(request.by));

    case 'webhook': {
      if (request.op === 'set') {
        const url = request.url ?? deps.webhookUrl;
        if (!url)
          return failure(action, 'NO_WEBHOOK_URL', 'The stack did not give a webhook URL; pass --url.');
        await deps.telegram.setWebhook(url);
      }
      const info = await deps.telegram.webhookInfo();
      const expected = request.op === 'set' ? (request.url ?? deps.webhookUrl) : deps.webhookUrl;
      return success(action, {
        ...info,
        expectedUrl: expected ?? null,
        // Telegram never reveals the secret token; a matching URL with no recent error is the check.
        healthy: expected !== undefined && info.url === expected && info.lastErrorMessage === undefined,
      });
    }
  }
}
