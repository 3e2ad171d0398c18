// Local logs: every line carries the function that really wrote it (all handlers share one process
// and one logger locally), the terminal gets one short line per event, .local/logs/ the full JSON.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { logger } from '#core/observability.js';
import type { FunctionDef } from '#core/resources.js';
import { installLogSink, routeLine, shortLine } from '../../../local/log-sink.js';
import { startRunner, type LambdaHandler } from '../../../local/runner.js';

const event = {
  level: 'WARN',
  message: 'update ignored',
  timestamp: '2026-12-01T19:00:01.234Z',
  service: 'alfa',
  function_name: 'alfa-local-indexer',
  reason: 'NOT_AN_UPDATE',
  updateId: 7,
  error: { name: 'Error', message: 'bad' },
  nested: { not: 'shown' },
};

describe('a log line', () => {
  it('is relabelled with the invocation that wrote it and goes to its function file and all.log', () => {
    const routed = routeLine(
      JSON.stringify(event),
      { functionName: 'telegram-webhook', requestId: 'r1' },
      { terminal: false },
    );
    const json = JSON.parse(routed.show ?? '{}') as Record<string, unknown>;
    expect(json).toMatchObject({
      function_name: 'telegram-webhook',
      service: 'telegram-webhook',
      function_request_id: 'r1',
    });
    expect(routed.files.map((f) => f.name)).toEqual(['telegram-webhook', 'all']);
  });

  it('on a terminal is one short line: time, function, level, message, reason code, key fields', () => {
    expect(shortLine({ ...event, function_name: 'telegram-webhook' })).toBe(
      '19:00:01.234 telegram-webhook WARN  update ignored · NOT_AN_UPDATE updateId=7 error=bad',
    );
  });

  it('EMF metrics go to metrics.log only; text that is not a log event passes through unchanged', () => {
    expect(
      routeLine('{"_aws":{"CloudWatchMetrics":[]},"AlertsSent":1}', undefined, { terminal: true }),
    ).toEqual({
      files: [{ name: 'metrics', json: '{"_aws":{"CloudWatchMetrics":[]},"AlertsSent":1}' }],
    });
    expect(routeLine('Starting the Alfa local stack...', undefined, { terminal: true })).toEqual({
      show: 'Starting the Alfa local stack...',
      files: [],
    });
  });

  it("an EMF line's service dimension is the function that emitted it, as for logs", () => {
    // Prepare
    const emf = '{"_aws":{"CloudWatchMetrics":[]},"service":"alfa","ModeSetLive":1}';

    // Act
    const routed = routeLine(emf, { functionName: 'admin', requestId: 'r1' }, { terminal: true });

    // Assess
    expect(routed).toEqual({
      files: [
        { name: 'metrics', json: '{"_aws":{"CloudWatchMetrics":[]},"service":"admin","ModeSetLive":1}' },
      ],
    });
  });
});

describe('the runner and the sink together', () => {
  let uninstall: (() => void) | undefined;
  let dir: string | undefined;
  afterEach(() => {
    uninstall?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('two functions logging at once through the one shared logger each get their own name', async () => {
    // Prepare: two handlers on the shared Powertools logger, interleaving their lines.
    logger.setLogLevel('INFO');
    // What injectLambdaContext does: the shared logger takes each invocation's context, so the one
    // that started last would label every line.
    const chatty =
      (label: string): LambdaHandler =>
      async (_event, context) => {
        logger.addContext(context);
        for (let i = 0; i < 5; i++) {
          logger.info('working', { label, i });
          await new Promise((r) => setTimeout(r, 2));
        }
        return { label };
      };
    const def: FunctionDef = {
      entry: '',
      trigger: { kind: 'invoke' },
      memoryMb: 128,
      timeoutSeconds: 5,
      tables: {},
      queuesSend: [],
      queuesMonitor: [],
      executionMode: 'none',
      secretFields: [],
    };
    const runner = await startRunner({
      root: '.',
      functions: { indexer: { ...def, entry: 'a' }, 'telegram-webhook': { ...def, entry: 'b' } },
      sqs: {} as SQSClient,
      queueUrls: {} as never,
      urlPort: () => 0,
      log: () => undefined,
      load: async (entry) => chatty(entry === 'a' ? 'indexer' : 'telegram-webhook'),
    });
    dir = mkdtempSync(path.join(tmpdir(), 'alfa-logs-'));
    uninstall = installLogSink({ dir, terminal: true });

    // Act
    try {
      await Promise.all([runner.invoke('indexer', {}), runner.invoke('telegram-webhook', {})]);
    } finally {
      uninstall();
      uninstall = undefined;
      await runner.stop();
      logger.setLogLevel('SILENT');
    }

    // Assess: every line in the shared file names the function whose handler wrote it.
    const lines = readFileSync(path.join(dir, 'all.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { function_name: string; label: string });
    expect(lines).toHaveLength(10);
    for (const l of lines) expect(l.function_name).toBe(l.label);
    expect(readFileSync(path.join(dir, 'indexer.log'), 'utf8').trim().split('\n')).toHaveLength(5);
  });
});
