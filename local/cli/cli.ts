// What the CLIs share: a usage error that prints the usage (exit 2), and any other failure as one
// line (exit 1), never a stack trace for a mistake the user can fix.
export class UsageError extends Error {}

export function runCli(main: () => Promise<void>, usage: string): void {
  main().catch((err: unknown) => {
    const usageError = err instanceof UsageError;
    process.stderr.write(
      `${usageError ? `${err.message}\n${usage}` : String((err as Error).message ?? err)}\n`,
    );
    process.exit(usageError ? 2 : 1);
  });
}
