// DynamoDB's refusals a store answers instead of throwing, told by name (the SDK's error classes
// differ between the document client's and the low-level client's import paths).

/** A write's ConditionExpression did not hold. */
export const conditionFailed = (err: unknown): boolean =>
  err instanceof Error && err.name === 'ConditionalCheckFailedException';

/** A TransactWriteItems was cancelled because item `index` failed with `code` (by default its condition). */
export const transactionCancelledBy = (
  err: unknown,
  index: number,
  code = 'ConditionalCheckFailed',
): boolean =>
  err instanceof Error &&
  err.name === 'TransactionCanceledException' &&
  (err as Error & { CancellationReasons?: { Code?: string }[] }).CancellationReasons?.[index]?.Code === code;
