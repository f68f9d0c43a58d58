import { AcceptEnvironmentAccountConnectionCommand, GetEnvironmentAccountConnectionCommand } from '@aws-sdk/client-proton';
import { AcceptEnvironmentAccountConnectionProperties } from '../contract';
import { ProtonResourceError } from './errors';
import { requiredString } from './properties';
import type { HandlerContext, IsCompleteResponse, OnEventRequest, OnEventResponse, ResourceHandler } from './types';

/**
 * Accepts an environment account connection from the management account. Accepting is
 * synchronous and a connection already CONNECTED needs nothing; Delete makes no call (Proton's
 * only way back is a rejection, which is final).
 */
export class AcceptEnvironmentAccountConnectionHandler implements ResourceHandler {
  public async onEvent(event: OnEventRequest, context: HandlerContext): Promise<OnEventResponse> {
    const id = requiredString<AcceptEnvironmentAccountConnectionProperties>(event.ResourceProperties, 'ConnectionId');
    if (event.RequestType === 'Delete') {
      return { PhysicalResourceId: event.PhysicalResourceId! };
    }
    const connection = (await context.proton.send(new GetEnvironmentAccountConnectionCommand({ id }))).environmentAccountConnection!;
    switch (connection.status) {
      case 'CONNECTED':
        break;
      case 'PENDING':
        await context.proton.send(new AcceptEnvironmentAccountConnectionCommand({ id }));
        break;
      default:
        throw new ProtonResourceError(`environment account connection ${id} is ${connection.status}: `
          + 'a rejected connection cannot be accepted, create a new one in the environment account');
    }
    return { PhysicalResourceId: id };
  }

  public async isComplete(): Promise<IsCompleteResponse> {
    return { IsComplete: true };
  }
}

export const acceptEnvironmentAccountConnectionHandler = new AcceptEnvironmentAccountConnectionHandler();
