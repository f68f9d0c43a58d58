import { fromEnv, FromEnvInit } from '@aws-sdk/credential-provider-env';

/**
 * Stands in for the SDK's default credential chain (`@aws-sdk/credential-provider-node`) in the handler bundle, by an
 * esbuild alias (.projenrc.ts). A Lambda function's credentials are its role's, in the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN): the chain's SSO, INI, process, container, IMDS and STS
 * providers never run there, and leaving them out makes the bundle about 100 KB smaller.
 */
export function defaultProvider(init: FromEnvInit = {}) {
  return fromEnv(init);
}
