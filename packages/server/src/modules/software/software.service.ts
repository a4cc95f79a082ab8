/**
 * Software catalogue: the installations discovery finds on each device, linked to normalised
 * products (publisher + product; the version stays on the installation), and the organization's
 * normalisation rules (rename, merge, ignore), re-applied to every stored installation when they
 * change. See docs/software.md.
 */
import type { Ctx } from '../../context.js';
import type { Db, Executor } from '../../db/database.js';
import { groupCommit } from '../../db/group-commit.js';
import { authorize, orgOf } from '../../authz/policies.js';
import { engineOfDb, fromDbBool, toDbBool } from '../../db/dialect.js';
import { notFound, unprocessable, type FieldError } from '../../errors.js';
import { newId, nowIso } from '../../lib/ids.js';
import * as events from '../events/events.service.js';
import type { CanonicalSoftware } from '../discovery/discovery.canonical.js';
import {
  applyRules, compileRule, isIgnored, normalizeName, normalizePublisher, normalizeSoftware,
  type CompiledRule, type MatchMode, type NormalizedSoftware, type Resolved, type RuleKind, type SoftwareRule,
} from './software.normalize.js';
import type {
  AssetSoftwareDto, InstallationDto, InstallationQueryInput, ProductDetailDto, ProductDto, ProductQueryInput, RuleCreateInput,
  RuleDto, RuleEffectDto, RulePreviewDto, RulePreviewInputT, RuleUpdateInput,
} from './software.schemas.js';
import * as repo from './software.repository.js';

const orNull = (v: string): string | null => (v === '' ? null : v);

function compileRules(rows: readonly repo.RuleRow[]): CompiledRule[] {
  return rows.map((r) => compileRule(ruleOf(r)));
}

const ruleOf = (r: repo.RuleRow): SoftwareRule => ({
  kind: r.kind as RuleKind, mode: r.match_mode as MatchMode, matchPublisher: r.match_publisher, matchName: r.match_name,
  targetPublisher: r.target_publisher, targetName: r.target_name,
});

// ---------------------------------------------------------------------------------------------
// Per-organization caches for the discovery hook (every inventory of a fleet reports mostly the
// same packages: normalising them and looking their products up again was a fifth of its cost)
// ---------------------------------------------------------------------------------------------

/**
 * Products are renamed, merged, ignored or deleted only when the rules change (`reapplyRules`), and
 * every sync reads the rules: a cache made under other rules is dropped, so that is its invalidation.
 */
interface OrgCache {
  /** The rules these entries were made with (ids, positions, update times). */
  rulesSig: string;
  rules: CompiledRule[];
  /** Reported package (all fields) → its normalised form under these rules. */
  normalized: Map<string, NormalizedSoftware>;
  /** Product key → product, for products created at least PRODUCT_CACHE_AGE_MS ago. */
  products: Map<string, repo.ProductRow>;
}

/** Bound on either map of one organization; past it the map starts over. */
const CACHE_LIMIT = 100_000;
/**
 * Only products older than this are cached: such a row was certainly committed (no transaction
 * that creates products lasts that long), so a cached id never points at a rolled-back insert.
 */
const PRODUCT_CACHE_AGE_MS = 60_000;
const caches = new Map<string, OrgCache>();

function orgCache(orgId: string, ruleRows: readonly repo.RuleRow[]): OrgCache {
  const rulesSig = ruleRows.map((r) => `${r.id}@${r.position}@${r.updated_at}`).join('|');
  let c = caches.get(orgId);
  if (!c || c.rulesSig !== rulesSig) caches.set(orgId, (c = { rulesSig, rules: compileRules(ruleRows), normalized: new Map(), products: new Map() }));
  return c;
}

function normalizeCached(c: OrgCache, s: CanonicalSoftware): NormalizedSoftware {
  const k = `${s.name}\u0000${s.publisher ?? '\u0001'}\u0000${s.version ?? '\u0001'}\u0000${s.arch ?? '\u0001'}\u0000${s.installDate ?? '\u0001'}\u0000${s.source ?? '\u0001'}`;
  let n = c.normalized.get(k);
  if (!n) {
    if (c.normalized.size >= CACHE_LIMIT) c.normalized.clear();
    c.normalized.set(k, (n = normalizeSoftware(s, c.rules)));
  }
  return n;
}

/**
 * The products for the given identities (by key): cached ones first, the others read in chunked IN
 * lists, missing ones inserted in one multi-row insert that skips keys a concurrent transaction
 * inserted meanwhile, then those re-read.
 */
async function ensureProducts(trx: Executor, cache: Map<string, repo.ProductRow> | null, orgId: string, wanted: ReadonlyMap<string, Resolved>, now: string): Promise<Map<string, repo.ProductRow>> {
  const byKey = new Map<string, repo.ProductRow>();
  const unknown: string[] = [];
  for (const k of wanted.keys()) {
    const p = cache?.get(k);
    if (p) byKey.set(k, p);
    else unknown.push(k);
  }
  if (!unknown.length) return byKey;
  const cacheBefore = new Date(Date.parse(now) - PRODUCT_CACHE_AGE_MS).toISOString();
  for (const p of await repo.productsByKeys(trx, orgId, unknown)) {
    byKey.set(p.key, p);
    if (cache && p.created_at < cacheBefore) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(p.key, p);
    }
  }
  const missing = unknown.filter((k) => !byKey.has(k));
  if (missing.length) {
    await repo.insertProducts(trx, missing.map((key) => {
      const r = wanted.get(key)!;
      return { id: newId(), org_id: orgId, publisher: r.publisher, name: r.name, key, ignored: toDbBool(r.ignored), created_at: now, updated_at: now };
    }));
    for (const p of await repo.productsByKeys(trx, orgId, missing)) byKey.set(p.key, p);
  }
  return byKey;
}

// ---------------------------------------------------------------------------------------------
// The discovery hook
// ---------------------------------------------------------------------------------------------

export interface SoftwareChange {
  kind: 'installed' | 'removed' | 'updated';
  productId: string;
  product: string;
  publisher: string | null;
  version: string | null;
  previousVersion: string | null;
}

const instKey = (productId: string, version: string, arch: string): string => `${productId}\n${version}\n${arch}`;

/**
 * Replaces the device's installations with `software` (after normalisation and rules); returns
 * what changed vs the previous set (empty on first sync when `firstSync` is true — the caller then
 * records one "software inventoried" summary itself).
 *
 * Runs inside the caller's transaction with a constant number of statements: the rules, the
 * device's installations, products by key (chunked IN), at most one multi-row insert of new
 * products (+ re-read), one delete and one multi-row insert of installations, one "seen" update
 * (kept installations' `last_seen_at` moves at most once a UTC day).
 * A version change of the same product and arch is `updated`. Ignored products are not stored.
 */
export async function syncInstallations(trx: Executor, orgId: string, deviceId: string, software: CanonicalSoftware[], now: string, firstSync: boolean): Promise<SoftwareChange[]> {
  const cache = orgCache(orgId, await repo.listRules(trx, orgId));

  // What the device has now, one entry per (product, version, arch); the first report wins.
  const reported = new Map<string, NormalizedSoftware>();
  const identities = new Map<string, Resolved>();
  for (const s of software) {
    const n = normalizeCached(cache, s);
    const k = `${n.key}\n${n.version}\n${n.arch}`;
    if (!reported.has(k)) reported.set(k, n);
    if (!identities.has(n.key)) identities.set(n.key, n);
  }
  const products = await ensureProducts(trx, cache.products, orgId, identities, now);

  const wanted = new Map<string, { n: NormalizedSoftware; product: repo.ProductRow }>();
  for (const n of reported.values()) {
    const product = products.get(n.key);
    if (!product || n.ignored || fromDbBool(product.ignored)) continue;
    wanted.set(instKey(product.id, n.version, n.arch), { n, product });
  }

  const existing = await repo.deviceInstallations(trx, orgId, deviceId);
  const existingByKey = new Map(existing.map((r) => [instKey(r.product_id, r.version, r.arch), r]));

  const toDelete: repo.InstallationRow[] = existing.filter((r) => !wanted.has(instKey(r.product_id, r.version, r.arch)));
  const toInsert: repo.InstallationRow[] = [];
  const deferIndex = defersIndex(trx);
  for (const [k, { n, product }] of wanted) {
    const old = existingByKey.get(k);
    if (!old) {
      toInsert.push({
        id: newId(), org_id: orgId, device_id: deviceId, product_id: product.id, raw_name: n.rawName, raw_publisher: n.rawPublisher,
        version: n.version, arch: n.arch, install_date: n.installDate, source: n.source, first_seen_at: now, last_seen_at: now,
        indexed: deferIndex ? 0 : 1,
      });
    } else if (old.raw_name !== n.rawName || old.raw_publisher !== n.rawPublisher || old.install_date !== n.installDate || old.source !== n.source) {
      // Same installation, reported differently (rare): keep its history, refresh what it says.
      await repo.updateInstallation(trx, orgId, old.id, { raw_name: n.rawName, raw_publisher: n.rawPublisher, install_date: n.installDate, source: n.source });
    }
  }

  await repo.deleteInstallations(trx, orgId, toDelete.map((r) => r.id));
  await repo.insertInstallations(trx, toInsert);
  if (deferIndex && toInsert.length) await repo.queueIndex(trx, orgId, deviceId, now);
  if (toInsert.length < wanted.size) await repo.touchDevice(trx, orgId, deviceId, now);

  if (firstSync || (!toDelete.length && !toInsert.length)) return [];
  // Products removed from the device are not among this inventory's products: name them too.
  const known = new Set([...products.values()].map((p) => p.id));
  const others = [...new Set(toDelete.map((r) => r.product_id))].filter((id) => !known.has(id));
  const named = new Map([...products.values(), ...await repo.productsByIds(trx, orgId, others)].map((p) => [p.id, p]));
  return describeChanges(toDelete, toInsert, named);
}

// ---------------------------------------------------------------------------------------------
// The product index, maintained in batches (migration 1740)
// ---------------------------------------------------------------------------------------------

/**
 * On SQLite new installations wait outside the "where is this product installed" index until their
 * device's queue entry is flushed, many devices per transaction: each product's index page is then
 * written once per batch instead of once per device (the index was half of an inventory's cost).
 * PostgreSQL indexes at once (an UPDATE there writes a new row version into every index).
 */
const defersIndex = (db: Executor): boolean => engineOfDb(db) === 'sqlite';

/** Devices per flush transaction: large enough to share index pages, short enough not to stall requests. */
export const INDEX_BATCH = 32;

/** Indexes up to `maxDevices` queued devices (of one organization, or of all); returns how many. */
export async function flushIndex(trx: Executor, orgId: string | null, maxDevices: number): Promise<number> {
  const queued = await repo.queuedDevices(trx, orgId, maxDevices);
  for (const q of queued) await repo.indexDevice(trx, q.org_id, q.device_id);
  return queued.length;
}

/** Empties the organization's queue: every reader of the product index calls this first. */
async function indexedFor(db: Executor, orgId: string): Promise<void> {
  if (!defersIndex(db) || !(await repo.queuedDevices(db, orgId, 1)).length) return;
  const all = async (trx: Executor) => { while (await flushIndex(trx, orgId, 1000)); };
  if (db.isTransaction) await all(db);
  else await groupCommit(db as Db).run(all);
}

/** Background flushing per database handle: after INDEX_BATCH queued devices, or 1 s after the last one. */
class IndexFlusher {
  readonly #db: Db;
  #queued = 0;
  #timer: NodeJS.Timeout | null = null;
  #running = false;

  constructor(db: Db) {
    this.#db = db;
  }

  noteQueued(): void {
    if (++this.#queued >= INDEX_BATCH) this.#flush();
    else this.#timer ??= setTimeout(() => this.#flush(), 1000).unref();
  }

  #flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#running) return;
    this.#running = true;
    this.#queued = 0;
    groupCommit(this.#db).run((trx) => flushIndex(trx, null, INDEX_BATCH)).then(
      (n) => {
        this.#running = false;
        // More was waiting (a backlog, or devices queued meanwhile): go on after pending requests.
        if (n === INDEX_BATCH || this.#queued >= INDEX_BATCH) setImmediate(() => this.#flush());
        else if (this.#queued) this.#timer ??= setTimeout(() => this.#flush(), 1000).unref();
      },
      () => {
        // The database went away (shutdown) or the flush failed: the queue stays, and readers flush
        // it themselves before they read, so nothing is lost or read stale.
        this.#running = false;
      },
    );
  }
}

const flushers = new WeakMap<Db, IndexFlusher>();

/** Call after a transaction that ran `syncInstallations` committed: schedules the product index flush. */
export function afterSync(db: Db): void {
  if (!defersIndex(db)) return;
  let f = flushers.get(db);
  if (!f) flushers.set(db, (f = new IndexFlusher(db)));
  f.noteQueued();
}

/** Removed + added rows → changes; a product+arch that lost one version and gained another was updated. */
function describeChanges(removed: repo.InstallationRow[], added: repo.InstallationRow[], byId: Map<string, repo.ProductRow>): SoftwareChange[] {
  const group = (rows: repo.InstallationRow[]) => {
    const m = new Map<string, repo.InstallationRow[]>();
    for (const r of rows) {
      const k = `${r.product_id}\n${r.arch}`;
      const list = m.get(k);
      if (list) list.push(r);
      else m.set(k, [r]);
    }
    for (const list of m.values()) list.sort((a, b) => a.version.localeCompare(b.version, undefined, { numeric: true }));
    return m;
  };
  const gone = group(removed);
  const out: SoftwareChange[] = [];
  const describe = (productId: string) => {
    const p = byId.get(productId);
    return { productId, product: p?.name ?? '', publisher: p?.publisher ?? null };
  };
  for (const [k, list] of group(added)) {
    const old = gone.get(k) ?? [];
    list.forEach((r, i) => {
      const prev = old[i];
      out.push({ kind: prev ? 'updated' : 'installed', ...describe(r.product_id), version: orNull(r.version), previousVersion: prev ? orNull(prev.version) : null });
    });
    if (old.length > list.length) gone.set(k, old.slice(list.length));
    else gone.delete(k);
  }
  for (const list of gone.values()) {
    for (const r of list) {
      out.push({ kind: 'removed', ...describe(r.product_id), version: orNull(r.version), previousVersion: null });
    }
  }
  return out.sort((a, b) => a.product.localeCompare(b.product) || a.kind.localeCompare(b.kind) || (a.version ?? '').localeCompare(b.version ?? ''));
}

// ---------------------------------------------------------------------------------------------
// Re-applying the rules
// ---------------------------------------------------------------------------------------------

/**
 * Re-applies the organization's rules to its stored installations (inside the caller's
 * transaction): each distinct reported identity is normalised again and moved to its product
 * (created if needed; a move that would duplicate an installation the device already has of the
 * target is dropped), product ignore flags are recomputed, installations of ignored products are
 * deleted, and products left without installations (and not ignored) are deleted.
 */
export async function reapplyRules(trx: Executor, orgId: string, now: string): Promise<RuleEffectDto> {
  await indexedFor(trx, orgId);
  const rules = compileRules(await repo.listRules(trx, orgId));
  const raws = await repo.rawIdentities(trx, orgId);
  const effect: RuleEffectDto = { installationsRemapped: 0, installationsRemoved: 0, productsIgnored: 0, productsRestored: 0, productsRemoved: 0 };

  const resolvedOf = raws.map((r) => {
    const { name } = normalizeName(r.raw_name, r.source);
    return applyRules({ publisher: normalizePublisher(r.raw_publisher), name }, rules);
  });
  const wanted = new Map<string, Resolved>();
  for (const res of resolvedOf) if (!wanted.has(res.key)) wanted.set(res.key, res);
  const byKey = await ensureProducts(trx, null, orgId, wanted, now);

  // Moves, per current product: the whole product when all its identities go to one place.
  const moves = new Map<string, { raw: repo.RawIdentity; to: string }[]>();
  raws.forEach((raw, i) => {
    const to = byKey.get(resolvedOf[i]!.key)!.id;
    const list = moves.get(raw.product_id) ?? [];
    list.push({ raw, to });
    moves.set(raw.product_id, list);
  });
  for (const [from, list] of moves) {
    const targets = new Set(list.map((m) => m.to));
    if (targets.size === 1 && targets.has(from)) continue;
    if (targets.size === 1) {
      const [moved, dup] = await repo.remapInstallations(trx, orgId, from, list[0]!.to, null);
      effect.installationsRemapped += moved;
      effect.installationsRemoved += dup;
      continue;
    }
    for (const m of list) {
      if (m.to === from) continue;
      const [moved, dup] = await repo.remapInstallations(trx, orgId, from, m.to, m.raw);
      effect.installationsRemapped += moved;
      effect.installationsRemoved += dup;
    }
  }

  // Ignore flags follow the rules; installations of ignored products go.
  const nowIgnored: string[] = [];
  const restored: string[] = [];
  const ignoredIds: string[] = [];
  for (const p of await repo.allProducts(trx, orgId)) {
    const ign = isIgnored({ publisher: p.publisher, name: p.name }, rules);
    if (ign) ignoredIds.push(p.id);
    if (ign && !fromDbBool(p.ignored)) nowIgnored.push(p.id);
    if (!ign && fromDbBool(p.ignored)) restored.push(p.id);
  }
  await repo.setProductsIgnored(trx, orgId, nowIgnored, 1, now);
  await repo.setProductsIgnored(trx, orgId, restored, 0, now);
  effect.productsIgnored = nowIgnored.length;
  effect.productsRestored = restored.length;
  const withInstallations = new Set([...byKey.values()].map((p) => p.id));
  effect.installationsRemoved += await repo.deleteInstallationsOfProducts(trx, orgId, ignoredIds.filter((id) => withInstallations.has(id)));
  effect.productsRemoved = await repo.deleteOrphanProducts(trx, orgId);
  return effect;
}

// ---------------------------------------------------------------------------------------------
// Rules API
// ---------------------------------------------------------------------------------------------

const toRuleDto = (r: repo.RuleRow): RuleDto => ({
  id: r.id, kind: r.kind as RuleKind,
  match: { mode: r.match_mode as MatchMode, publisher: r.match_publisher, name: r.match_name },
  target: { publisher: r.target_publisher, name: r.target_name },
  position: Number(r.position), createdBy: r.created_by, createdAt: r.created_at, updatedAt: r.updated_at,
});

const RULE_FIELDS = ['kind', 'mode', 'matchPublisher', 'matchName', 'targetPublisher', 'targetName', 'position'] as const;
type RuleSnap = SoftwareRule & { position: number };
const ruleSnap = (r: repo.RuleRow): RuleSnap => ({ ...ruleOf(r), position: Number(r.position) });

const trimmed = (v: string | null | undefined): string | null => {
  const t = v?.replace(/\s+/g, ' ').trim();
  return t ? t : null;
};

/** Checks a rule as a whole; returns it cleaned (trimmed, empty → null) or throws 422 with every field error. */
function validateRule(input: { kind: RuleKind; match: { mode: MatchMode; publisher?: string | null; name?: string | null }; target?: { publisher?: string | null; name?: string | null } }): SoftwareRule {
  const errors: FieldError[] = [];
  const rule: SoftwareRule = {
    kind: input.kind, mode: input.match.mode,
    matchPublisher: input.match.mode === 'regex' ? (input.match.publisher || null) : trimmed(input.match.publisher),
    matchName: input.match.mode === 'regex' ? (input.match.name || null) : trimmed(input.match.name),
    targetPublisher: trimmed(input.target?.publisher), targetName: trimmed(input.target?.name),
  };
  if (rule.matchPublisher === null && rule.matchName === null) {
    errors.push({ path: '/body/match', message: 'must match on the publisher, the name or both', code: 'required' });
  }
  if (rule.mode === 'regex') {
    for (const f of ['publisher', 'name'] as const) {
      const pattern = f === 'publisher' ? rule.matchPublisher : rule.matchName;
      if (pattern === null) continue;
      try {
        new RegExp(pattern, 'i');
      } catch (err) {
        errors.push({ path: `/body/match/${f}`, message: `is not a valid regular expression: ${(err as Error).message}`, code: 'pattern' });
      }
    }
  }
  if (rule.kind === 'rename' && rule.targetPublisher === null && rule.targetName === null) {
    errors.push({ path: '/body/target', message: 'a rename rule sets the publisher, the name or both', code: 'required' });
  }
  if (rule.kind === 'merge' && rule.targetName === null) {
    errors.push({ path: '/body/target/name', message: 'a merge rule needs the product name to merge into', code: 'required' });
  }
  if (rule.kind === 'ignore' && (rule.targetPublisher !== null || rule.targetName !== null)) {
    errors.push({ path: '/body/target', message: 'an ignore rule has no target', code: 'not_allowed' });
  }
  if (errors.length) throw unprocessable('software_rule.invalid', 'The software rule is not valid; see errors for each field.', errors);
  return rule;
}

async function requireRule(db: Executor, orgId: string, id: string): Promise<repo.RuleRow> {
  const r = await repo.findRule(db, orgId, id);
  if (!r) throw notFound('software_rule');
  return r;
}

/** Puts rule `id` at `position` (1-based, clamped) and renumbers the others 1..n. */
async function placeRule(trx: Executor, orgId: string, id: string, position: number | undefined): Promise<void> {
  const rows = await repo.listRules(trx, orgId);
  const order = rows.filter((r) => r.id !== id);
  const self = rows.find((r) => r.id === id);
  if (!self) return;
  const at = position === undefined ? (Number(self.position) > rows.length ? order.length : rows.indexOf(self)) : Math.min(Math.max(position - 1, 0), order.length);
  order.splice(at, 0, self);
  for (const [i, r] of order.entries()) {
    if (Number(r.position) !== i + 1) await repo.setRulePosition(trx, orgId, r.id, i + 1);
  }
}

export async function listRules(ctx: Ctx): Promise<RuleDto[]> {
  authorize(ctx.actor, 'software.read');
  return (await repo.listRules(ctx.db, orgOf(ctx))).map(toRuleDto);
}

async function createRuleIn(trx: Executor, ctx: Ctx, orgId: string, rule: SoftwareRule, position: number | undefined, meta: Record<string, unknown> = {}) {
  const now = nowIso();
  const id = newId();
  await repo.insertRule(trx, {
    id, org_id: orgId, kind: rule.kind, match_mode: rule.mode, match_publisher: rule.matchPublisher, match_name: rule.matchName,
    target_publisher: rule.targetPublisher, target_name: rule.targetName, position: 2_000_000_000, created_by: ctx.actor.userId,
    created_at: now, updated_at: now,
  });
  await placeRule(trx, orgId, id, position);
  const row = await requireRule(trx, orgId, id);
  const effect = await reapplyRules(trx, orgId, now);
  await events.record(trx, ctx, {
    action: 'software.rule.created', entityType: 'software_rule', entityId: id,
    changes: events.diff<RuleSnap>(null, ruleSnap(row), RULE_FIELDS), meta: { effect, ...meta },
  });
  return { rule: toRuleDto(row), effect };
}

export async function createRule(ctx: Ctx, input: RuleCreateInput): Promise<{ rule: RuleDto; effect: RuleEffectDto }> {
  authorize(ctx.actor, 'software.manage');
  const orgId = orgOf(ctx);
  const rule = validateRule(input);
  return ctx.db.transaction().execute((trx) => createRuleIn(trx, ctx, orgId, rule, input.position));
}

export async function updateRule(ctx: Ctx, id: string, input: RuleUpdateInput): Promise<{ rule: RuleDto; effect: RuleEffectDto }> {
  authorize(ctx.actor, 'software.manage');
  const orgId = orgOf(ctx);
  return ctx.db.transaction().execute(async (trx) => {
    const before = await requireRule(trx, orgId, id);
    const b = ruleOf(before);
    const kind = input.kind ?? b.kind;
    const match = input.match ?? { mode: b.mode, publisher: b.matchPublisher, name: b.matchName };
    const target = input.target ?? (kind === 'ignore' ? {} : { publisher: b.targetPublisher, name: b.targetName });
    const rule = validateRule({ kind, match, target });
    const now = nowIso();
    await repo.updateRule(trx, orgId, id, {
      kind: rule.kind, match_mode: rule.mode, match_publisher: rule.matchPublisher, match_name: rule.matchName,
      target_publisher: rule.targetPublisher, target_name: rule.targetName, updated_at: now,
    });
    if (input.position !== undefined) await placeRule(trx, orgId, id, input.position);
    const after = await requireRule(trx, orgId, id);
    const changes = events.diff<RuleSnap>(ruleSnap(before), ruleSnap(after), RULE_FIELDS);
    if (!Object.keys(changes).length) {
      return { rule: toRuleDto(before), effect: { installationsRemapped: 0, installationsRemoved: 0, productsIgnored: 0, productsRestored: 0, productsRemoved: 0 } };
    }
    const effect = await reapplyRules(trx, orgId, now);
    await events.record(trx, ctx, { action: 'software.rule.updated', entityType: 'software_rule', entityId: id, changes, meta: { effect } });
    return { rule: toRuleDto(after), effect };
  });
}

export async function deleteRule(ctx: Ctx, id: string): Promise<{ effect: RuleEffectDto }> {
  authorize(ctx.actor, 'software.manage');
  const orgId = orgOf(ctx);
  return ctx.db.transaction().execute(async (trx) => {
    const before = await requireRule(trx, orgId, id);
    await repo.deleteRule(trx, orgId, id);
    const rest = await repo.listRules(trx, orgId);
    for (const [i, r] of rest.entries()) if (Number(r.position) !== i + 1) await repo.setRulePosition(trx, orgId, r.id, i + 1);
    const effect = await reapplyRules(trx, orgId, nowIso());
    await events.record(trx, ctx, {
      action: 'software.rule.deleted', entityType: 'software_rule', entityId: id,
      changes: events.diff<RuleSnap>(ruleSnap(before), null, RULE_FIELDS), meta: { effect },
    });
    return { effect };
  });
}

/** How many products and installations a rule would touch now (the rule alone, against the current catalogue). */
export async function previewRule(ctx: Ctx, input: RulePreviewInputT): Promise<RulePreviewDto> {
  authorize(ctx.actor, 'software.manage');
  const orgId = orgOf(ctx);
  const rule = compileRule(validateRule(input));
  await indexedFor(ctx.db, orgId);
  const matching = (await repo.allProducts(ctx.db, orgId)).filter((p) => rule.test({ publisher: p.publisher, name: p.name }));
  const counts = await repo.countsFor(ctx.db, orgId, matching.map((p) => p.id));
  let installations = 0;
  for (const c of counts.values()) installations += c.installations;
  const devices = await repo.deviceCountFor(ctx.db, orgId, matching.map((p) => p.id));
  matching.sort((a, b) => (counts.get(b.id)?.installations ?? 0) - (counts.get(a.id)?.installations ?? 0) || a.name.localeCompare(b.name));
  return { products: matching.length, installations, devices, sample: matching.slice(0, 20).map((p) => ({ id: p.id, publisher: p.publisher, name: p.name })) };
}

/** Shortcut: a merge rule that maps the product (its exact publisher and name) into another product. */
export async function mergeProduct(ctx: Ctx, id: string, input: { into: string }): Promise<{ rule: RuleDto; effect: RuleEffectDto }> {
  authorize(ctx.actor, 'software.manage');
  const orgId = orgOf(ctx);
  if (input.into === id) {
    throw unprocessable('software_product.merge_self', 'A product cannot be merged into itself.', [{ path: '/body/into', message: 'must be another product', code: 'same' }]);
  }
  return ctx.db.transaction().execute(async (trx) => {
    const source = await requireProduct(trx, orgId, id);
    const target = await requireProduct(trx, orgId, input.into, '/body/into');
    const rule: SoftwareRule = {
      kind: 'merge', mode: 'exact', matchPublisher: source.publisher, matchName: source.name, targetPublisher: target.publisher, targetName: target.name,
    };
    return createRuleIn(trx, ctx, orgId, rule, undefined, { mergedProductId: source.id, intoProductId: target.id });
  });
}

// ---------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------

async function requireProduct(db: Executor, orgId: string, id: string, path?: string): Promise<repo.ProductRow> {
  const p = await repo.findProduct(db, orgId, id);
  if (!p) throw notFound('software_product', path);
  return p;
}

function versionsOf(rows: repo.VersionCount[]): ProductDto['versions'] {
  return rows
    .map((v) => ({ version: orNull(v.version), installations: v.installations, devices: v.devices }))
    .sort((a, b) => b.installations - a.installations || (b.version ?? '').localeCompare(a.version ?? '', undefined, { numeric: true }));
}

export async function listProducts(ctx: Ctx, q: ProductQueryInput): Promise<{ items: ProductDto[]; total: number; nextOffset: number | null }> {
  authorize(ctx.actor, 'software.read');
  const orgId = orgOf(ctx);
  const sort = q.sort ?? 'name';
  const desc = sort.startsWith('-');
  const limit = q.limit ?? 50;
  const offset = q.offset ?? 0;
  await indexedFor(ctx.db, orgId);
  const { rows, total } = await repo.listProducts(ctx.db, orgId, {
    q: q.q?.trim() || undefined, ignored: q.ignored, sort: sort.replace(/^-/, '') as repo.ProductListFilter['sort'], desc, limit, offset,
  });
  const ids = rows.map((r) => r.id);
  const counts = rows.some((r) => r.installations === null) ? await repo.countsFor(ctx.db, orgId, ids) : new Map<string, repo.ProductCounts>();
  const versions = new Map<string, repo.VersionCount[]>();
  for (const v of await repo.versionsFor(ctx.db, orgId, ids)) {
    const list = versions.get(v.product_id) ?? [];
    list.push(v);
    versions.set(v.product_id, list);
  }
  const items = rows.map((r): ProductDto => ({
    id: r.id, publisher: r.publisher, name: r.name, ignored: fromDbBool(r.ignored),
    installationCount: r.installations ?? counts.get(r.id)?.installations ?? 0,
    deviceCount: r.devices ?? counts.get(r.id)?.devices ?? 0,
    versions: versionsOf(versions.get(r.id) ?? []), createdAt: r.created_at, updatedAt: r.updated_at,
  }));
  return { items, total, nextOffset: offset + rows.length < total ? offset + rows.length : null };
}

export async function getProduct(ctx: Ctx, id: string): Promise<ProductDetailDto> {
  authorize(ctx.actor, 'software.read');
  const orgId = orgOf(ctx);
  const p = await requireProduct(ctx.db, orgId, id);
  await indexedFor(ctx.db, orgId);
  const c = (await repo.countsFor(ctx.db, orgId, [id])).get(id);
  return {
    id: p.id, publisher: p.publisher, name: p.name, ignored: fromDbBool(p.ignored),
    installationCount: c?.installations ?? 0, deviceCount: c?.devices ?? 0,
    versions: versionsOf(await repo.versionsFor(ctx.db, orgId, [id])),
    rawNames: (await repo.rawNamesOf(ctx.db, orgId, id)).map((r) => ({ publisher: r.raw_publisher, name: r.raw_name, installations: r.installations })),
    createdAt: p.created_at, updatedAt: p.updated_at,
  };
}

export async function productInstallations(ctx: Ctx, id: string, q: InstallationQueryInput): Promise<{ items: InstallationDto[]; total: number; nextOffset: number | null }> {
  authorize(ctx.actor, 'software.read');
  const orgId = orgOf(ctx);
  await requireProduct(ctx.db, orgId, id);
  await indexedFor(ctx.db, orgId);
  const limit = q.limit ?? 100;
  const offset = q.offset ?? 0;
  const { rows, total } = await repo.productInstallations(ctx.db, orgId, id, { version: q.version, limit, offset });
  const items = rows.map((r): InstallationDto => ({
    id: r.id, deviceId: r.device_id, hostname: r.hostname,
    asset: r.asset_id && r.asset_tag ? { id: r.asset_id, assetTag: r.asset_tag, name: r.asset_name } : null,
    version: orNull(r.version), arch: orNull(r.arch), installDate: r.install_date, source: r.source,
    rawName: r.raw_name, rawPublisher: r.raw_publisher, firstSeenAt: r.first_seen_at, lastSeenAt: r.last_seen_at,
  }));
  return { items, total, nextOffset: offset + rows.length < total ? offset + rows.length : null };
}

/** Installations on the discovered devices linked to the asset (404 for an asset of another organization). */
export async function assetSoftware(ctx: Ctx, assetId: string): Promise<AssetSoftwareDto[]> {
  authorize(ctx.actor, 'software.read');
  const orgId = orgOf(ctx);
  if (!(await repo.assetExists(ctx.db, orgId, assetId))) throw notFound('asset');
  return (await repo.assetInstallations(ctx.db, orgId, assetId)).map((r) => ({
    id: r.id, product: { id: r.product_id, publisher: r.product_publisher, name: r.product_name }, deviceId: r.device_id, hostname: r.hostname,
    version: orNull(r.version), arch: orNull(r.arch), installDate: r.install_date, source: r.source, rawName: r.raw_name,
    firstSeenAt: r.first_seen_at, lastSeenAt: r.last_seen_at,
  }));
}
