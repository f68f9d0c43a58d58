import { ProtonResourceError } from './errors';

/**
 * Proton deploys a major version only when it is higher than the one in use ("a different major
 * version that is higher than the major version in use", UpdateEnvironment, UpdateServiceInstance
 * and UpdateServicePipeline API reference). Going back, as the rollback of a major version upgrade
 * would, is refused: fail with what to do instead of sending a request Proton refuses.
 */
export function refuseLowerMajor(what: string, running: string | undefined, desired: string): void {
  if (running === undefined || Number(desired) >= Number(running)) return;
  throw new ProtonResourceError(`${what} runs major version ${running} and Proton deploys only a higher major version, `
    + `so it cannot go back to ${desired}. If this is a rollback, continue it without this resource `
    + `(aws cloudformation continue-update-rollback --stack-name <stack> --resources-to-skip <this logical id>): it stays on ${running}. `
    + `Otherwise declare major version ${running} or higher, or replace it under a new name.`);
}
