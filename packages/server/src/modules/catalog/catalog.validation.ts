import type { FieldError } from '../../errors.js';

/*
 * Field checks shared by the catalog and member profiles. Each pushes a field error (JSON-pointer
 * path, message, stable code) so a service can report every bad field of a request at once.
 */

const EMAIL_RE = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]{2,}$/;
const PHONE_RE = /^\+?[0-9 ()./-]{3,40}(\s*(ext\.?|x)\s*[0-9]{1,6})?$/i;

/** undefined stays undefined (not sent); null and blank become null; text is trimmed. */
export const clean = (v: string | null | undefined): string | null | undefined =>
  (v === undefined ? undefined : v === null || v.trim() === '' ? null : v.trim());

/** Only absolute http(s) URLs: `javascript:`, `data:` and friends would become clickable links in the UI. */
export function checkUrl(errors: FieldError[], path: string, v: string | null | undefined): void {
  if (!v) return;
  let ok = false;
  try {
    const u = new URL(v);
    ok = (u.protocol === 'http:' || u.protocol === 'https:') && !!u.hostname;
  } catch {
    ok = false;
  }
  if (!ok) errors.push({ path, message: 'must be an http:// or https:// URL', code: 'url' });
}

export function checkEmail(errors: FieldError[], path: string, v: string | null | undefined): void {
  if (v && !EMAIL_RE.test(v)) errors.push({ path, message: 'must be an email address', code: 'email' });
}

export function checkPhone(errors: FieldError[], path: string, v: string | null | undefined): void {
  if (v && !PHONE_RE.test(v)) errors.push({ path, message: 'must be a phone number (digits, spaces, + ( ) - . /, optional extension)', code: 'phone' });
}
