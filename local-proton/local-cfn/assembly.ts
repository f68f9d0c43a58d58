/**
 * Reading a CDK cloud assembly: the stack artifact, its template and its asset manifests.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Template } from './template';

export interface FileAssetDestination {
  readonly bucketName: string;
  readonly objectKey: string;
}

export interface FileAsset {
  readonly id: string;
  /** Absolute path of the source (a file, or a folder for `zip` packaging). */
  readonly sourcePath: string;
  readonly packaging: 'file' | 'zip';
  readonly destinations: FileAssetDestination[];
}

export interface StackArtifact {
  /** The (possibly nested) assembly directory holding the stack. */
  readonly assemblyDir: string;
  readonly artifactId: string;
  readonly stackName: string;
  readonly template: Template;
  readonly fileAssets: FileAsset[];
}

interface ManifestArtifact {
  readonly type: string;
  readonly properties?: Record<string, any>;
  readonly dependencies?: string[];
  readonly displayName?: string;
}

function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function readManifest(dir: string): Record<string, ManifestArtifact> {
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(file)) throw new Error(`No cloud assembly in ${dir} (manifest.json not found)`);
  return readJson(file).artifacts ?? {};
}

function readFileAssets(dir: string, file: string): FileAsset[] {
  const manifest = readJson(path.join(dir, file));
  const assets: FileAsset[] = [];
  for (const [id, entry] of Object.entries<any>(manifest.files ?? {})) {
    if (!entry.source?.path) {
      throw new Error(`local-cfn cannot publish asset ${id}: only assets with a source path are supported (not executables)`);
    }
    assets.push({
      id,
      sourcePath: path.resolve(dir, entry.source.path),
      packaging: entry.source.packaging === 'zip' ? 'zip' : 'file',
      destinations: Object.values<any>(entry.destinations ?? {}).map(d => ({ bucketName: d.bucketName, objectKey: d.objectKey })),
    });
  }
  return assets;
}

/** Find a stack by stack name or artifact id, in the assembly or its nested assemblies (Stages). */
export function readStackArtifact(assemblyDir: string, stackName: string): StackArtifact {
  const found = findStack(path.resolve(assemblyDir), stackName);
  if (!found) throw new Error(`Stack ${stackName} not found in the cloud assembly ${assemblyDir}`);
  return found;
}

function findStack(dir: string, stackName: string): StackArtifact | undefined {
  const artifacts = readManifest(dir);
  for (const [id, artifact] of Object.entries(artifacts)) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const name = artifact.properties?.stackName ?? id;
    if (name !== stackName && id !== stackName) continue;
    const fileAssets: FileAsset[] = [];
    for (const dep of artifact.dependencies ?? []) {
      const depArtifact = artifacts[dep];
      if (depArtifact?.type === 'cdk:asset-manifest' && depArtifact.properties?.file) {
        fileAssets.push(...readFileAssets(dir, depArtifact.properties.file));
      }
    }
    return {
      assemblyDir: dir,
      artifactId: id,
      stackName: name,
      template: readJson(path.join(dir, artifact.properties!.templateFile)),
      fileAssets,
    };
  }
  for (const artifact of Object.values(artifacts)) {
    if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      const nested = findStack(path.join(dir, artifact.properties.directoryName), stackName);
      if (nested) return nested;
    }
  }
  return undefined;
}

/** A stack of a cloud assembly, as `listStacks` answers it. */
export interface StackSummary {
  readonly stackName: string;
  /** The stacks (their names) it depends on. */
  readonly dependencies: string[];
  readonly template: Template;
  /** Each resource's construct path (`ProtonPlatform/Beta/Resource`), from the manifest's metadata, by logical id. */
  readonly constructPaths: Record<string, string>;
}

/** The stacks of an assembly and its nested assemblies, each after the stacks it depends on. */
export function listStacks(assemblyDir: string): StackSummary[] {
  const stacks = new Map<string, StackSummary>();
  const collect = (dir: string) => {
    const artifacts = readManifest(dir);
    for (const [id, artifact] of Object.entries(artifacts)) {
      if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) collect(path.join(dir, artifact.properties.directoryName));
      if (artifact.type !== 'aws:cloudformation:stack') continue;
      const dependencies = (artifact.dependencies ?? []).filter(dep => artifacts[dep]?.type === 'aws:cloudformation:stack')
        .map(dep => artifacts[dep].properties?.stackName ?? dep);
      const stackName = artifact.properties?.stackName ?? id;
      const constructPaths: Record<string, string> = {};
      for (const [where, entries] of Object.entries<any[]>((artifact as any).metadata ?? {})) {
        const logicalId = entries.find(e => e.type === 'aws:cdk:logicalId')?.data;
        if (typeof logicalId === 'string') constructPaths[logicalId] = where.replace(/^\//, '');
      }
      stacks.set(stackName, { stackName, dependencies, template: readJson(path.join(dir, artifact.properties!.templateFile)), constructPaths });
    }
  };
  collect(path.resolve(assemblyDir));
  const ordered: StackSummary[] = [];
  const visit = (stack: StackSummary) => {
    if (ordered.includes(stack)) return;
    stack.dependencies.forEach(dep => stacks.has(dep) && visit(stacks.get(dep)!));
    ordered.push(stack);
  };
  stacks.forEach(visit);
  return ordered;
}

/** Replace `${AWS::AccountId}`, `${AWS::Region}` and `${AWS::Partition}` in an asset destination. */
export function substituteAssetPlaceholders(value: string, env: { accountId: string; region: string; partition: string }): string {
  return value
    .replace(/\$\{AWS::AccountId\}/g, env.accountId)
    .replace(/\$\{AWS::Region\}/g, env.region)
    .replace(/\$\{AWS::Partition\}/g, env.partition);
}

/**
 * Map of `objectKey` → local folder for `zip` (directory) assets: what a Lambda function's
 * `Code.S3Key` refers to.
 */
export function codeAssetIndex(artifact: StackArtifact): Record<string, string> {
  const index: Record<string, string> = {};
  for (const asset of artifact.fileAssets) {
    if (asset.packaging !== 'zip') continue;
    for (const d of asset.destinations) index[d.objectKey] = asset.sourcePath;
  }
  return index;
}
