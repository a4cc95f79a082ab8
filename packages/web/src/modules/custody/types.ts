import type { ResponseOf } from '../../api';

/** A check-out (open or returned) with its asset, target and acceptance. */
export type Assignment = ResponseOf<'/api/v1/custody/overdue', 'get'>[number];
export type MyItems = ResponseOf<'/api/v1/me/items', 'get'>;
export type Acceptance = MyItems['pendingAcceptances'][number];
export type AcceptanceStatus = Acceptance['status'];
export type TargetType = Assignment['targetType'];
export type AssetRef = Assignment['asset'];
export type UserItems = ResponseOf<'/api/v1/members/{userId}/holdings', 'get'>;
