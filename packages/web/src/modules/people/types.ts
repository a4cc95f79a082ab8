import type { BodyOf, ResponseOf } from '../../api';

/** Employee number, title, phone, department, location and manager (`updatedAt` null until first saved). */
export type MemberProfile = ResponseOf<'/api/v1/members/{userId}/profile', 'get'>;
export type MemberProfileInput = BodyOf<'/api/v1/members/{userId}/profile', 'patch'>;
