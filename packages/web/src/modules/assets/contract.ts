/**
 * Types of the inventory API (docs/design/inventory.md) as the asset screens use them, all
 * derived from the generated schema.
 */
import type { paths, ResponseOf } from '../../api';

export const LIFECYCLE_STATES = ['ordered', 'in_stock', 'deployed', 'in_repair', 'missing', 'stolen', 'retired', 'pending_disposition', 'disposed'] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

export interface Ref {
  id: string;
  name: string;
}

export type AssetPage = ResponseOf<'/api/v1/assets', 'get'>;
export type AssetListItem = AssetPage['items'][number];
/** Who or what holds an asset (custody target). */
export type Holder = NonNullable<AssetListItem['assignee']>;
export type AssetListQuery = NonNullable<paths['/api/v1/assets']['get']['parameters']['query']>;
export type Transitions = ResponseOf<'/api/v1/assets/{id}/transitions', 'get'>;
export type AssetDetail = ResponseOf<'/api/v1/assets/{id}', 'get'>;
export type AssetMedia = AssetDetail['media'][number];
export type CurrentAssignment = NonNullable<AssetDetail['currentAssignment']>;
export type CreateAssetBody = NonNullable<paths['/api/v1/assets']['post']['requestBody']>['content']['application/json'];
export type UpdateAssetBody = NonNullable<paths['/api/v1/assets/{id}']['patch']['requestBody']>['content']['application/json'];
export type CreateMediumBody = NonNullable<paths['/api/v1/assets/{id}/media']['post']['requestBody']>['content']['application/json'];
export type UpdateMediumBody = NonNullable<paths['/api/v1/assets/{id}/media/{mediumId}']['patch']['requestBody']>['content']['application/json'];
export type BulkEditBody = NonNullable<paths['/api/v1/assets/bulk']['patch']['requestBody']>['content']['application/json'];
export type CheckoutBody = NonNullable<paths['/api/v1/assets/{id}/checkout']['post']['requestBody']>['content']['application/json'];
export type CheckinBody = NonNullable<paths['/api/v1/assets/{id}/checkin']['post']['requestBody']>['content']['application/json'];

export type Category = ResponseOf<'/api/v1/categories', 'get'>[number];
export type Model = ResponseOf<'/api/v1/models', 'get'>[number];
export type Location = ResponseOf<'/api/v1/locations', 'get'>[number];
export type CustomField = ResponseOf<'/api/v1/categories/{id}/fields', 'get'>[number];
export type FieldType = CustomField['type'];
export type Attachment = ResponseOf<'/api/v1/assets/{id}/attachments', 'get'>[number];
export type Assignment = ResponseOf<'/api/v1/custody/assignments', 'get'>['items'][number];
export type TimelinePage = ResponseOf<'/api/v1/assets/{id}/timeline', 'get'>;

export type SavedView = ResponseOf<'/api/v1/views', 'get'>[number];
export type SavedViewDefinition = NonNullable<paths['/api/v1/views']['post']['requestBody']>['content']['application/json']['definition'];
export type SavedViewFilters = NonNullable<SavedViewDefinition['filters']>;

export type SearchResults = ResponseOf<'/api/v1/search', 'get'>;
