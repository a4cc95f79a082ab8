/**
 * The asset list's filters and sort, in one shape shared by the page URL (so a filtered list can
 * be bookmarked and survives a reload), the API query, the CSV export link and saved views. The
 * URL parameters are the API's own query parameters.
 */
import { LIFECYCLE_STATES, type LifecycleState, type SavedViewFilters } from './contract';

export interface AssetFilters {
  q?: string;
  state?: LifecycleState[];
  categoryId?: string;
  modelId?: string;
  manufacturerId?: string;
  supplierId?: string;
  departmentId?: string;
  locationId?: string;
  /** Only meaningful with `locationId`; the server's default is true. */
  includeSublocations?: boolean;
  assigneeUserId?: string;
  warrantyEndFrom?: string;
  warrantyEndTo?: string;
  eolDateFrom?: string;
  eolDateTo?: string;
  purchaseDateFrom?: string;
  purchaseDateTo?: string;
  /** Custom field filters by parameter suffix: `{ 'os': 'linux', 'ram.from': '8' }` → `cf.os=linux&cf.ram.from=8`. */
  cf?: Record<string, string>;
}

/** The server's order without `sort`: by tag, or by relevance when searching with `q`. */
export function effectiveSort(filters: AssetFilters, sort: string | null): string | null {
  return sort ?? (filters.q ? null : 'assetTag');
}

const STRING_KEYS = [
  'q', 'categoryId', 'modelId', 'manufacturerId', 'supplierId', 'departmentId', 'locationId', 'assigneeUserId',
  'warrantyEndFrom', 'warrantyEndTo', 'eolDateFrom', 'eolDateTo', 'purchaseDateFrom', 'purchaseDateTo',
] as const satisfies readonly (keyof AssetFilters)[];

const isState = (s: string): s is LifecycleState => (LIFECYCLE_STATES as readonly string[]).includes(s);

/** Removes empty values so equal filters compare (and cache) equal. */
export function cleanFilters(f: AssetFilters): AssetFilters {
  const out: AssetFilters = {};
  for (const k of STRING_KEYS) {
    const v = f[k]?.trim();
    if (v) out[k] = v;
  }
  if (f.state?.length) out.state = [...f.state];
  if (out.locationId && f.includeSublocations === false) out.includeSublocations = false;
  const cf = Object.entries(f.cf ?? {}).filter(([, v]) => v.trim() !== '');
  if (cf.length) out.cf = Object.fromEntries(cf.map(([k, v]) => [k, v.trim()]));
  return out;
}

/** Filters and sort → query string parameters (`state` repeated, `cf.<key>` flattened). */
export function toSearchParams(filters: AssetFilters, sort: string | null): URLSearchParams {
  const f = cleanFilters(filters);
  const p = new URLSearchParams();
  for (const k of STRING_KEYS) {
    const v = f[k];
    if (v) p.set(k, v);
  }
  for (const s of f.state ?? []) p.append('state', s);
  if (f.includeSublocations === false) p.set('includeSublocations', 'false');
  for (const [k, v] of Object.entries(f.cf ?? {})) p.set(`cf.${k}`, v);
  if (sort) p.set('sort', sort);
  return p;
}

export function fromSearchParams(p: URLSearchParams): { filters: AssetFilters; sort: string | null } {
  const f: AssetFilters = {};
  for (const k of STRING_KEYS) {
    const v = p.get(k);
    if (v) f[k] = v;
  }
  const states = p.getAll('state').filter(isState);
  if (states.length) f.state = states;
  if (p.get('includeSublocations') === 'false') f.includeSublocations = false;
  const cf: Record<string, string> = {};
  for (const [k, v] of p) if (k.startsWith('cf.') && v) cf[k.slice(3)] = v;
  if (Object.keys(cf).length) f.cf = cf;
  return { filters: cleanFilters(f), sort: p.get('sort') || null };
}

/** The list endpoint's query object (openapi-fetch repeats arrays: `state=a&state=b`). */
export function toApiQuery(filters: AssetFilters, sort: string | null): Record<string, string | string[] | boolean> {
  const q: Record<string, string | string[] | boolean> = {};
  for (const [k, v] of toSearchParams(filters, sort)) {
    if (k === 'state') q.state = [...((q.state as string[] | undefined) ?? []), v];
    else if (k === 'includeSublocations') q.includeSublocations = false;
    else q[k] = v;
  }
  return q;
}

/** Number of active filters (for the filter button's badge). */
export function countFilters(f: AssetFilters): number {
  const c = cleanFilters(f);
  return STRING_KEYS.filter((k) => k !== 'q' && c[k]).length + (c.state?.length ? 1 : 0) + Object.keys(c.cf ?? {}).length;
}

/** `-assetTag` → `{ key: 'assetTag', desc: true }`; null (relevance) → no key. */
export function parseSort(sort: string | null): { key: string | null; desc: boolean } {
  if (!sort) return { key: null, desc: false };
  return sort.startsWith('-') ? { key: sort.slice(1), desc: true } : { key: sort, desc: false };
}

/** Filters as a saved view stores them: the list's query parameters (`cf.<key>` flattened). */
export function toViewFilters(filters: AssetFilters): SavedViewFilters {
  // The generated type gives the `cf.*` pattern properties a `string` index signature, which no
  // object with the `state` array can satisfy; the shape is the list query's, which it is.
  return toApiQuery(filters, null) as unknown as SavedViewFilters;
}

/** A saved view's stored filters back into the list's filters (unknown members are dropped). */
export function fromViewFilters(stored: Record<string, unknown>): AssetFilters {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(stored ?? {})) {
    if (Array.isArray(v)) for (const x of v) p.append(k, String(x));
    else if (v !== null && v !== undefined) p.set(k, String(v));
  }
  return fromSearchParams(p).filters;
}
