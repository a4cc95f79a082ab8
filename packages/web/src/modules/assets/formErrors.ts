import { useCallback, useState } from 'react';
import { ApiError } from '../../api';
import { notifyError } from '../../ui/notify';

/** The record a 409 names (`conflict: { id, assetTag }`), for "already used by …" links. */
export interface Conflict {
  code: string;
  message: string;
  id: string;
  assetTag: string;
}

function capitalize(s: string): string {
  return s.length ? s.charAt(0).toUpperCase() + s.slice(1) : s;
}

/**
 * Field errors keyed by their path below `/body/` (`serial`, `customFields/ram`, `media/0/serial`)
 * — finer than ui/useFormErrors, because the asset form has nested fields. Errors that fit no
 * known field become a notification; a 409 naming another asset is returned as `conflict`.
 */
export function usePathErrors(isKnown: (path: string) => boolean) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [conflict, setConflict] = useState<Conflict | null>(null);

  const handle = useCallback(
    (err: unknown, title: string) => {
      setConflict(null);
      const mapped: Record<string, string> = {};
      if (err instanceof ApiError) {
        for (const e of err.problem.errors ?? []) {
          const path = e.path.replace(/^\/body\//, '');
          if (isKnown(path) && mapped[path] === undefined) mapped[path] = capitalize(e.message);
        }
        const c = err.problem.conflict as { id?: unknown; assetTag?: unknown } | undefined;
        if (err.status === 409 && c && typeof c.id === 'string') {
          const field = err.code.endsWith('duplicate_serial') ? 'serial' : err.code.endsWith('duplicate_tag') ? 'assetTag' : null;
          if (field && mapped[field] === undefined) mapped[field] = capitalize(err.problem.detail || 'Already in use');
          setConflict({ code: err.code, message: err.problem.detail || err.message, id: c.id, assetTag: typeof c.assetTag === 'string' ? c.assetTag : c.id });
          setErrors(mapped);
          return;
        }
      }
      setErrors(mapped);
      if (!Object.keys(mapped).length) notifyError(err, title);
    },
    [isKnown],
  );

  const clearField = useCallback(
    (path: string) =>
      setErrors((prev) => {
        if (!(path in prev)) return prev;
        const next = { ...prev };
        delete next[path];
        return next;
      }),
    [],
  );
  return { errors, conflict, handle, clearField, setErrors };
}
