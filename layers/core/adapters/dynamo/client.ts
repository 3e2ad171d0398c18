// One DynamoDB document client per container. The endpoint comes from the SDK's standard
// AWS_ENDPOINT_URL_DYNAMODB variable, so the local stack needs no code path of its own.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sdkHttp } from '../aws/http.js';

let client: DynamoDBClient | undefined;
let documentClient: DynamoDBDocumentClient | undefined;

export function dynamoClient(): DynamoDBClient {
  client ??= new DynamoDBClient(sdkHttp);
  return client;
}

export function documentDb(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(dynamoClient(), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documentClient;
}
