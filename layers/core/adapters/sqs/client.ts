// One SQS client per container; the endpoint comes from AWS_ENDPOINT_URL_SQS when set (local stack).
import { SQSClient } from '@aws-sdk/client-sqs';
import { sdkHttp } from '../aws/http.js';

let client: SQSClient | undefined;
export function sqsClient(): SQSClient {
  client ??= new SQSClient(sdkHttp);
  return client;
}
