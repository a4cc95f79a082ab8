import { ApiError } from '../../api';
import { useFormErrors } from '../../ui/useFormErrors';

/**
 * Field errors of the settings form. The server names nested fields by their full path
 * (`reconciliation/staleDays`, `reconciliation/ignoredSerials/3`); the form's fields are the last
 * named segment.
 */
export function useSettingsErrors<F extends string>(fields: readonly F[]) {
  const form = useFormErrors(fields);
  const handle = (err: unknown, title: string) => {
    if (err instanceof ApiError) {
      const mapped: Partial<Record<F, string>> = {};
      for (const [path, message] of Object.entries(err.fieldErrors())) {
        const field = path.split('/').filter((s) => s && !/^\d+$/.test(s)).pop() as F | undefined;
        if (field && fields.includes(field) && mapped[field] === undefined) mapped[field] = message.charAt(0).toUpperCase() + message.slice(1);
      }
      if (Object.keys(mapped).length) {
        form.setErrors(mapped);
        return;
      }
    }
    form.handle(err, title);
  };
  return { ...form, handle };
}
