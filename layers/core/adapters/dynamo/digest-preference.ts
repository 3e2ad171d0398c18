// A user's daily-digest preference: the `digest` attribute of their users item (absent means on).
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export class DynamoDigestPreference {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** False when the user is unknown (they have not sent /start). */
  async set(userId: string, on: boolean): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { userId },
          UpdateExpression: 'SET digest = :on',
          ConditionExpression: 'attribute_exists(userId)',
          ExpressionAttributeValues: { ':on': on },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof Error && err.name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }
}
