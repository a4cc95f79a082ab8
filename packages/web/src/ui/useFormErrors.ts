import { useCallback, useState } from 'react';
import { ApiError } from '../api';
import { notifyError } from './notify';

export type FieldErrors<F extends string> = Partial<Record<F, string>>;

/**
 * Field errors for a form. `handle(err)` maps the server's field errors (`/body/newPassword` →
 * `newPassword`, `/body/scopes/2` → `scopes`) onto the form's fields; anything it cannot place on
 * a field becomes a red notification with the request id. Pass `fields` as a module constant.
 */
export function useFormErrors<F extends string>(fields: readonly F[]) {
  const [errors, setErrors] = useState<FieldErrors<F>>({});

  const handle = useCallback(
    (err: unknown, title?: string) => {
      if (err instanceof ApiError) {
        const mapped: FieldErrors<F> = {};
        for (const [path, message] of Object.entries(err.fieldErrors())) {
          const field = path.split('/')[0] as F;
          if (fields.includes(field) && mapped[field] === undefined) mapped[field] = capitalize(message);
        }
        if (Object.keys(mapped).length > 0) {
          setErrors(mapped);
          return;
        }
      }
      setErrors({});
      notifyError(err, title);
    },
    [fields],
  );

  const clearField = useCallback((field: F) => {
    setErrors((prev) => (prev[field] === undefined ? prev : { ...prev, [field]: undefined }));
  }, []);

  const clear = useCallback(() => setErrors({}), []);

  return { errors, setErrors, handle, clear, clearField };
}

function capitalize(s: string): string {
  return s.length ? s.charAt(0).toUpperCase() + s.slice(1) : s;
}
