import { notifications } from '@mantine/notifications';
import { ApiError } from '../api';

/** A human sentence for any error, plus the request id when the server sent one. */
export function describeError(err: unknown): { message: string; requestId: string | null } {
  if (err instanceof ApiError) {
    return { message: err.problem.detail || err.message, requestId: err.problem.requestId || null };
  }
  if (err instanceof TypeError) return { message: 'The server could not be reached. Check your connection and try again.', requestId: null };
  return { message: err instanceof Error ? err.message : String(err), requestId: null };
}

/** Red notification for an error that is not tied to a form field; includes the request id. */
export function notifyError(err: unknown, title = 'Something went wrong'): void {
  const { message, requestId } = describeError(err);
  notifications.show({
    color: 'red',
    title,
    message: requestId ? `${message} (request id ${requestId})` : message,
    autoClose: 10_000,
  });
}

export function notifySuccess(message: string, title?: string): void {
  notifications.show({ color: 'teal', message, ...(title ? { title } : {}) });
}
