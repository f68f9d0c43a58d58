import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Aws, AssetStaging, FileAssetPackaging, Stack } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ARCHIVE_FORMAT, listFiles, writeDeterministicArchive } from './archive';
import { BUNDLE_LIMITS, checkBundle } from './checks';
import { TemplateInput } from './stack-template';
import { TemplatePart, writeStackBundle } from '../internal/stack-rendering';
import { protonError } from '../internal/validation';

/** The two kinds of Proton templates. */
export enum TemplateKind {
  /** An environment template: `schema/` and `infrastructure/`. */
  ENVIRONMENT = 'ENVIRONMENT',
  /** A service template: `schema/`, `instance_infrastructure/` and, with a Proton pipeline, `pipeline_infrastructure/`. */
  SERVICE = 'SERVICE',
}

/** A Proton template of either kind, as sync configs take it. */
export interface ITemplate {
  /**
   * The template's name.
   * @attribute
   */
  readonly templateName: string;
  /** The kind of template. */
  readonly templateKind: TemplateKind;
}

/** What a template version tells its bundle when it binds it. */
export interface TemplateBundleBindOptions {
  /** The kind of template the bundle is registered for. */
  readonly kind: TemplateKind;
  /**
   * The template's infrastructure is customer managed: the bundle carries a schema only.
   * @default false
   */
  readonly customerManaged?: boolean;
  /**
   * The service template has a Proton pipeline: the bundle must carry `pipeline_infrastructure/`.
   * @default false
   */
  readonly pipeline?: boolean;
}

/** A template bundle written as CDK stacks. */
export interface StackTemplateBundleProps {
  /**
   * The inputs a spec gives an environment (environment template) or a service instance (service template).
   * @default - none
   */
  readonly inputs?: { [name: string]: TemplateInput };
  /**
   * The name of their input type in the schema (what a spec is checked against, and `cdk-proton types` names).
   * @default - the stack's name in PascalCase, then `Input`
   */
  readonly inputTypeName?: string;
  /**
   * The pipeline's infrastructure, for a service template with a Proton pipeline.
   * @default - no pipeline
   */
  readonly pipelineStack?: Stack;
  /**
   * The inputs a spec gives the pipeline.
   * @default - none
   */
  readonly pipelineInputs?: { [name: string]: TemplateInput };
  /**
   * The name of the pipeline's input type in the schema.
   * @default - the pipeline stack's name in PascalCase, then `Input`
   */
  readonly pipelineInputTypeName?: string;
}

/** Where a bound bundle lies in S3. */
export interface TemplateBundleConfig {
  /** The bucket holding the bundle. */
  readonly bucketName: string;
  /** The bundle's object key. */
  readonly objectKey: string;
  /** The bucket's ARN, for the permission to read the bundle. */
  readonly bucketArn: string;
  /**
   * The bundle is a CDK asset of this app (its key is a content hash in the assets bucket).
   * @default false
   */
  readonly isAsset?: boolean;
  /**
   * The bundle's `schema/schema.yaml` on the machine that synthesizes the app: the specs of environments,
   * services and instances deployed from the version are checked against it at synth time.
   * @default - the app cannot see the schema: specs are checked by Proton only
   */
  readonly schemaFile?: string;
}

/** A Proton template bundle: a gzip tar of the template's schema and infrastructure files. */
export abstract class TemplateBundle {
  /**
   * A bundle from a local directory, checked at synth time and uploaded as a deterministic
   * `.tar.gz` asset: the same files give the same bytes and asset hash, so an unchanged bundle
   * changes nothing on redeploy.
   */
  public static fromDirectory(directory: string): TemplateBundle {
    return new DirectoryBundle(directory);
  }

  /**
   * A bundle whose infrastructure is written as CDK stacks (`ProtonTemplateStack`): each is synthesized into
   * the bundle's CloudFormation template, with `ProtonInputs` references rendered as Proton's Jinja parameters,
   * its `CfnOutput`s as the template's outputs, and the schema written from the declared inputs. The stack of an
   * environment template becomes `infrastructure/`, of a service template `instance_infrastructure/`.
   */
  public static fromStack(stack: Stack, props: StackTemplateBundleProps = {}): TemplateBundle {
    return new StackBundle(stack, props);
  }

  /** A bundle already uploaded to S3, registered as it is (not checked at synth time). */
  public static fromBucket(bucket: s3.IBucket, key: string): TemplateBundle {
    return new BucketBundle(bucket, key);
  }

  /** Called by a template version to check the bundle for its template and to locate it. */
  public abstract bind(scope: Construct, options: TemplateBundleBindOptions): TemplateBundleConfig;
}

class DirectoryBundle extends TemplateBundle {
  private readonly directory: string;

  constructor(directory: string) {
    super();
    this.directory = path.resolve(directory);
  }

  public bind(scope: Construct, options: TemplateBundleBindOptions): TemplateBundleConfig {
    const fail = (problems: string[]) => protonError(scope,
      `template bundle ${this.directory} is not a valid ${options.kind.toLowerCase()} template bundle:\n  - ${problems.join('\n  - ')}`);
    if (!fs.existsSync(this.directory) || !fs.statSync(this.directory).isDirectory()) {
      throw fail(['the directory does not exist: pass the folder that holds schema/schema.yaml']);
    }
    let files: string[];
    try {
      files = listFiles(this.directory);
    } catch (error) {
      throw fail([(error as Error).message]);
    }
    const problems = checkBundle(this.directory, files, {
      kind: options.kind,
      customerManaged: options.customerManaged,
      pipeline: options.pipeline,
    });
    if (problems.length > 0) {
      throw fail(problems);
    }
    const archive = packageBundle(this.directory, files);
    const size = fs.statSync(archive).size;
    if (size > BUNDLE_LIMITS.maxArchiveBytes) {
      throw fail([`the packaged bundle is ${size} bytes, Proton accepts at most ${BUNDLE_LIMITS.maxArchiveBytes}`]);
    }
    const asset = fileAsset(scope, 'Bundle', archive);
    return {
      bucketName: asset.bucketName,
      objectKey: asset.objectKey,
      bucketArn: `arn:${Aws.PARTITION}:s3:::${asset.bucketName}`,
      isAsset: true,
      schemaFile: path.join(this.directory, 'schema', 'schema.yaml'),
    };
  }
}

/**
 * The archive of `files`, named after the hash of their names and bytes: a bundle packed before (by this or an
 * earlier synth) is not packed again. The archive is written aside and renamed, so a file of that name is whole.
 */
function packageBundle(directory: string, files: string[]): string {
  const contents = createHash('sha256').update(ARCHIVE_FORMAT);
  for (const file of files) {
    contents.update(`\0${file}\0`).update(fs.readFileSync(path.join(directory, file)));
  }
  const outDir = path.join(os.tmpdir(), 'cdk-proton-bundles');
  const target = path.join(outDir, `${contents.digest('hex')}.tar.gz`);
  if (fs.existsSync(target)) return target;
  fs.mkdirSync(outDir, { recursive: true });
  const scratch = path.join(outDir, `.${process.pid}-${Date.now()}-${Math.random().toString(16).slice(2)}.tar.gz`);
  writeDeterministicArchive(directory, files, scratch);
  fs.renameSync(scratch, target);
  return target;
}

/**
 * A file asset, staged and added to the stack's synthesizer. What `aws-s3-assets`' `Asset` does, without the
 * `IBucket` it builds (whose region facts cost a tenth of a second to load; the ARN is all a grant needs).
 */
function fileAsset(scope: Construct, id: string, file: string): { bucketName: string; objectKey: string } {
  const stack = Stack.of(scope);
  const staging = new AssetStaging(scope, id, { sourcePath: file });
  const location = stack.synthesizer.addFileAsset({
    packaging: FileAssetPackaging.FILE,
    sourceHash: staging.assetHash,
    fileName: staging.relativeStagedPath(stack),
  });
  return { bucketName: location.bucketName, objectKey: location.objectKey };
}

const pascalCase = (name: string) => name.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('');

class StackBundle extends TemplateBundle {
  constructor(private readonly stack: Stack, private readonly props: StackTemplateBundleProps) {
    super();
  }

  public bind(scope: Construct, options: TemplateBundleBindOptions): TemplateBundleConfig {
    const { stack, props } = this;
    if (options.customerManaged) {
      throw protonError(scope, 'a customer-managed template\'s bundle carries a schema only: use TemplateBundle.fromDirectory for it');
    }
    if (options.kind === TemplateKind.ENVIRONMENT && props.pipelineStack) {
      throw protonError(scope, 'an environment template has no pipeline: remove pipelineStack');
    }
    if (options.kind === TemplateKind.SERVICE && Boolean(options.pipeline) !== Boolean(props.pipelineStack)) {
      throw protonError(scope, options.pipeline
        ? 'the service template has a Proton pipeline: give pipelineStack, the stack of its infrastructure'
        : 'the service template has no Proton pipeline (pipelineProvisioning CUSTOMER_MANAGED): remove pipelineStack');
    }
    const typeName = (s: Stack, given?: string) => given ?? `${pascalCase(s.stackName)}Input`;
    const parts: TemplatePart[] = options.kind === TemplateKind.ENVIRONMENT
      ? [{ folder: 'infrastructure', stack, inputsParameter: 'environment.inputs', otherParameters: ['environment.name'], inputs: props.inputs ?? {} }]
      : [{
        folder: 'instance_infrastructure',
        stack,
        inputsParameter: 'service_instance.inputs',
        inputs: props.inputs ?? {},
        otherParameters: ['environment.name', 'environment.outputs', 'service.name', 'service_instance.name'],
      }];
    const inputTypes: Record<string, string> = { [parts[0].inputsParameter]: typeName(stack, props.inputTypeName) };
    if (props.pipelineStack) {
      parts.push({
        folder: 'pipeline_infrastructure',
        stack: props.pipelineStack,
        inputsParameter: 'pipeline.inputs',
        otherParameters: ['service.name'],
        inputs: props.pipelineInputs ?? {},
      });
      inputTypes['pipeline.inputs'] = typeName(props.pipelineStack, props.pipelineInputTypeName);
      if (inputTypes['pipeline.inputs'] === inputTypes['service_instance.inputs']) {
        throw protonError(scope, `the instance and the pipeline inputs are both named ${inputTypes['pipeline.inputs']}: give pipelineInputTypeName`);
      }
    }
    return new DirectoryBundle(writeStackBundle(scope, parts, inputTypes)).bind(scope, options);
  }
}

class BucketBundle extends TemplateBundle {
  constructor(private readonly bucket: s3.IBucket, private readonly key: string) {
    super();
  }

  public bind(_scope: Construct, _options: TemplateBundleBindOptions): TemplateBundleConfig {
    return { bucketName: this.bucket.bucketName, objectKey: this.key, bucketArn: this.bucket.bucketArn };
  }
}
