/**
 * An error the emulator answers with: `__type` is `type`, the HTTP status comes from the error shape in
 * `proton-model.json` (see `ProtonModel.errorStatus`).
 */
export class ProtonError extends Error {
  constructor(readonly type: string, message: string) {
    super(message);
    this.name = type;
  }
}

export function validationError(message: string): ProtonError {
  return new ProtonError('ValidationException', message);
}

export function notFound(message: string): ProtonError {
  return new ProtonError('ResourceNotFoundException', message);
}

export function conflict(message: string): ProtonError {
  return new ProtonError('ConflictException', message);
}

/** A quota of the account or of a resource (e.g. 20 service instances per service) would be exceeded. */
export function quotaExceeded(message: string): ProtonError {
  return new ProtonError('ServiceQuotaExceededException', message);
}

/** Wire-level problems (a body that is not JSON, a value of the wrong JSON type): not a Proton model error. */
export function serializationError(message: string): ProtonError {
  return new ProtonError('SerializationException', message);
}

/** An operation the Proton model does not know, or one this emulator does not implement yet. */
export function unknownOperation(message: string): ProtonError {
  return new ProtonError('UnknownOperationException', message);
}
