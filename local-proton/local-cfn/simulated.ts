/**
 * Plausible identifiers for resources that are simulated (IAM roles, Lambda functions, state machines, ...).
 */
import { createHash, randomBytes } from 'crypto';

export interface Environment {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly urlSuffix: string;
}

/** Properties that name a resource explicitly (the physical name CloudFormation uses). */
const NAME_PROPERTIES: Record<string, string> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::Group': 'GroupName',
  'AWS::IAM::InstanceProfile': 'InstanceProfileName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SSM::Parameter': 'Name',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::Events::Rule': 'Name',
  'AWS::ECR::Repository': 'RepositoryName',
  'AWS::CodeBuild::Project': 'Name',
};

/** Types whose names CloudFormation limits to 64 characters. */
const NAME_LIMIT_64 = new Set(['AWS::IAM::Role', 'AWS::Lambda::Function', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::User', 'AWS::IAM::InstanceProfile']);

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A CloudFormation-like random suffix (12 upper-case alphanumerics). */
export function randomSuffix(length = 12): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += SUFFIX_ALPHABET[bytes[i] % SUFFIX_ALPHABET.length];
  return out;
}

/** The explicit physical name in the resolved properties, if the type has one. */
export function explicitName(type: string, props: Record<string, any>): string | undefined {
  const key = NAME_PROPERTIES[type];
  const value = key ? props?.[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** A generated physical name: `<stackName>-<logicalId>-<RANDOM>` (shortened where CloudFormation limits names). */
export function generatedName(stackName: string, logicalId: string, type: string): string {
  const suffix = randomSuffix();
  let name = `${stackName}-${logicalId}-${suffix}`;
  if (NAME_LIMIT_64.has(type) && name.length > 64) {
    const room = 64 - suffix.length - 2;
    const stackPart = stackName.slice(0, Math.min(stackName.length, Math.floor(room / 2)));
    const lidPart = logicalId.slice(0, room - stackPart.length);
    name = `${stackPart}-${lidPart}-${suffix}`;
  }
  if (type === 'AWS::S3::Bucket') name = name.toLowerCase().slice(0, 63);
  return name;
}

function hashOf(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

function serviceAndKind(type: string): [string, string] {
  const [, service = 'unknown', kind = 'resource'] = type.split('::');
  return [service.toLowerCase(), kind.charAt(0).toLowerCase() + kind.slice(1)];
}

/** The ARN of a simulated resource named `name`. */
export function simulatedArn(type: string, name: string, env: Environment): string {
  const p = env.partition;
  const r = env.region;
  const a = env.accountId;
  switch (type) {
    case 'AWS::IAM::Role': return `arn:${p}:iam::${a}:role/${name}`;
    case 'AWS::IAM::ManagedPolicy': return `arn:${p}:iam::${a}:policy/${name}`;
    case 'AWS::IAM::User': return `arn:${p}:iam::${a}:user/${name}`;
    case 'AWS::IAM::Group': return `arn:${p}:iam::${a}:group/${name}`;
    case 'AWS::IAM::InstanceProfile': return `arn:${p}:iam::${a}:instance-profile/${name}`;
    case 'AWS::Lambda::Function': return `arn:${p}:lambda:${r}:${a}:function:${name}`;
    case 'AWS::StepFunctions::StateMachine': return `arn:${p}:states:${r}:${a}:stateMachine:${name}`;
    case 'AWS::Logs::LogGroup': return `arn:${p}:logs:${r}:${a}:log-group:${name}:*`;
    case 'AWS::S3::Bucket': return `arn:${p}:s3:::${name}`;
    case 'AWS::SNS::Topic': return `arn:${p}:sns:${r}:${a}:${name}`;
    case 'AWS::SQS::Queue': return `arn:${p}:sqs:${r}:${a}:${name}`;
    case 'AWS::SSM::Parameter': return `arn:${p}:ssm:${r}:${a}:parameter/${name.replace(/^\//, '')}`;
    case 'AWS::DynamoDB::Table': return `arn:${p}:dynamodb:${r}:${a}:table/${name}`;
    case 'AWS::KMS::Key': return `arn:${p}:kms:${r}:${a}:key/${name}`;
    default: {
      const [service, kind] = serviceAndKind(type);
      return `arn:${p}:${service}:${r}:${a}:${kind.toLowerCase()}/${name}`;
    }
  }
}

/** Physical id and Ref value of a new simulated resource. */
export function simulateResource(stackName: string, logicalId: string, type: string, props: Record<string, any>,
  env: Environment): { name: string; physicalId: string; ref: string } {
  let name = explicitName(type, props) ?? generatedName(stackName, logicalId, type);
  if (type === 'AWS::KMS::Key') name = uuidFromHash(hashOf(stackName, logicalId, randomSuffix()));
  const arn = simulatedArn(type, name, env);
  switch (type) {
    // Lambda versions and aliases: Ref is the qualified function ARN.
    case 'AWS::Lambda::Version':
    case 'AWS::Lambda::Alias': {
      const fn = String(props.FunctionName ?? name);
      const fnArn = fn.startsWith('arn:') ? fn : simulatedArn('AWS::Lambda::Function', fn, env);
      const qualified = `${fnArn}:${type === 'AWS::Lambda::Alias' ? props.Name ?? name : '1'}`;
      return { name, physicalId: qualified, ref: qualified };
    }
    // Types whose Ref (and physical id) is the ARN.
    case 'AWS::StepFunctions::StateMachine':
    case 'AWS::SNS::Topic':
    case 'AWS::IAM::ManagedPolicy':
      return { name, physicalId: arn, ref: arn };
    case 'AWS::SQS::Queue': {
      const url = `https://sqs.${env.region}.${env.urlSuffix}/${env.accountId}/${name}`;
      return { name, physicalId: url, ref: url };
    }
    default:
      return { name, physicalId: name, ref: name };
  }
}

function uuidFromHash(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A plausible (and stable) value for `Fn::GetAtt` of a simulated resource. */
export function simulatedAttribute(type: string, name: string, attribute: string, env: Environment): string {
  const arn = simulatedArn(type, name, env);
  const h = hashOf(type, name, attribute);
  switch (`${type}.${attribute}`) {
    case 'AWS::IAM::Role.RoleId': return `AROA${h.slice(0, 17).toUpperCase()}`;
    case 'AWS::IAM::User.UserId': return `AIDA${h.slice(0, 17).toUpperCase()}`;
    case 'AWS::Lambda::Function.SnapStartResponse.ApplyOn': return 'None';
    case 'AWS::S3::Bucket.DomainName': return `${name}.s3.${env.urlSuffix}`;
    case 'AWS::S3::Bucket.RegionalDomainName': return `${name}.s3.${env.region}.${env.urlSuffix}`;
    case 'AWS::S3::Bucket.WebsiteURL': return `http://${name}.s3-website-${env.region}.${env.urlSuffix}`;
    case 'AWS::SQS::Queue.QueueUrl': return `https://sqs.${env.region}.${env.urlSuffix}/${env.accountId}/${name}`;
    case 'AWS::KMS::Key.KeyId': return name;
    default:
      break;
  }
  if (attribute === 'Arn' || attribute.endsWith('Arn')) return arn;
  if (attribute === 'Name' || attribute.endsWith('Name')) return name;
  if (attribute === 'Id' || attribute.endsWith('Id')) return h.slice(0, 20);
  return `${name}-${attribute}-${h.slice(0, 8)}`;
}

/**
 * IAM's size quotas, which CloudFormation reports as the resource's failure (IAM User Guide, "IAM and AWS STS
 * quotas": a managed policy holds at most 6,144 characters, not counting white space; the provider's grants
 * are one managed policy). The wording is IAM's LimitExceeded message as CloudFormation shows it (emulator
 * decision: no document quotes it in full).
 */
const MANAGED_POLICY_SIZE = 6_144;

const policySize = (document: unknown) => JSON.stringify(document ?? {}).replace(/\s/g, '').length;

/** Why IAM would refuse to create or update a simulated resource with these (resolved) properties, if it would. */
export function quotaRefusal(type: string, props: Record<string, any>): string | undefined {
  if (type === 'AWS::IAM::ManagedPolicy' && policySize(props?.PolicyDocument) > MANAGED_POLICY_SIZE) {
    return `Cannot exceed quota for PolicySize: ${MANAGED_POLICY_SIZE} (Service: Iam, Status Code: 409, Request ID: ${randomUUIDLike()})`;
  }
  return undefined;
}

function randomUUIDLike(): string {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
