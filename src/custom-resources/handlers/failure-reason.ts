import { MAX_REASON_BYTES, truncateUtf8 } from './errors';

/**
 * The error a handler throws, fit for the CloudFormation reason the framework makes of it: any error, the SDK's
 * (Proton's own message, which can be of any length) as well as ours. The framework's reason is the message and the
 * stack's lines after its first: a message of several lines would be there twice, so the stack's first line gets
 * the message on one line.
 */
export function sizedForReason(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const message = truncateUtf8(error.message, MAX_REASON_BYTES);
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  error.message = message;
  error.stack = [`${error.name}: ${message.replace(/\r?\n/g, ' ')}`, ...frames].join('\n');
  return error;
}
