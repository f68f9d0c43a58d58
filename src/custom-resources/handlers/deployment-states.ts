/**
 * The deployment statuses of environments, service instances, pipelines and components that change by
 * themselves: Proton refuses most calls on the resource meanwhile (a conflict), and the handlers wait them out.
 */

/** A deployment runs (or is being cancelled): it ends by itself, in success, failure or cancellation. */
export const DEPLOYMENT_RUNNING: ReadonlySet<string> = new Set(['IN_PROGRESS', 'CANCELLING']);

/** A deployment or a delete runs: the resource changes by itself, or goes. */
export const DEPLOYMENT_OR_DELETE_RUNNING: ReadonlySet<string> = new Set([...DEPLOYMENT_RUNNING, 'DELETE_IN_PROGRESS']);

/** The service statuses (of the service itself, not its instances) that change by themselves. */
export const SERVICE_CHANGING: ReadonlySet<string> = new Set(['CREATE_IN_PROGRESS', 'UPDATE_IN_PROGRESS', 'DELETE_IN_PROGRESS',
  'CREATE_FAILED_CLEANUP_IN_PROGRESS', 'UPDATE_FAILED_CLEANUP_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS']);
