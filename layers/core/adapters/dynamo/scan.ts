// A whole-table Scan in parallel segments, yielding items as pages arrive (rebuilds and rankings).
import { ScanCommand, type DynamoDBDocumentClient, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';

export async function* scanAll(
  db: DynamoDBDocumentClient,
  input: Omit<ScanCommandInput, 'Segment' | 'TotalSegments' | 'ExclusiveStartKey'>,
  segments = 4,
): AsyncIterable<Record<string, unknown>> {
  const starts: (Record<string, unknown> | undefined | null)[] = Array.from(
    { length: segments },
    () => undefined,
  );
  while (starts.some((s) => s !== null)) {
    const pages = await Promise.all(
      starts.map((start, segment) =>
        start === null
          ? undefined
          : db.send(
              new ScanCommand({
                ...input,
                Segment: segment,
                TotalSegments: segments,
                ExclusiveStartKey: start,
              }),
            ),
      ),
    );
    for (const [segment, page] of pages.entries()) {
      if (!page) continue;
      yield* page.Items ?? [];
      starts[segment] = page.LastEvaluatedKey ?? null;
    }
  }
}
