/** Discovery resources (agents, devices, review, settings), typed from the generated schema. */
import type { BodyOf, ResponseOf, paths } from '../../api';

export type DiscoverySettings = ResponseOf<'/api/v1/discovery/settings', 'get'>;
export type SettingsPatch = BodyOf<'/api/v1/discovery/settings', 'patch'>;
export type Reconciliation = DiscoverySettings['reconciliation'];
export type MatchRule = Reconciliation['matchRules'][number];
export type CreateState = Reconciliation['createState'];
export type UnknownAgentPolicy = DiscoverySettings['unknownAgentPolicy'];
export type Enrollment = ResponseOf<'/api/v1/discovery/enrollments', 'get'>[number];
export type NewEnrollment = ResponseOf<'/api/v1/discovery/enrollments', 'post'>;
export type AgentPage = ResponseOf<'/api/v1/discovery/agents', 'get'>;
export type Agent = AgentPage['items'][number];
export type AgentStatus = Agent['status'];
export type PayloadPage = ResponseOf<'/api/v1/discovery/payloads', 'get'>;
export type Payload = PayloadPage['items'][number];
export type DevicePage = ResponseOf<'/api/v1/discovery/devices', 'get'>;
export type DeviceSummary = DevicePage['items'][number];
export type DeviceQuery = NonNullable<paths['/api/v1/discovery/devices']['get']['parameters']['query']>;
export type MatchStatus = DeviceSummary['matchStatus'];
export type Device = ResponseOf<'/api/v1/discovery/devices/{id}', 'get'>;
export type DeviceRecord = Device['record'];
export type ReviewItem = ResponseOf<'/api/v1/discovery/review', 'get'>['items'][number];
export type CandidateAsset = ReviewItem['candidates'][number];
export type StaleReport = ResponseOf<'/api/v1/discovery/stale', 'get'>;
export type AssetDiscovery = ResponseOf<'/api/v1/assets/{id}/discovery', 'get'>;
export type FieldSource = ResponseOf<'/api/v1/assets/{id}/field-sources', 'get'>[number];

export const AGENT_STATUSES: readonly AgentStatus[] = ['approved', 'pending', 'refused'];
export const MATCH_STATUSES: readonly MatchStatus[] = ['pending', 'matched', 'created', 'review', 'ignored'];
export const MATCH_RULES: readonly MatchRule[] = ['serial', 'uuid', 'mac', 'hostname'];
export const CREATE_STATES: readonly CreateState[] = ['in_stock', 'ordered'];

export const AGENT_STATUS_LABELS: Record<AgentStatus, string> = { approved: 'Approved', pending: 'Waiting for approval', refused: 'Refused' };
export const MATCH_STATUS_LABELS: Record<MatchStatus, string> = {
  pending: 'Not reconciled yet',
  matched: 'Matched',
  created: 'Asset created',
  review: 'Needs review',
  ignored: 'Ignored',
};
export const MATCH_RULE_LABELS: Record<MatchRule, { label: string; help: string }> = {
  serial: { label: 'System serial + manufacturer', help: 'The SMBIOS serial number with the vendor (placeholder serials never match).' },
  uuid: { label: 'SMBIOS UUID', help: 'The firmware UUID (byte-order variants are recognised).' },
  mac: { label: 'MAC addresses', help: 'Any physical network address already known for an asset.' },
  hostname: { label: 'Host name', help: 'The asset name equals the host name (case-insensitive).' },
};
export const POLICY_LABELS: Record<UnknownAgentPolicy, { label: string; help: string }> = {
  accept: { label: 'Accept', help: 'Inventories of a new agent are processed at once.' },
  queue: { label: 'Queue for approval', help: 'A new agent waits on the Agents page; its inventories are kept and processed when approved.' },
  refuse: { label: 'Refuse', help: 'A new agent gets an error reply until someone approves it.' },
};
