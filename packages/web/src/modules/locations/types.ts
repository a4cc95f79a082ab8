import type { BodyOf, ResponseOf } from '../../api';

/** A location: `parentId`, `depth` (0 = top level), `path` (ids root → self), `pathNames`, asset counts. */
export type Location = ResponseOf<'/api/v1/locations', 'get'>[number];
export type LocationCreate = BodyOf<'/api/v1/locations', 'post'>;
export type LocationInput = BodyOf<'/api/v1/locations/{id}', 'patch'>;

/** `HQ / Floor 2 / Room 201` */
export function locationPathLabel(l: { name: string; pathNames?: string[] }): string {
  return l.pathNames?.length ? l.pathNames.join(' / ') : l.name;
}
