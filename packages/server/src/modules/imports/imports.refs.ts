/**
 * References by name, for every target: categories, manufacturers, models, locations (by path or
 * name), suppliers, departments and members, preloaded once per run into maps (no per-row
 * SELECTs). Unknown names can be planned for creation (`createMissing`): a plan becomes real only
 * when a row that needs it is valid (`confirm`), and `flush` inserts the confirmed ones, in
 * dependency order, with the same events their services write.
 */
import type { Selectable } from 'kysely';
import type { Ctx } from '../../context.js';
import type { Executor } from '../../db/database.js';
import type { CategoriesTable, DepartmentsTable, LocationsTable, ManufacturersTable, ModelsTable, SuppliersTable } from '../../db/schema.js';
import { fromDbBool, toDbBool } from '../../db/dialect.js';
import { newId, nowIso } from '../../lib/ids.js';
import { parseJsonObject } from '../../lib/json.js';
import { isRole } from '../../authz/permissions.js';
import * as events from '../events/events.service.js';
import { DATA_BEARING_CLASSES } from '../catalog/catalog.service.js';
import type { AssetClass } from '../catalog/catalog.schemas.js';
import * as repo from './imports.repository.js';
import type { RefKind } from './imports.targets.js';

export type CategoryRow = Selectable<CategoriesTable>;
export type ModelRow = Selectable<ModelsTable>;
export type LocationRow = Selectable<LocationsTable>;

/** A reference resolved to an existing row or to a planned (not yet inserted) one. */
export interface Resolved<T> { id: string; row: T; planned: Plan | null }
export type Resolution<T> = Resolved<T> | { error: string; code: string };

export interface Plan {
  kind: RefKind;
  id: string;
  name: string;
  confirmed: boolean;
  /** Plans this one needs (a model's new category, a location's new parent). */
  deps: Plan[];
  insert: () => void;
}

const lower = (s: string) => s.trim().toLowerCase();

/** Asset class guessed from a new category's name; `other` when nothing fits. */
export function guessAssetClass(name: string): AssetClass {
  const n = name.toLowerCase();
  const rules: [RegExp, AssetClass][] = [
    [/laptop|notebook|ultrabook|macbook|chromebook/, 'laptop'], [/desktop|workstation|\bpc\b|all.in.one|mini ?pc/, 'desktop'],
    [/server|blade/, 'server'], [/monitor|display|screen/, 'monitor'], [/dock/, 'dock'],
    [/phone|tablet|ipad|mobile|smartphone/, 'phone_tablet'], [/printer|scanner|copier|mfp/, 'printer'],
    [/switch|router|firewall|access point|\bap\b|network|wifi|wlan/, 'network_device'], [/storage|nas|san\b|disk|drive|ssd|hdd/, 'storage'],
    [/\bups\b|battery backup/, 'ups'], [/conference|projector|camera|speaker/, 'conference'], [/\bsim\b/, 'sim_card'],
    [/keyboard|mouse|headset|peripheral|webcam|accessor/, 'peripheral'],
  ];
  return rules.find(([re]) => re.test(n))?.[1] ?? 'other';
}

export class RefBook {
  readonly categories = new Map<string, CategoryRow>();
  readonly categoriesById = new Map<string, CategoryRow>();
  readonly manufacturers = new Map<string, Selectable<ManufacturersTable>>();
  readonly manufacturersById = new Map<string, Selectable<ManufacturersTable>>();
  /** lower(name) → models with that name (one per manufacturer at most) */
  readonly models = new Map<string, ModelRow[]>();
  readonly modelsById = new Map<string, ModelRow>();
  readonly locationsById = new Map<string, LocationRow>();
  /** parent id ('' = top level) → lower(name) → location */
  readonly locationChildren = new Map<string, Map<string, LocationRow>>();
  readonly locationsByName = new Map<string, LocationRow[]>();
  readonly suppliers = new Map<string, Selectable<SuppliersTable>>();
  readonly suppliersById = new Map<string, Selectable<SuppliersTable>>();
  readonly departments = new Map<string, Selectable<DepartmentsTable>>();
  readonly departmentsById = new Map<string, Selectable<DepartmentsTable>>();
  readonly membersById = new Map<string, repo.MemberRef>();
  private readonly byEmail = new Map<string, repo.MemberRef>();
  private readonly byNumber = new Map<string, repo.MemberRef>();
  private readonly byName = new Map<string, repo.MemberRef[]>();
  private readonly byLocalPart = new Map<string, repo.MemberRef[]>();

  /** Planned creations in the order they were first planned (parents before children). */
  readonly plans: Plan[] = [];
  private readonly planById = new Map<string, Plan>();
  private pendingInserts: { kind: RefKind; row: object }[] = [];
  private pendingEvents: events.NewEvent[] = [];

  constructor(private readonly orgId: string, private readonly createMissing: boolean) {}

  async load(db: Executor, kinds: ReadonlySet<RefKind>): Promise<void> {
    const need = (k: RefKind) => kinds.has(k);
    if (need('category') || need('model')) for (const c of await repo.categories(db, this.orgId)) this.addCategory(c);
    if (need('manufacturer') || need('model')) for (const m of await repo.manufacturers(db, this.orgId)) this.addManufacturer(m);
    if (need('model')) for (const m of await repo.models(db, this.orgId)) this.addModel(m);
    if (need('location')) for (const l of await repo.locations(db, this.orgId)) this.addLocation(l);
    if (need('supplier')) for (const s of await repo.suppliers(db, this.orgId)) this.addSupplier(s);
    if (need('department')) for (const d of await repo.departments(db, this.orgId)) this.addDepartment(d);
    if (need('user')) for (const m of await repo.members(db, this.orgId)) this.addMember(m);
  }

  addCategory(c: CategoryRow): void { this.categories.set(lower(c.name), c); this.categoriesById.set(c.id, c); }
  addManufacturer(m: Selectable<ManufacturersTable>): void { this.manufacturers.set(lower(m.name), m); this.manufacturersById.set(m.id, m); }
  addModel(m: ModelRow): void {
    const k = lower(m.name);
    this.models.set(k, [...(this.models.get(k) ?? []).filter((x) => x.id !== m.id), m]);
    this.modelsById.set(m.id, m);
  }
  addLocation(l: LocationRow): void {
    this.locationsById.set(l.id, l);
    const p = l.parent_id ?? '';
    let kids = this.locationChildren.get(p);
    if (!kids) this.locationChildren.set(p, (kids = new Map()));
    kids.set(lower(l.name), l);
    const k = lower(l.name);
    this.locationsByName.set(k, [...(this.locationsByName.get(k) ?? []).filter((x) => x.id !== l.id), l]);
  }
  addSupplier(s: Selectable<SuppliersTable>): void { this.suppliers.set(lower(s.name), s); this.suppliersById.set(s.id, s); }
  addDepartment(d: Selectable<DepartmentsTable>): void { this.departments.set(lower(d.name), d); this.departmentsById.set(d.id, d); }
  addMember(m: repo.MemberRef): void {
    this.membersById.set(m.user_id, m);
    if (m.role === 'former') return;
    this.byEmail.set(lower(m.email), m);
    if (m.employee_number) this.byNumber.set(lower(m.employee_number), m);
    const n = lower(m.display_name);
    this.byName.set(n, [...(this.byName.get(n) ?? []), m]);
    const local = lower(m.email.split('@')[0] ?? '');
    this.byLocalPart.set(local, [...(this.byLocalPart.get(local) ?? []), m]);
  }

  // ---------- planning ----------

  private plan(kind: RefKind, name: string, deps: Plan[], insert: () => void): Plan {
    const p: Plan = { kind, id: '', name, confirmed: false, deps, insert };
    this.plans.push(p);
    return p;
  }

  /** The plan that creates this id, if it is planned rather than existing. */
  planOf(id: string): Plan | null {
    return this.planById.get(id) ?? null;
  }

  private setId(p: Plan, id: string): void {
    p.id = id;
    this.planById.set(id, p);
  }

  /** Marks the plans a valid row uses (and what they depend on) as real. */
  confirm(plans: readonly (Plan | null | undefined)[]): void {
    for (const p of plans) {
      if (!p || p.confirmed) continue;
      this.confirm(p.deps);
      p.confirmed = true;
      p.insert();
    }
  }

  /** Confirmed plans, for the dry-run report. */
  confirmedPlans(): { kind: RefKind; name: string }[] {
    return this.plans.filter((p) => p.confirmed).map((p) => ({ kind: p.kind, name: p.name }));
  }

  /** Inserts the rows confirmed since the last flush (dependency order) and records their events. */
  async flush(trx: Executor, ctx: Ctx): Promise<void> {
    if (!this.pendingInserts.length) return;
    const order: RefKind[] = ['category', 'manufacturer', 'supplier', 'department', 'location', 'model'];
    for (const kind of order) {
      const rows = this.pendingInserts.filter((p) => p.kind === kind).map((p) => p.row);
      if (!rows.length) continue;
      switch (kind) {
        case 'category': await repo.insertCategories(trx, rows as CategoryRow[]); break;
        case 'manufacturer': await repo.insertManufacturers(trx, rows as Selectable<ManufacturersTable>[]); break;
        case 'supplier': await repo.insertSuppliers(trx, rows as Selectable<SuppliersTable>[]); break;
        case 'department': await repo.insertDepartments(trx, rows as Selectable<DepartmentsTable>[]); break;
        case 'location': await repo.insertLocations(trx, rows as LocationRow[]); break;
        case 'model': await repo.insertModels(trx, rows as ModelRow[]); break;
        default:
      }
    }
    await events.recordMany(trx, ctx, this.pendingEvents);
    this.pendingInserts = [];
    this.pendingEvents = [];
  }

  /** Forgets unflushed inserts (a batch that rolled back). */
  discardPending(): void {
    this.pendingInserts = [];
    this.pendingEvents = [];
  }

  private queue(kind: RefKind, row: object, event: events.NewEvent): void {
    this.pendingInserts.push({ kind, row });
    this.pendingEvents.push(event);
  }

  // ---------- resolution ----------

  category(name: string): Resolution<CategoryRow> {
    const n = name.trim();
    const found = this.categories.get(lower(n));
    if (found) return { id: found.id, row: found, planned: this.planOf(found.id) };
    if (!this.createMissing) return { error: `There is no category "${n}".`, code: 'unknown_reference' };
    const now = nowIso();
    const assetClass = guessAssetClass(n);
    const row: CategoryRow = {
      id: newId(), org_id: this.orgId, name: n, asset_class: assetClass, data_bearing: toDbBool(DATA_BEARING_CLASSES.includes(assetClass)),
      requires_acceptance: 0, acceptance_terms: null, acceptance_terms_version: null, tag_pattern: null, created_at: now, updated_at: now,
    };
    const p = this.plan('category', n, [], () => this.queue('category', row, {
      action: 'category.created', entityType: 'category', entityId: row.id,
      changes: events.diff(null, { name: n, assetClass, dataBearing: fromDbBool(row.data_bearing), requiresAcceptance: false, acceptanceTerms: null, acceptanceTermsVersion: null, tagPattern: null },
        ['name', 'assetClass', 'dataBearing', 'requiresAcceptance', 'acceptanceTerms', 'acceptanceTermsVersion', 'tagPattern']),
    }));
    this.setId(p, row.id);
    this.addCategory(row);
    return { id: row.id, row, planned: p };
  }

  manufacturer(name: string): Resolution<Selectable<ManufacturersTable>> {
    const n = name.trim();
    const found = this.manufacturers.get(lower(n));
    if (found) return { id: found.id, row: found, planned: this.planOf(found.id) };
    if (!this.createMissing) return { error: `There is no manufacturer "${n}".`, code: 'unknown_reference' };
    const now = nowIso();
    const row = { id: newId(), org_id: this.orgId, name: n, support_url: null, warranty_lookup_url: null, created_at: now, updated_at: now };
    const p = this.plan('manufacturer', n, [], () => this.queue('manufacturer', row, {
      action: 'manufacturer.created', entityType: 'manufacturer', entityId: row.id,
      changes: events.diff(null, { name: n, supportUrl: null, warrantyLookupUrl: null }, ['name', 'supportUrl', 'warrantyLookupUrl']),
    }));
    this.setId(p, row.id);
    this.addManufacturer(row);
    return { id: row.id, row, planned: p };
  }

  supplier(name: string): Resolution<Selectable<SuppliersTable>> {
    const n = name.trim();
    const found = this.suppliers.get(lower(n));
    if (found) return { id: found.id, row: found, planned: this.planOf(found.id) };
    if (!this.createMissing) return { error: `There is no supplier "${n}".`, code: 'unknown_reference' };
    const now = nowIso();
    const row: Selectable<SuppliersTable> = { id: newId(), org_id: this.orgId, name: n, contact_name: null, email: null, phone: null, url: null, notes: null, created_at: now, updated_at: now };
    const p = this.plan('supplier', n, [], () => this.queue('supplier', row, {
      action: 'supplier.created', entityType: 'supplier', entityId: row.id,
      changes: events.diff(null, { name: n, contactName: row.contact_name, email: row.email, phone: row.phone, url: row.url, notes: row.notes }, ['name', 'contactName', 'email', 'phone', 'url', 'notes']),
    }));
    this.setId(p, row.id);
    this.addSupplier(row);
    return { id: row.id, row, planned: p };
  }

  department(name: string): Resolution<Selectable<DepartmentsTable>> {
    const n = name.trim();
    const found = this.departments.get(lower(n));
    if (found) return { id: found.id, row: found, planned: this.planOf(found.id) };
    if (!this.createMissing) return { error: `There is no department "${n}".`, code: 'unknown_reference' };
    const now = nowIso();
    const row: Selectable<DepartmentsTable> = { id: newId(), org_id: this.orgId, name: n, code: null, cost_centre: null, manager_user_id: null, created_at: now, updated_at: now };
    const p = this.plan('department', n, [], () => this.queue('department', row, {
      action: 'department.created', entityType: 'department', entityId: row.id,
      changes: events.diff(null, { name: n, code: row.code, costCentre: row.cost_centre, managerUserId: row.manager_user_id }, ['name', 'code', 'costCentre', 'managerUserId']),
    }));
    this.setId(p, row.id);
    this.addDepartment(row);
    return { id: row.id, row, planned: p };
  }

  /**
   * A model by name: among same-named models the manufacturer decides; a new one needs a
   * category (created too when allowed) and takes the row's manufacturer and model number.
   */
  model(name: string, opts: { category?: string | null; manufacturer?: string | null; modelNumber?: string | null }): Resolution<ModelRow> & { deps?: Plan[] } {
    const n = name.trim();
    const candidates = this.models.get(lower(n)) ?? [];
    let manufacturer: Resolved<Selectable<ManufacturersTable>> | null = null;
    if (opts.manufacturer) {
      const m = this.manufacturers.get(lower(opts.manufacturer));
      if (m) manufacturer = { id: m.id, row: m, planned: this.planOf(m.id) };
    }
    if (candidates.length) {
      const pick = opts.manufacturer
        ? candidates.filter((c) => manufacturer && c.manufacturer_id === manufacturer.id)
        : candidates;
      if (pick.length === 1) return { id: pick[0]!.id, row: pick[0]!, planned: this.planOf(pick[0]!.id) };
      if (pick.length > 1) return { error: `Several models are named "${n}"; give the Manufacturer column to choose.`, code: 'ambiguous_reference' };
    }
    if (!this.createMissing) {
      return { error: `There is no model "${n}"${opts.manufacturer ? ` of ${opts.manufacturer}` : ''}.`, code: 'unknown_reference' };
    }
    if (!opts.category) return { error: `There is no model "${n}"; give a Category so it can be created.`, code: 'unknown_reference' };
    const cat = this.category(opts.category);
    if ('error' in cat) return cat;
    let man: Resolution<Selectable<ManufacturersTable>> | null = null;
    if (opts.manufacturer) {
      man = this.manufacturer(opts.manufacturer);
      if ('error' in man) return man;
    }
    const now = nowIso();
    const row: ModelRow = {
      id: newId(), org_id: this.orgId, name: n, model_number: opts.modelNumber?.trim() || null, category_id: cat.id, manufacturer_id: man ? man.id : null,
      eol_months: null, default_custom_fields: '{}', image_path: null, created_at: now, updated_at: now,
    };
    const deps = [cat.planned, man?.planned].filter((x): x is Plan => !!x);
    const p = this.plan('model', n, deps, () => this.queue('model', row, {
      action: 'model.created', entityType: 'model', entityId: row.id,
      changes: events.diff(null, { name: n, modelNumber: row.model_number, categoryId: row.category_id, manufacturerId: row.manufacturer_id, eolMonths: row.eol_months, defaultCustomFields: {} },
        ['name', 'modelNumber', 'categoryId', 'manufacturerId', 'eolMonths', 'defaultCustomFields']),
    }));
    this.setId(p, row.id);
    this.addModel(row);
    return { id: row.id, row, planned: p };
  }

  /** Names from the root down: "HQ / Floor 2". */
  locationPath(id: string): string {
    const l = this.locationsById.get(id);
    if (!l) return '';
    const names = l.path.split('/').filter(Boolean).map((x) => this.locationsById.get(x)?.name ?? '?');
    return names.join(' / ');
  }

  /**
   * A location by path ("HQ / Floor 2 / Room 4", each level by name under the previous one) or
   * by a name that is unique in the organization. Missing levels of a path are planned top-down.
   */
  location(value: string, parentId: string | null = null, leaf: { address?: string | null; latitude?: number | null; longitude?: number | null } = {}): Resolution<LocationRow> {
    const parts = value.split('/').map((s) => s.trim());
    if (parts.some((x) => !x)) return { error: `"${value}" is not a location path (names separated by " / ").`, code: 'invalid_path' };
    if (parts.length === 1 && parentId === null) {
      const same = this.locationsByName.get(lower(parts[0]!)) ?? [];
      if (same.length === 1) return { id: same[0]!.id, row: same[0]!, planned: this.planOf(same[0]!.id) };
      if (same.length > 1) return { error: `Several locations are named "${parts[0]}"; give the path, e.g. "${this.locationPath(same[0]!.id)}".`, code: 'ambiguous_reference' };
    }
    let parent: LocationRow | null = parentId ? this.locationsById.get(parentId) ?? null : null;
    let lastPlan: Plan | null = parent ? this.planOf(parent.id) : null;
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i]!;
      const existing = this.locationChildren.get(parent?.id ?? '')?.get(lower(name));
      if (existing) {
        parent = existing;
        lastPlan = this.planOf(existing.id);
        continue;
      }
      if (!this.createMissing) return { error: `There is no location "${value}".`, code: 'unknown_reference' };
      const now = nowIso();
      const id = newId();
      const row: LocationRow = {
        id, org_id: this.orgId, name, parent_id: parent?.id ?? null, path: `${parent ? parent.path : '/'}${id}/`,
        address: null, latitude: null, longitude: null, created_at: now, updated_at: now,
      };
      if (i === parts.length - 1) Object.assign(row, { address: leaf.address ?? null, latitude: leaf.latitude ?? null, longitude: leaf.longitude ?? null });
      const pathNames = [...(parent ? this.locationPath(parent.id).split(' / ') : []), name];
      const p = this.plan('location', pathNames.join(' / '), lastPlan ? [lastPlan] : [], () => this.queue('location', row, {
        action: 'location.created', entityType: 'location', entityId: id,
        changes: { ...events.diff(null, { name, address: row.address, latitude: row.latitude, longitude: row.longitude }, ['name', 'address', 'latitude', 'longitude']), ...(row.parent_id ? { parentId: { before: null, after: row.parent_id } } : {}) },
        meta: { pathNames },
      }));
      this.setId(p, id);
      this.addLocation(row);
      parent = row;
      lastPlan = p;
    }
    return { id: parent!.id, row: parent!, planned: lastPlan };
  }

  /** An active member by email, employee number, display name or the part of the email before @. */
  member(value: string): Resolution<repo.MemberRef> {
    const v = lower(value);
    const one = (list: repo.MemberRef[] | undefined, what: string): Resolution<repo.MemberRef> | null => {
      if (!list?.length) return null;
      if (list.length > 1) return { error: `Several people have the ${what} "${value.trim()}"; use their email.`, code: 'ambiguous_reference' };
      return { id: list[0]!.user_id, row: list[0]!, planned: null };
    };
    const found = this.byEmail.get(v) ?? this.byNumber.get(v);
    const r = found ? { id: found.user_id, row: found, planned: null } : one(this.byName.get(v), 'name') ?? one(this.byLocalPart.get(v), 'username');
    if (!r) return { error: `No member of this organization is "${value.trim()}" (email, employee number, name or username).`, code: 'unknown_reference' };
    if ('row' in r && !fromDbBool(r.row.is_active)) return { error: `${r.row.display_name} is deactivated and cannot receive assets.`, code: 'inactive' };
    return r;
  }

  memberByEmail(email: string): repo.MemberRef | undefined {
    return this.byEmail.get(lower(email));
  }

  static isRole = isRole;
  static parseDefaults = parseJsonObject;
}
