// One SQS client per container; the endpoint comes from AWS_ENDPOINT_URL_SQS when set (local stack).
import { SQSClient } from '@aws-sdk/client-sqs';

let client: SQSClient | undefined;
export function sqsClient(): SQSClient {
  client ??= new SQSClient({});
  return client;
}
