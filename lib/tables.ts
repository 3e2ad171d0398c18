// DynamoDB tables, one per entry of TABLES; nothing here names a table by hand.
import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  Table,
  TableEncryption,
  type Attribute,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { physicalName, TABLES, type KeyDef, type TableDef, type TableKey } from '#core/resources.js';
import { acknowledgeRule } from './policy.js';
import { pascal } from './names.js';

const attribute = (key: KeyDef): Attribute => ({
  name: key.name,
  type: key.type === 'N' ? AttributeType.NUMBER : AttributeType.STRING,
});

export interface TablesProps {
  readonly stage: string;
  readonly prod: boolean;
}

export class Tables extends Construct {
  readonly byKey: Readonly<Record<TableKey, Table>>;

  constructor(scope: Construct, id: string, props: TablesProps) {
    super(scope, id);
    const entries = Object.entries(TABLES) as [TableKey, TableDef][];
    this.byKey = Object.fromEntries(
      entries.map(([key, def]) => [key, this.table(key, def, props)]),
    ) as Record<TableKey, Table>;
  }

  private table(key: TableKey, def: TableDef, { stage, prod }: TablesProps): Table {
    const table = new Table(this, pascal(key), {
      tableName: physicalName.table(stage, key),
      partitionKey: attribute(def.partitionKey),
      ...(def.sortKey ? { sortKey: attribute(def.sortKey) } : {}),
      billingMode: BillingMode.PAY_PER_REQUEST,
      // AWS owned keys are not auditable; the AWS managed key (aws/dynamodb) is, costs nothing, and
      // needs no key policy. A customer managed key would add a KMS call path to every grant and
      // buys nothing here: nobody outside this account reads these tables.
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: def.pointInTimeRecovery },
      ...(def.timeToLiveAttribute ? { timeToLiveAttribute: def.timeToLiveAttribute } : {}),
      deletionProtection: prod,
      // Tables with PITR hold history that cannot be rebuilt cheaply: they outlive the stack in every
      // stage (a dev redeploy after `cdk destroy` must import or delete them first). In prod all do.
      removalPolicy: def.pointInTimeRecovery || prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    for (const index of def.indexes ?? []) {
      const nonKey = index.nonKeyAttributes ?? [];
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: attribute(index.partitionKey),
        ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
        ...(nonKey.length > 0
          ? { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...nonKey] }
          : { projectionType: ProjectionType.KEYS_ONLY }),
      });
    }
    if (!def.pointInTimeRecovery) acknowledgeRule(table, 'dynamodb_table_pitr_enabled_check');
    return table;
  }
}
