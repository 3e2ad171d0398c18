// `npm run drill` refuses what it cannot run with a usage error (exit 2), and takes every drill of issue 15.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../../local/cli/cli.js';
import { parseDrillArgs } from '../../../../local/cli/drill.js';
import { BENCH_DRILLS } from '../../../bench/drills.bench.js';

describe('npm run drill arguments', () => {
  it('accepts a built drill with whole-number flags', () => {
    expect(parseDrillArgs(['fuzz', '--updates', '500', '--messages', '0', '--minutes', '3'])).toEqual({
      name: 'fuzz',
      flags: { updates: 500, messages: 0, minutes: 3 },
    });
  });

  it('takes every drill by name', () => {
    for (const name of [
      'fuzz',
      'ssm',
      'emergency',
      'avantis',
      'telegram',
      'rpc',
      'dynamodb',
      'sqs',
      'load',
      'soak',
    ])
      expect(parseDrillArgs([name]).name).toBe(name);
  });

  it('runs every drill in `npm run bench`, each with flags the CLI takes', () => {
    expect(Object.keys(BENCH_DRILLS).sort()).toEqual(
      ['fuzz', 'ssm', 'emergency', 'avantis', 'telegram', 'rpc', 'dynamodb', 'sqs', 'load', 'soak'].sort(),
    );
    for (const [name, args] of Object.entries(BENCH_DRILLS))
      expect(parseDrillArgs([name, ...args]).name).toBe(name);
  });

  it.each([
    [[], /a drill name is required/],
    [['chaos'], /unknown drill "chaos"/],
    [['fuzz', '--updates'], /--updates needs a whole number/],
    [['fuzz', '--updates', '-1'], /--updates needs a whole number/],
    [['fuzz', '--updates', '1e3'], /--updates needs a whole number/],
    [['ssm', '--minutes', '0'], /--minutes needs a whole number from 1/],
    [['ssm', '--force', '1'], /unknown flag "--force"/],
    [['ssm', 'extra'], /unknown flag "extra"/],
  ])('refuses %j with a usage error', (argv, message) => {
    expect(() => parseDrillArgs(argv)).toThrow(UsageError);
    expect(() => parseDrillArgs(argv)).toThrow(message);
  });
});
