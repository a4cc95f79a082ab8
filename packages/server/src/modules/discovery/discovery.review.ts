/**
 * The people's side of reconciliation: the review queue (link a device to an asset — merge —, give
 * it an asset of its own — split —, ignore it, unlink a wrong match), the stale list, and what
 * discovery knows about one asset.
 */
import type { Ctx } from '../../context.js';
import type { Executor } from '../../db/database.js';
import { authorize, orgOf } from '../../authz/policies.js';
import { AppError, conflict, notFound } from '../../errors.js';
import { nowIso } from '../../lib/ids.js';
import * as events from '../events/events.service.js';
import type { CanonicalDevice } from './discovery.canonical.js';
import { applyToAsset, createAssetFor, discoveryCtx, setLink, type ApplyInput } from './discovery.reconcile.js';
import * as ingest from './discovery.ingest.js';
import * as repo from './discovery.repository.js';
import { deviceSummary, getDevice, type DeviceDto, type DeviceSummaryDto } from './discovery.service.js';

export interface AssetRefDto { id: string; assetTag: string; name: string | null; serial: string | null; model: string; lifecycleState: string }

async function assetRefs(db: Executor, orgId: string, ids: string[]): Promise<AssetRefDto[]> {
  if (!ids.length) return [];
  return (await repo.assetRefs(db, orgId, ids)).map((r) => ({ id: r.id, assetTag: r.asset_tag, name: r.name, serial: r.serial, model: r.model_name, lifecycleState: r.lifecycle_state }));
}


export async function reviewQueue(ctx: Ctx, q: { cursor?: string; limit?: number }): Promise<{ items: { device: DeviceSummaryDto; candidates: AssetRefDto[] }[]; nextCursor: string | null }> {
  authorize(ctx.actor, 'discovery.read');
  const orgId = orgOf(ctx);
  const limit = q.limit ?? 50;
  const rows = await repo.listDevices(ctx.db, orgId, { matchStatus: 'review', cursor: q.cursor, limit: limit + 1 });
  const page = rows.slice(0, limit).map(deviceSummary);
  const refs = new Map((await assetRefs(ctx.db, orgId, [...new Set(page.flatMap((d) => d.reviewCandidates))])).map((r) => [r.id, r]));
  return {
    items: page.map((device) => ({ device, candidates: device.reviewCandidates.map((id) => refs.get(id)).filter((r): r is AssetRefDto => !!r) })),
    nextCursor: rows.length > limit ? page[page.length - 1]!.id : null,
  };
}

/** Loads the device for an action by a person, with the agent's ctx to write discovered data. */
async function actionInput(trx: Executor, ctx: Ctx, deviceId: string): Promise<{ row: repo.DeviceRow; input: ApplyInput }> {
  const orgId = orgOf(ctx);
  const row = await repo.findDevice(trx, orgId, deviceId);
  if (!row) throw notFound('device');
  const agent = await repo.findAgent(trx, orgId, row.agent_id);
  const settings = await ingest.settingsOf(trx, orgId);
  if (!agent || !settings) throw notFound('agent');
  let device: CanonicalDevice;
  try {
    device = JSON.parse(row.record) as CanonicalDevice;
  } catch {
    throw new AppError(500, 'discovery.corrupt_record', 'The stored device record cannot be read.');
  }
  return { row, input: { ctx: discoveryCtx(ctx, orgId, agent.device_id, { discoveredDeviceId: row.id, byUser: ctx.actor.label }), deviceRowId: row.id, device, previous: null, settings: settings.reconcile, now: nowIso() } };
}

function refuseIfLinked(row: repo.DeviceRow): void {
  if (row.asset_id) {
    throw conflict('discovery.already_linked', 'The device is linked to an asset; unlink it first.', { assetId: row.asset_id }, [
      { path: '/params/id', message: 'is already linked to an asset', code: 'conflict' },
    ]);
  }
}

/** Merge: the device is this asset. */
export async function linkToAsset(ctx: Ctx, deviceId: string, assetId: string): Promise<DeviceDto> {
  authorize(ctx.actor, 'discovery.manage');
  authorize(ctx.actor, 'asset.write');
  const orgId = orgOf(ctx);
  await ctx.db.transaction().execute(async (trx) => {
    const { row, input } = await actionInput(trx, ctx, deviceId);
    refuseIfLinked(row);
    const asset = await repo.assetState(trx, orgId, assetId);
    if (!asset || asset.deleted_at) throw notFound('asset', '/body/assetId');
    await setLink(trx, ctx, input, assetId, 'matched', 'manual');
    await applyToAsset(trx, assetId, input);
  });
  return getDevice(ctx, deviceId);
}

/** Split: the device gets an asset of its own, whatever else it resembles. */
export async function createAsset(ctx: Ctx, deviceId: string): Promise<DeviceDto> {
  authorize(ctx.actor, 'discovery.manage');
  authorize(ctx.actor, 'asset.write');
  await ctx.db.transaction().execute(async (trx) => {
    const { row, input } = await actionInput(trx, ctx, deviceId);
    refuseIfLinked(row);
    const assetId = await createAssetFor(trx, input);
    await setLink(trx, ctx, input, assetId, 'created', 'manual');
    await applyToAsset(trx, assetId, input);
  });
  return getDevice(ctx, deviceId);
}

/** Ignore: the device never becomes an asset (test machines, ephemeral containers). */
export async function ignore(ctx: Ctx, deviceId: string): Promise<DeviceDto> {
  authorize(ctx.actor, 'discovery.manage');
  const orgId = orgOf(ctx);
  await ctx.db.transaction().execute(async (trx) => {
    const { row } = await actionInput(trx, ctx, deviceId);
    refuseIfLinked(row);
    if (row.match_status === 'ignored') return;
    await repo.updateDevice(trx, orgId, deviceId, { match_status: 'ignored', review_reason: null, review_candidates: null });
    await events.record(trx, ctx, { action: 'discovery.device_ignored', entityType: 'discovered_device', entityId: deviceId, changes: { matchStatus: { before: row.match_status, after: 'ignored' } } });
  });
  return getDevice(ctx, deviceId);
}

/**
 * Unlink a wrong match: the device goes back to review and no longer lends its identifiers to
 * the asset. What it wrote on the asset stays (it is in the asset's history).
 */
export async function unlink(ctx: Ctx, deviceId: string): Promise<DeviceDto> {
  authorize(ctx.actor, 'discovery.manage');
  const orgId = orgOf(ctx);
  await ctx.db.transaction().execute(async (trx) => {
    const { row } = await actionInput(trx, ctx, deviceId);
    if (!row.asset_id && row.match_status !== 'ignored') {
      throw conflict('discovery.not_linked', 'The device is not linked to an asset.', {}, [{ path: '/params/id', message: 'is not linked', code: 'conflict' }]);
    }
    await repo.updateDevice(trx, orgId, deviceId, { asset_id: null, match_status: 'review', match_rule: null, review_reason: 'unlinked by a person', review_candidates: null, linked_at: null });
    await repo.clearIdentifiersOfDevice(trx, orgId, deviceId);
    if (row.asset_id) {
      await events.record(trx, ctx, { action: 'discovery.device_unlinked', entityType: 'asset', entityId: row.asset_id, changes: { discoveredDeviceId: { before: deviceId, after: null } }, meta: { discoveredDeviceId: deviceId } });
    } else {
      await events.record(trx, ctx, { action: 'discovery.device_unignored', entityType: 'discovered_device', entityId: deviceId, changes: { matchStatus: { before: 'ignored', after: 'review' } } });
    }
  });
  return getDevice(ctx, deviceId);
}

// ---------- stale list ----------

/** Assets in these states are not expected to report. */
const NOT_EXPECTED = ['retired', 'pending_disposition', 'disposed', 'missing', 'stolen'];
const DAY = 86_400_000;

export async function staleReport(ctx: Ctx, q: { days?: number; limit?: number; offset?: number }) {
  authorize(ctx.actor, 'discovery.read');
  const orgId = orgOf(ctx);
  const settings = await ingest.settingsOf(ctx.db, orgId);
  const days = q.days ?? settings?.reconcile.staleDays ?? 30;
  const now = Date.now();
  const cutoff = new Date(now - days * DAY).toISOString();
  const rows = await repo.staleAssets(ctx.db, orgId, cutoff, NOT_EXPECTED, q.limit ?? 100, q.offset ?? 0);
  return {
    days, cutoff,
    assets: rows.map((r) => ({
      assetId: r.asset_id, assetTag: r.asset_tag, name: r.name, model: r.model_name, lifecycleState: r.lifecycle_state, hostname: r.hostname,
      lastSeenAt: r.last_seen_at, daysSinceSeen: Math.floor((now - Date.parse(r.last_seen_at)) / DAY),
    })),
    unlinkedDevices: (await repo.staleUnlinkedDevices(ctx.db, orgId, cutoff, q.limit ?? 100)).map(deviceSummary),
  };
}

// ---------- one asset ----------

export async function assetDiscovery(ctx: Ctx, assetId: string) {
  authorize(ctx.actor, 'asset.read');
  const orgId = orgOf(ctx);
  const asset = await repo.assetState(ctx.db, orgId, assetId);
  if (!asset) throw notFound('asset');
  const devices = (await repo.devicesOfAsset(ctx.db, orgId, assetId)).map(deviceSummary);
  const settings = await ingest.settingsOf(ctx.db, orgId);
  const lastSeenAt = devices[0]?.lastSeenAt ?? null;
  const staleDays = settings?.reconcile.staleDays ?? 30;
  const canSeeDiscovery = ctx.actor.permissions.has('discovery.read');
  return {
    lastSeenAt,
    stale: !!lastSeenAt && Date.now() - Date.parse(lastSeenAt) > staleDays * DAY,
    devices,
    // The full record (software, network, …) needs discovery.read; asset.read gives the summary.
    current: devices[0] && canSeeDiscovery ? await getDevice(ctx, devices[0].id) : null,
    identifiers: (await repo.identifiersOfAsset(ctx.db, orgId, assetId)).map((i) => ({ kind: i.kind, value: i.value, source: i.source, deviceId: i.device_id })),
  };
}
