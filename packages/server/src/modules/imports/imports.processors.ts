/**
 * Row processors of the smaller targets (models, locations, departments, suppliers, users) and the
 * registry. Each matches existing records by its key, applies the given cells (blank cells keep
 * the stored value), checks the same rules as the target's API and writes with its events.
 */
import type { Ctx } from '../../context.js';
import type { Executor } from '../../db/database.js';
import type { FieldError } from '../../errors.js';
import { nowIso } from '../../lib/ids.js';
import { canAssignRole, canGrantRole } from '../../authz/policies.js';
import { isRole, type Role } from '../../authz/permissions.js';
import * as events from '../events/events.service.js';
import * as identity from '../identity/identity.service.js';
import { checkEmail, checkPhone, checkUrl } from '../catalog/catalog.validation.js';
import { AssetProcessor } from './imports.assets.js';
import type { ChunkResult, ParsedRow, ProcessorContext, RowProcessor } from './imports.engine.js';
import { RefBook, type Plan } from './imports.refs.js';
import { KeyLines } from './imports.keys.js';
import * as repo from './imports.repository.js';
import type { RefKind, TargetKey } from './imports.targets.js';

type Outcome = 'create' | 'update' | 'unchanged' | null;

/** Shared loop: rows in order, each decided by `row()`, written (with `write`) by `apply()`. */
abstract class SimpleProcessor<P> implements RowProcessor {
  protected readonly refs: RefBook;
  protected readonly seen = new KeyLines();
  protected abstract readonly kinds: RefKind[];

  constructor(protected readonly p: ProcessorContext, createMissing = p.options.createMissing) {
    this.refs = new RefBook(p.orgId, createMissing);
  }

  async prepare(db: Executor): Promise<void> {
    await this.refs.load(db, new Set(this.kinds));
  }

  plannedReferences() { return this.refs.confirmedPlans(); }
  rollback(): void { this.refs.discardPending(); }

  protected abstract row(r: ParsedRow): { outcome: Outcome; plan: P | null; key: string | null; plans: (Plan | null)[] };
  protected abstract apply(db: Executor, plans: P[]): Promise<void>;

  protected dupe(r: ParsedRow, key: string | null, field: string, what: string): void {
    if (!key) return;
    const first = this.seen.get(key);
    if (first !== undefined) r.fail(field, 'duplicate_in_file', `${what} also appears on line ${first}.`);
  }

  protected errs(r: ParsedRow, errors: FieldError[]): void {
    for (const e of errors) r.fail(e.path.replace(/^\//, ''), e.code ?? 'invalid', e.message);
  }

  async chunk(rows: ParsedRow[], db: Executor, write: boolean): Promise<ChunkResult> {
    const res: ChunkResult = { created: 0, updated: 0, unchanged: 0, failed: 0 };
    const todo: P[] = [];
    for (const r of rows) {
      if (!r.ok) { res.failed++; continue; }
      const d = this.row(r);
      if (!r.ok || !d.outcome) { res.failed++; continue; }
      if (d.key) this.seen.set(d.key, r.line);
      this.refs.confirm(d.plans);
      if (d.plan) todo.push(d.plan);
      res[d.outcome === 'create' ? 'created' : d.outcome === 'update' ? 'updated' : 'unchanged']++;
    }
    if (write) {
      await this.refs.flush(db, this.p.ctx);
      await this.apply(db, todo);
    }
    return res;
  }
}

const lower = (s: string) => s.trim().toLowerCase();

// ---------- suppliers ----------

const SUPPLIER_FIELDS = ['name', 'contactName', 'email', 'phone', 'url', 'notes'] as const;
const SUPPLIER_COLS = { contactName: 'contact_name', email: 'email', phone: 'phone', url: 'url', notes: 'notes' } as const;

class SupplierProcessor extends SimpleProcessor<{ id: string; changes: events.Changes; patch: Record<string, string | null> }> {
  protected readonly kinds: RefKind[] = ['supplier'];
  constructor(p: ProcessorContext) { super(p, true); }

  protected row(r: ParsedRow) {
    const name = r.get('name') ?? '';
    this.dupe(r, lower(name), 'name', `Supplier "${name}"`);
    const errors: FieldError[] = [];
    checkEmail(errors, '/email', r.get('email'));
    checkPhone(errors, '/phone', r.get('phone'));
    checkUrl(errors, '/url', r.get('url'));
    this.errs(r, errors);
    if (!r.ok) return { outcome: null, plan: null, key: null, plans: [] };
    const existing = this.refs.suppliers.get(lower(name));
    const res = existing ?? this.refs.supplier(name);
    if ('error' in res) { r.fail('name', res.code, res.error); return { outcome: null, plan: null, key: null, plans: [] }; }
    const row = 'row' in res ? res.row : existing!;
    const patch: Record<string, string | null> = {};
    for (const [f, col] of Object.entries(SUPPLIER_COLS)) {
      const v = r.get(f);
      if (v !== undefined && v !== row[col]) patch[col] = v;
    }
    const snap = (x: Record<string, unknown>) => ({ name: x.name, contactName: x.contact_name, email: x.email, phone: x.phone, url: x.url, notes: x.notes });
    if (!existing) {
      Object.assign(row, patch);
      return { outcome: 'create' as const, plan: null, key: lower(name), plans: ['planned' in res ? res.planned : null] };
    }
    const changes = events.diff(snap(existing), snap({ ...existing, ...patch }), SUPPLIER_FIELDS);
    if (!Object.keys(changes).length) return { outcome: 'unchanged' as const, plan: null, key: lower(name), plans: [] };
    if (!this.p.options.updateExisting) { r.fail('name', 'exists', `Supplier "${name}" exists and updating was not requested.`); return { outcome: null, plan: null, key: null, plans: [] }; }
    Object.assign(existing, patch);
    return { outcome: 'update' as const, plan: { id: existing.id, changes, patch }, key: lower(name), plans: [] };
  }

  protected async apply(db: Executor, plans: { id: string; changes: events.Changes; patch: Record<string, string | null> }[]): Promise<void> {
    const now = nowIso();
    for (const pl of plans) await repo.updateSupplier(db, this.p.orgId, pl.id, { ...pl.patch, updated_at: now });
    await events.recordMany(db, this.p.ctx, plans.map((pl) => ({ action: 'supplier.updated', entityType: 'supplier', entityId: pl.id, changes: pl.changes })));
  }
}

// ---------- departments ----------

class DepartmentProcessor extends SimpleProcessor<{ id: string; changes: events.Changes; patch: Record<string, string | null> }> {
  protected readonly kinds: RefKind[] = ['department', 'user'];
  constructor(p: ProcessorContext) { super(p, true); }

  protected row(r: ParsedRow) {
    const name = r.get('name') ?? '';
    this.dupe(r, lower(name), 'name', `Department "${name}"`);
    let managerId: string | undefined;
    const manager = r.get('manager');
    if (manager !== undefined) {
      const m = this.refs.member(manager);
      if ('error' in m) r.fail('manager', m.code, m.error);
      else managerId = m.id;
    }
    if (!r.ok) return { outcome: null, plan: null, key: null, plans: [] };
    const existing = this.refs.departments.get(lower(name));
    const patch: Record<string, string | null> = {};
    const code = r.get('code');
    const cc = r.get('costCentre');
    if (code !== undefined) patch.code = code;
    if (cc !== undefined) patch.cost_centre = cc;
    if (managerId !== undefined) patch.manager_user_id = managerId;
    const snap = (x: Record<string, unknown>) => ({ name: x.name, code: x.code ?? null, costCentre: x.cost_centre ?? null, managerUserId: x.manager_user_id ?? null });
    const fieldsList = ['name', 'code', 'costCentre', 'managerUserId'] as const;
    if (!existing) {
      const res = this.refs.department(name);
      if ('error' in res) { r.fail('name', res.code, res.error); return { outcome: null, plan: null, key: null, plans: [] }; }
      Object.assign(res.row, patch);
      return { outcome: 'create' as const, plan: null, key: lower(name), plans: [res.planned] };
    }
    const changes = events.diff(snap(existing), snap({ ...existing, ...patch }), fieldsList);
    if (!Object.keys(changes).length) return { outcome: 'unchanged' as const, plan: null, key: lower(name), plans: [] };
    if (!this.p.options.updateExisting) { r.fail('name', 'exists', `Department "${name}" exists and updating was not requested.`); return { outcome: null, plan: null, key: null, plans: [] }; }
    Object.assign(existing, patch);
    return { outcome: 'update' as const, plan: { id: existing.id, changes, patch }, key: lower(name), plans: [] };
  }

  protected async apply(db: Executor, plans: { id: string; changes: events.Changes; patch: Record<string, string | null> }[]): Promise<void> {
    const now = nowIso();
    for (const pl of plans) await repo.updateDepartment(db, this.p.orgId, pl.id, { ...pl.patch, updated_at: now });
    await events.recordMany(db, this.p.ctx, plans.map((pl) => ({ action: 'department.updated', entityType: 'department', entityId: pl.id, changes: pl.changes })));
  }
}

// ---------- locations ----------

type LocPatch = { address?: string | null; latitude?: number | null; longitude?: number | null };

class LocationProcessor extends SimpleProcessor<{ id: string; changes: events.Changes; patch: LocPatch }> {
  protected readonly kinds: RefKind[] = ['location'];
  constructor(p: ProcessorContext) { super(p, true); }

  protected row(r: ParsedRow) {
    const name = r.get('name') ?? '';
    const patch: LocPatch = {};
    const address = r.get('address');
    const lat = r.get<number>('latitude');
    const lng = r.get<number>('longitude');
    if (address !== undefined) patch.address = address;
    if (lat !== undefined) { if (lat < -90 || lat > 90) r.fail('latitude', 'range', 'Latitude must be between -90 and 90.'); else patch.latitude = lat; }
    if (lng !== undefined) { if (lng < -180 || lng > 180) r.fail('longitude', 'range', 'Longitude must be between -180 and 180.'); else patch.longitude = lng; }
    let parentId: string | null = null;
    const parentName = r.get('parent');
    const plans: (Plan | null)[] = [];
    if (parentName !== undefined) {
      const pr = this.refs.location(parentName);
      if ('error' in pr) r.fail('parent', pr.code, pr.error);
      else { parentId = pr.id; plans.push(pr.planned); }
    }
    if (!r.ok) return { outcome: null, plan: null, key: null, plans: [] };
    // The row's location: its path under the parent; existing levels are reused, missing ones created.
    const parts = name.split('/').map((s) => s.trim());
    let parent = parentId;
    for (const part of parts.slice(0, -1)) {
      const lvl = this.refs.location(part, parent);
      if ('error' in lvl) { r.fail('name', lvl.code, lvl.error); return { outcome: null, plan: null, key: null, plans: [] }; }
      parent = lvl.id;
      plans.push(lvl.planned);
    }
    const leafName = parts[parts.length - 1] ?? '';
    if (!leafName) { r.fail('name', 'required', 'Name must not be empty.'); return { outcome: null, plan: null, key: null, plans: [] }; }
    const existing = this.refs.locationChildren.get(parent ?? '')?.get(lower(leafName));
    const key = `${parent ?? ''}/${lower(leafName)}`;
    this.dupe(r, key, 'name', `Location "${name}"`);
    if (!r.ok) return { outcome: null, plan: null, key: null, plans: [] };
    const planned = existing ? this.refs.planOf(existing.id) : null;
    if (!existing || planned && !planned.confirmed) {
      if (existing && planned) {
        Object.assign(existing, patch);
        return { outcome: 'create' as const, plan: null, key, plans: [...plans, planned] };
      }
      const res = this.refs.location(leafName, parent, patch);
      if ('error' in res) { r.fail('name', res.code, res.error); return { outcome: null, plan: null, key: null, plans: [] }; }
      return { outcome: 'create' as const, plan: null, key, plans: [...plans, res.planned] };
    }
    const snap = (x: LocPatch & { name: string }) => ({ name: x.name, address: x.address ?? null, latitude: x.latitude === null || x.latitude === undefined ? null : Number(x.latitude), longitude: x.longitude === null || x.longitude === undefined ? null : Number(x.longitude) });
    const changes = events.diff(snap(existing), snap({ ...existing, ...patch }), ['name', 'address', 'latitude', 'longitude']);
    if (!Object.keys(changes).length) return { outcome: 'unchanged' as const, plan: null, key, plans };
    if (!this.p.options.updateExisting) { r.fail('name', 'exists', `Location "${name}" exists and updating was not requested.`); return { outcome: null, plan: null, key: null, plans: [] }; }
    Object.assign(existing, patch);
    return { outcome: 'update' as const, plan: { id: existing.id, changes, patch }, key, plans };
  }

  protected async apply(db: Executor, plans: { id: string; changes: events.Changes; patch: LocPatch }[]): Promise<void> {
    const now = nowIso();
    for (const pl of plans) await repo.updateLocation(db, this.p.orgId, pl.id, { ...pl.patch, updated_at: now });
    await events.recordMany(db, this.p.ctx, plans.map((pl) => ({ action: 'location.updated', entityType: 'location', entityId: pl.id, changes: pl.changes })));
  }
}

// ---------- models ----------

class ModelProcessor extends SimpleProcessor<{ id: string; changes: events.Changes; patch: { model_number?: string | null; eol_months?: number | null } }> {
  protected readonly kinds: RefKind[] = ['model', 'category', 'manufacturer'];
  constructor(p: ProcessorContext) { super(p, true); }

  protected row(r: ParsedRow) {
    const name = r.get('name') ?? '';
    const man = r.get('manufacturer');
    const key = `${lower(man ?? '')}\u0000${lower(name)}`;
    this.dupe(r, key, 'name', `Model "${name}"${man ? ` of ${man}` : ''}`);
    const eol = r.get<number>('eolMonths');
    if (eol !== undefined && eol > 600) r.fail('eolMonths', 'maximum', 'EOL Months must be at most 600.');
    if (!r.ok) return { outcome: null, plan: null, key: null, plans: [] };
    const candidates = (this.refs.models.get(lower(name)) ?? []).filter((m) => (man ? m.manufacturer_id !== null && lower(this.refs.manufacturersById.get(m.manufacturer_id)?.name ?? '') === lower(man) : m.manufacturer_id === null));
    const existing = candidates[0];
    if (!existing || this.refs.planOf(existing.id)) {
      if (!this.p.options.createMissing && !this.refs.categories.get(lower(r.get('category') ?? ''))) {
        r.fail('category', 'unknown_reference', `There is no category "${r.get('category') ?? ''}" (turn on createMissing to create it).`);
        return { outcome: null, plan: null, key: null, plans: [] };
      }
      const res = existing ? { id: existing.id, row: existing, planned: this.refs.planOf(existing.id) } : this.refs.model(name, { category: r.get('category'), manufacturer: man, modelNumber: r.get('modelNumber') });
      if ('error' in res) { r.fail('name', res.code, res.error); return { outcome: null, plan: null, key: null, plans: [] }; }
      if (eol !== undefined) res.row.eol_months = eol;
      return { outcome: 'create' as const, plan: null, key, plans: [res.planned] };
    }
    const cat = r.get('category');
    const currentCat = this.refs.categoriesById.get(existing.category_id)?.name ?? '';
    if (cat !== undefined && lower(cat) !== lower(currentCat)) {
      r.fail('category', 'conflict', `Model "${name}" is in the category "${currentCat}"; change its category in the catalog (it moves its assets).`);
      return { outcome: null, plan: null, key: null, plans: [] };
    }
    const patch: { model_number?: string | null; eol_months?: number | null } = {};
    const num = r.get('modelNumber');
    if (num !== undefined) patch.model_number = num;
    if (eol !== undefined) patch.eol_months = eol;
    const snap = (x: { model_number: string | null; eol_months: number | null }) => ({ modelNumber: x.model_number, eolMonths: x.eol_months === null ? null : Number(x.eol_months) });
    const changes = events.diff(snap(existing), snap({ ...existing, ...patch }), ['modelNumber', 'eolMonths']);
    if (!Object.keys(changes).length) return { outcome: 'unchanged' as const, plan: null, key, plans: [] };
    if (!this.p.options.updateExisting) { r.fail('name', 'exists', `Model "${name}" exists and updating was not requested.`); return { outcome: null, plan: null, key: null, plans: [] }; }
    Object.assign(existing, patch);
    return { outcome: 'update' as const, plan: { id: existing.id, changes, patch }, key, plans: [] };
  }

  protected async apply(db: Executor, plans: { id: string; changes: events.Changes; patch: { model_number?: string | null; eol_months?: number | null } }[]): Promise<void> {
    const now = nowIso();
    for (const pl of plans) await repo.updateModel(db, this.p.orgId, pl.id, { ...pl.patch, updated_at: now });
    await events.recordMany(db, this.p.ctx, plans.map((pl) => ({ action: 'model.updated', entityType: 'model', entityId: pl.id, changes: pl.changes })));
  }
}

// ---------- users (members) ----------

interface UserPlan {
  email: string; displayName: string; role: Role | null; existing: repo.MemberRef | null;
  profile: Partial<Record<'employee_number' | 'title' | 'phone' | 'department_id' | 'location_id' | 'manager_user_id', string | null>>;
  managerEmail: string | null;
}

const PROFILE_KEYS = { employee_number: 'employeeNumber', title: 'title', phone: 'phone', department_id: 'departmentId', location_id: 'locationId', manager_user_id: 'managerUserId' } as const;

class UserProcessor extends SimpleProcessor<UserPlan> {
  protected readonly kinds: RefKind[] = ['user', 'department', 'location'];
  private readonly numbers = new Map<string, string>();
  private readonly newEmails = new Set<string>();

  override async prepare(db: Executor): Promise<void> {
    await super.prepare(db);
    for (const m of this.refs.membersById.values()) if (m.employee_number && m.role !== 'former') this.numbers.set(lower(m.employee_number), lower(m.email));
  }

  protected row(r: ParsedRow) {
    const email = lower(r.get('email') ?? '');
    this.dupe(r, email, 'email', `Email ${email}`);
    const existing = this.refs.memberByEmail(email) ?? null;
    const first = r.get('firstName');
    const last = r.get('lastName');
    const displayName = r.get('displayName') ?? ([first, last].filter(Boolean).join(' ') || existing?.display_name || '');
    if (!displayName) r.fail('displayName', 'required', 'Name (or First Name and Last Name) is required for a new person.');
    const role = r.get<Role>('role') ?? null;
    const ctx = this.p.ctx;
    if (role && (!existing || existing.role !== role)) {
      const current = existing && isRole(existing.role) ? existing.role : null;
      if (!canAssignRole(ctx.actor, current, role) || !canGrantRole(ctx.actor, role)) r.fail('role', 'forbidden', `You cannot grant the role ${role}.`);
      if (existing?.role === 'owner') r.fail('role', 'forbidden', 'Change an owner\'s role in the Users page.');
    }
    const profile: UserPlan['profile'] = {};
    const errors: FieldError[] = [];
    for (const f of ['employeeNumber', 'title', 'phone'] as const) {
      const v = r.get(f);
      if (v !== undefined) profile[f === 'employeeNumber' ? 'employee_number' : f] = v;
    }
    checkPhone(errors, '/phone', profile.phone);
    this.errs(r, errors);
    if (profile.employee_number) {
      const holder = this.numbers.get(lower(profile.employee_number));
      if (holder && holder !== email) r.fail('employeeNumber', 'duplicate', `Employee number ${profile.employee_number} already belongs to ${holder}.`);
    }
    const plans: (Plan | null)[] = [];
    const dep = r.get('department');
    if (dep !== undefined) {
      const d = this.refs.department(dep);
      if ('error' in d) r.fail('department', d.code, d.error); else { profile.department_id = d.id; plans.push(d.planned); }
    }
    const loc = r.get('location');
    if (loc !== undefined) {
      const l = this.refs.location(loc);
      if ('error' in l) r.fail('location', l.code, l.error); else { profile.location_id = l.id; plans.push(l.planned); }
    }
    let managerEmail: string | null = null;
    const mgr = r.get('manager');
    if (mgr !== undefined) {
      const m = this.refs.member(mgr);
      if (!('error' in m)) profile.manager_user_id = m.id;
      else if (this.newEmails.has(lower(mgr))) managerEmail = lower(mgr);
      else r.fail('manager', m.code, m.error);
      if (lower(mgr) === email) r.fail('manager', 'self_manager', 'A person cannot be their own manager.');
    }
    if (!r.ok) return { outcome: null, plan: null, key: null, plans: [] };
    const plan: UserPlan = { email, displayName, role, existing, profile, managerEmail };
    if (profile.employee_number) this.numbers.set(lower(profile.employee_number), email);
    if (!existing) {
      this.newEmails.add(email);
      return { outcome: 'create' as const, plan, key: email, plans };
    }
    const changed = (role && role !== existing.role) || displayName !== existing.display_name && r.has('displayName')
      || Object.entries(profile).some(([k, v]) => (existing as unknown as Record<string, unknown>)[k] !== v) || managerEmail !== null;
    if (!changed) return { outcome: 'unchanged' as const, plan: null, key: email, plans };
    if (!this.p.options.updateExisting) { r.fail('email', 'exists', `${email} is already a member and updating was not requested.`); return { outcome: null, plan: null, key: null, plans: [] }; }
    return { outcome: 'update' as const, plan, key: email, plans };
  }

  protected async apply(db: Executor, plans: UserPlan[]): Promise<void> {
    const ctx: Ctx = this.p.ctx;
    const orgId = this.p.orgId;
    const now = nowIso();
    const created = new Map<string, string>();
    for (const pl of plans) {
      let userId = pl.existing?.user_id ?? null;
      if (!pl.existing) {
        let user = await identity.findUserByEmail(db, pl.email);
        if (!user) user = await identity.createUser(db, ctx, { email: pl.email, displayName: pl.displayName, password: null });
        userId = user.id;
        const former = this.refs.membersById.get(user.id);
        const role = pl.role ?? 'employee';
        if (former) await repo.setMembershipRole(db, orgId, user.id, role, now);
        else await repo.insertMembership(db, orgId, user.id, role, now);
        await events.record(db, ctx, { action: 'member.added', entityType: 'user', entityId: user.id, changes: { role: { before: null, after: role } }, meta: { email: user.email } });
        created.set(pl.email, user.id);
      } else if (pl.role && pl.role !== pl.existing.role) {
        await repo.setMembershipRole(db, orgId, pl.existing.user_id, pl.role, now);
        await events.record(db, ctx, { action: 'member.updated', entityType: 'user', entityId: pl.existing.user_id, changes: { role: { before: pl.existing.role, after: pl.role } } });
      }
      if (pl.managerEmail) pl.profile.manager_user_id = created.get(pl.managerEmail) ?? this.refs.memberByEmail(pl.managerEmail)?.user_id ?? null;
      const before = pl.existing;
      const values = {
        employee_number: before?.employee_number ?? null, title: before?.title ?? null, phone: before?.phone ?? null,
        department_id: before?.department_id ?? null, location_id: before?.location_id ?? null, manager_user_id: before?.manager_user_id ?? null, ...pl.profile,
      };
      const changes: events.Changes = {};
      for (const [col, key] of Object.entries(PROFILE_KEYS)) {
        const b = (before as unknown as Record<string, unknown> | null)?.[col] ?? null;
        const a = (values as Record<string, unknown>)[col] ?? null;
        if (b !== a) changes[key] = { before: b, after: a };
      }
      if (Object.keys(changes).length) {
        await repo.saveProfile(db, orgId, userId!, values, now, !!before?.has_profile);
        await events.record(db, ctx, { action: 'member.profile_updated', entityType: 'user', entityId: userId!, changes });
      }
    }
  }
}

export function makeProcessor(target: TargetKey, p: ProcessorContext): RowProcessor {
  switch (target) {
    case 'assets': return new AssetProcessor(p);
    case 'suppliers': return new SupplierProcessor(p);
    case 'departments': return new DepartmentProcessor(p);
    case 'locations': return new LocationProcessor(p);
    case 'models': return new ModelProcessor(p);
    case 'users': return new UserProcessor(p);
  }
}
