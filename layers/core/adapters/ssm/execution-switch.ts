// The DRY/LIVE switch in SSM Parameter Store, read through Powertools Parameters. The caller
// (ModeSource) decides how long a reading is trusted, so every read here goes to SSM.
import { SSMClient, PutParameterCommand } from '@aws-sdk/client-ssm';
import { sdkHttp } from '../aws/http.js';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import type { ExecutionMode } from '../../domain/execution-mode.js';
import type { ExecutionSwitch } from '../../ports/operator.js';

let client: SSMClient | undefined;
const ssm = () => (client ??= new SSMClient({ ...sdkHttp, maxAttempts: 2 }));

export class SsmExecutionSwitch implements ExecutionSwitch {
  private readonly provider = new SSMProvider({ awsSdkV3Client: ssm() });

  constructor(private readonly name: string) {}

  async read(): Promise<string | undefined> {
    return this.provider.get(this.name, { forceFetch: true });
  }

  async write(mode: ExecutionMode): Promise<void> {
    await ssm().send(
      new PutParameterCommand({ Name: this.name, Value: mode, Type: 'String', Overwrite: true }),
    );
  }
}
