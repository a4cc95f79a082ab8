import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api';
import type { SearchResults } from '../assets/contract';

async function search(q: string, signal?: AbortSignal): Promise<SearchResults> {
  return unwrap(await api.GET('/api/v1/search', { params: { query: { q } }, ...(signal ? { signal } : {}) }));
}

/** Global quick search (assets by tag/serial/name, people, locations). */
export function useQuickSearch(q: string, enabled: boolean) {
  const query = q.trim();
  return useQuery({
    queryKey: ['search', query],
    queryFn: ({ signal }) => search(query, signal),
    enabled: enabled && query.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
}

export const sameTag = (a: string, b: string) => a.trim().localeCompare(b.trim(), undefined, { sensitivity: 'accent' }) === 0;

/** The asset whose tag is exactly `tag` (case-insensitive), or null. */
export async function findAssetByTag(tag: string): Promise<{ id: string; assetTag: string } | null> {
  const t = tag.trim();
  if (!t) return null;
  const r = await search(t);
  return r.assets.find((a) => sameTag(a.assetTag, t)) ?? null;
}
