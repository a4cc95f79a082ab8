import { v7 as uuidv7 } from 'uuid';

/** Time-ordered UUIDv7, generated in the app so both engines store the same text. */
export const newId = (): string => uuidv7();

/** ISO-8601 UTC with milliseconds; fixed width, so text order is time order. */
export const nowIso = (): string => new Date().toISOString();

export const addMinutes = (iso: string, minutes: number): string => new Date(Date.parse(iso) + minutes * 60_000).toISOString();

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
