// One DynamoDB document client per container. The endpoint comes from the SDK's standard
// AWS_ENDPOINT_URL_DYNAMODB variable, so the local stack needs no code path of its own. Its sends
// reuse one resolved middleware chain per command class (see cachedSends).
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, DynamoDBDocumentClientCommand } from '@aws-sdk/lib-dynamodb';
import { sdkHttp } from '../aws/http.js';

let client: DynamoDBClient | undefined;
let documentClient: DynamoDBDocumentClient | undefined;

/**
 * No SDK log lines, as with the SDK's default NoOpLogger, but without its cost: the SDK's logger
 * middleware filters every input and output through the operation's schema (sensitive members)
 * for logger.info / logger.error whenever those exist, and drops the result in the NoOp case.
 */
const silent = {
  trace: () => undefined,
  debug: () => undefined,
  warn: () => undefined,
} as unknown as NonNullable<DynamoDBClientConfig['logger']>;

export function dynamoClient(): DynamoDBClient {
  client ??= new DynamoDBClient({ ...sdkHttp, logger: silent });
  return client;
}

export function documentDb(): DynamoDBDocumentClient {
  documentClient ??= cachedSends(
    DynamoDBDocumentClient.from(dynamoClient(), {
      marshallOptions: { removeUndefinedValues: true },
    }),
  );
  return documentClient;
}

/** The smithy handler a command's middleware resolves to: it takes the command to run. */
type Handler = (command: unknown) => Promise<{ output: unknown }>;
/** What lib-dynamodb's commands do in their own resolveMiddleware, reached from outside. */
interface DocumentCommandParts {
  readonly clientCommand: {
    resolveMiddleware(stack: unknown, config: unknown, options: undefined): Handler;
  };
  readonly middlewareStack: unknown;
  addMarshallingMiddleware(config: unknown): void;
}

/**
 * Every send resolves the whole middleware stack again (clone, sort, bind ~40 middlewares: about
 * a fifth of the SDK's CPU per DynamoDB call, measured on the copy bench). The SDK's own
 * `cacheMiddleware` does not work with the document client (its commands bind their own input),
 * so this does what lib-dynamodb's resolveMiddleware does once per command class and runs each
 * later command through that chain: the marshalling middleware reads the input from the request
 * (`args.input`) and only the class's key layout from the first instance, which every instance of
 * a class shares. Sends with options or a callback take the SDK's own path.
 */
export function cachedSends(doc: DynamoDBDocumentClient): DynamoDBDocumentClient {
  const original = doc.send;
  const handlers = new WeakMap<object, Handler>();
  const send = (command: unknown, ...rest: unknown[]): Promise<unknown> => {
    if (rest.length > 0 || !(command instanceof DynamoDBDocumentClientCommand))
      return Reflect.apply(original, doc, [command, ...rest]) as Promise<unknown>;
    const parts = command as unknown as DocumentCommandParts;
    let handler = handlers.get(command.constructor);
    if (!handler) {
      parts.addMarshallingMiddleware(doc.config);
      const stack = (doc.middlewareStack as unknown as { concat(s: unknown): unknown }).concat(
        parts.middlewareStack,
      );
      handler = parts.clientCommand.resolveMiddleware(stack, doc.config, undefined);
      handlers.set(command.constructor, handler);
    }
    return handler(parts.clientCommand).then((result) => result.output);
  };
  doc.send = send as unknown as DynamoDBDocumentClient['send'];
  return doc;
}
