/** Domain errors. Services throw these; plugins/errors.ts turns them into RFC 9457 problem+json. */
export interface FieldError {
  /** JSON path of the offending value, e.g. `/body/email` or `/body/items/3/serial`. */
  path: string;
  message: string;
  code?: string;
}

export class AppError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly errors: FieldError[] = [],
    /** Extra machine-readable members added to the problem document (e.g. `allowed`, `conflict`). */
    public readonly extra: Record<string, unknown> = {},
    public readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (code: string, message: string, errors: FieldError[] = []) => new AppError(400, code, message, errors);
export const unauthorized = (message = 'Authentication required.', code = 'auth.required') => new AppError(401, code, message);
export const forbidden = (message = 'You do not have permission to do this.', code = 'auth.forbidden') => new AppError(403, code, message);
export const notFound = (entity: string, field?: string) =>
  new AppError(404, `${entity}.not_found`, `${entity[0]?.toUpperCase()}${entity.slice(1)} not found.`, field ? [{ path: field, message: `No such ${entity}.`, code: 'not_found' }] : []);
export const conflict = (code: string, message: string, extra: Record<string, unknown> = {}, errors: FieldError[] = []) =>
  new AppError(409, code, message, errors, extra);
export const unprocessable = (code: string, message: string, errors: FieldError[] = []) => new AppError(422, code, message, errors);
export const tooMany = (message: string, retryAfterSeconds: number) =>
  new AppError(429, 'auth.rate_limited', message, [], {}, { 'retry-after': String(retryAfterSeconds) });
