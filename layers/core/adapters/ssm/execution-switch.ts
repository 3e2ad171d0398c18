// The DRY/LIVE switch in SSM Parameter Store, read fresh (the caller decides how to cache).
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { ExecutionMode } from '../../domain/execution-mode.js';
import type { ExecutionSwitch } from '../../ports.js';

let client: SSMClient | undefined;
const ssm = () => (client ??= new SSMClient({ maxAttempts: 2 }));

export class SsmExecutionSwitch implements ExecutionSwitch {
  constructor(private readonly name: string) {}

  async read(): Promise<string | undefined> {
    const out = await ssm().send(new GetParameterCommand({ Name: this.name }));
    return out.Parameter?.Value;
  }

  async write(mode: ExecutionMode): Promise<void> {
    await ssm().send(
      new PutParameterCommand({ Name: this.name, Value: mode, Type: 'String', Overwrite: true }),
    );
  }
}
