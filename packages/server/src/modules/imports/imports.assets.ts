/**
 * The assets target: every row is checked with the rules of the asset API (assets.service: tag and
 * serial uniqueness, money in minor units of an ISO currency, warranty months from the purchase
 * date, end of life from the model, custom fields via fields.checkValues; lifecycle.machine for
 * status changes; custody's check-out rules), but in bulk: references come from preloaded maps,
 * existing assets from one lookup per chunk, and writes are multi-row inserts with batched events.
 *
 * Semantics of the location columns: `Location` is the asset's home (default location); a new
 * asset is also there, and an asset that is not checked out moves with its home, as with
 * `PATCH /assets/:id {defaultLocationId}`. `Current Location` sets where it is now. A check-out
 * puts the asset where its holder is (custody rule), so re-importing a file never fights custody.
 */
import type { Selectable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { AcceptancesTable, AssetFieldValuesTable, AssignmentsTable, ExternalIdsTable } from '../../db/schema.js';
import type { FieldError } from '../../errors.js';
import { fromDbBool } from '../../db/dialect.js';
import { newId, nowIso } from '../../lib/ids.js';
import { parseJsonObject } from '../../lib/json.js';
import * as events from '../events/events.service.js';
import * as assets from '../assets/assets.service.js';
import * as fields from '../fields/fields.service.js';
import type { FieldDto } from '../fields/fields.service.js';
import { CHECKOUT_FROM, planTransition, type LifecycleState } from '../lifecycle/lifecycle.machine.js';
import * as repo from './imports.repository.js';
import { RefBook, type Plan } from './imports.refs.js';
import { KeyLines } from './imports.keys.js';
import type { ChunkResult, ColumnPlan, ParsedRow, ProcessorContext, RowProcessor } from './imports.engine.js';
import { parseBoolean, parseDate, parseNumber } from './imports.values.js';
import type { RefKind } from './imports.targets.js';

type AssetRecord = repo.AssetRecord;

const PLACEHOLDER = /\{(0+)\}/;
const INITIAL_STATES: readonly LifecycleState[] = ['ordered', 'in_stock'];

interface Checkout { user: repo.MemberRef }

interface RowPlan {
  row: ParsedRow;
  kind: 'create' | 'update' | 'unchanged';
  before: AssetRecord | null;
  /** The record as the API would leave it before any state change or check-out. */
  next: AssetRecord;
  /** Index rows of custom fields to (re)write, or null when they did not change. */
  index: fields.IndexEntry[] | null;
  uniques: { fieldId: string; key: string; label: string; valueText: string | null; valueNum: number | null }[];
  plans: (Plan | null)[];
  tagPattern: string | null;
  transition: { from: LifecycleState; to: LifecycleState; action: string; reason: string } | null;
  checkout: Checkout | null;
  changes: events.Changes;
  externalId: string | null;
  openAssignment: repo.OpenAssignment | null;
}

const sameNull = (a: string | null | undefined, b: string | null | undefined) => (a ?? null) === (b ?? null);

export class AssetProcessor implements RowProcessor {
  private readonly refs: RefBook;
  private customByCategory = new Map<string, FieldDto[]>();
  private orgPattern = 'AST-{000000}';
  // In-file keys → the line that used them first, compact (a million rows stay in memory).
  private readonly seenTags = new KeyLines();
  private readonly seenSerials = new KeyLines();
  private readonly seenExternal = new KeyLines();
  private readonly seenUniques = new KeyLines();
  private readonly seenAssets = new KeyLines();
  /** Small numbers for manufacturer ids: in-file serial keys stay short (a million rows stay in memory). */
  private readonly manIndex = new Map<string, number>();
  private readonly columnsByField: Map<string, ColumnPlan>;
  private readonly matchBy: 'assetTag' | 'serial' | 'externalId';

  constructor(private readonly p: ProcessorContext) {
    this.refs = new RefBook(p.orgId, p.options.createMissing);
    this.columnsByField = new Map(p.columns.map((c) => [c.field.key, c]));
    const m = p.options.matchBy;
    this.matchBy = m === 'serial' || m === 'externalId' ? m : 'assetTag';
  }

  async prepare(db: Executor): Promise<void> {
    const kinds = new Set<RefKind>(['model', 'category', 'manufacturer']);
    for (const c of this.p.columns) if (c.field.ref) kinds.add(c.field.ref);
    await this.refs.load(db, kinds);
    for (const f of await repo.customFields(db, this.p.orgId)) this.customByCategory.set(f.categoryId, [...(this.customByCategory.get(f.categoryId) ?? []), f]);
    this.orgPattern = await repo.orgTagPattern(db, this.p.orgId);
  }

  plannedReferences(): { kind: string; name: string }[] {
    return this.refs.confirmedPlans();
  }

  rollback(): void {
    this.refs.discardPending();
  }

  /** Set while the asset insert triggers are dropped for a bulk commit (repo.insertAssets explains). */
  private bulk = false;

  bulkLoad(): void {
    this.bulk = true;
  }

  // ---------------------------------------------------------------------------------------------

  async chunk(rows: ParsedRow[], db: Executor, write: boolean): Promise<ChunkResult> {
    const { orgId } = this.p;
    const tags = [...new Set(rows.map((r) => r.get('assetTag')).filter((x): x is string => !!x))];
    const serials = [...new Set(rows.map((r) => r.get('serial')).filter((x): x is string => !!x))];
    const externals = [...new Set(rows.map((r) => r.get('externalId')).filter((x): x is string => !!x))];
    const byTag = new Map((await repo.assetsByTag(db, orgId, tags)).map((a) => [a.asset_tag, a]));
    const bySerial = new Map<string, AssetRecord[]>();
    for (const a of await repo.assetsBySerial(db, orgId, serials)) bySerial.set(a.serial ?? '', [...(bySerial.get(a.serial ?? '') ?? []), a]);
    const extMap = new Map((await repo.findExternalIds(db, orgId, 'assets', this.p.options.externalIdSource, externals)).map((e) => [e.value, e.entity_id]));
    const byId = new Map<string, AssetRecord>();
    for (const a of byTag.values()) byId.set(a.id, a);
    for (const list of bySerial.values()) for (const a of list) byId.set(a.id, a);
    const missing = [...extMap.values()].filter((id) => !byId.has(id));
    for (const a of await repo.assetsById(db, orgId, missing)) byId.set(a.id, a);

    // Match every row first, then load the matched assets' open assignments in one statement.
    const matches = rows.map((r) => this.match(r, byTag, bySerial, extMap, byId));
    const matchedIds = [...new Set(matches.filter((m): m is AssetRecord => !!m).map((m) => m.id))];
    const open = new Map((await repo.openAssignments(db, orgId, matchedIds)).map((a) => [a.asset_id, a]));

    const plans: (RowPlan | null)[] = rows.map((r, i) => (r.ok ? this.build(r, matches[i] ?? null, open, byTag, bySerial) : null));

    // Unique custom field values held by other assets: one statement for the chunk.
    const uniq = plans.flatMap((pl) => pl?.uniques ?? []);
    const holders = await repo.fieldValueHolders(db, orgId, [...new Set(uniq.map((u) => u.fieldId))],
      [...new Set(uniq.map((u) => u.valueText).filter((x): x is string => x !== null))], [...new Set(uniq.map((u) => u.valueNum).filter((x): x is number => x !== null))]);
    const heldBy = new Map(holders.map((h) => [`${h.field_id}\u0000${h.value_num !== null ? `#${h.value_num}` : h.value_text}`, h]));

    const result: ChunkResult = { created: 0, updated: 0, unchanged: 0, failed: 0 };
    const valid: RowPlan[] = [];
    rows.forEach((r, i) => {
      const pl = plans[i];
      if (pl && r.ok) this.finalize(pl, heldBy, extMap);
      if (!pl || !r.ok) {
        result.failed++;
        return;
      }
      valid.push(pl);
      result[pl.kind === 'create' ? 'created' : pl.kind === 'update' ? 'updated' : 'unchanged']++;
    });
    if (write) await this.write(db, valid);
    return result;
  }

  /** The existing asset this row is about, by the chosen key. */
  private match(r: ParsedRow, byTag: Map<string, AssetRecord>, bySerial: Map<string, AssetRecord[]>, extMap: Map<string, string>, byId: Map<string, AssetRecord>): AssetRecord | null {
    if (!r.ok) return null;
    if (this.matchBy === 'assetTag') {
      const tag = r.get('assetTag');
      return tag ? byTag.get(tag) ?? null : null;
    }
    if (this.matchBy === 'externalId') {
      const ext = r.get('externalId');
      const id = ext ? extMap.get(ext) : undefined;
      return id ? byId.get(id) ?? null : null;
    }
    const serial = r.get('serial');
    const list = serial ? bySerial.get(serial) ?? [] : [];
    if (list.length <= 1) return list[0] ?? null;
    const man = r.get('manufacturer');
    const pick = man ? list.filter((a) => a.manufacturer_id && this.refs.manufacturersById.get(a.manufacturer_id)?.name.toLowerCase() === man.toLowerCase()) : [];
    if (pick.length === 1) return pick[0]!;
    r.fail('serial', 'ambiguous_match', `Serial ${serial} is recorded for several assets (${list.map((a) => a.asset_tag).join(', ')}); give the Manufacturer to choose.`);
    return null;
  }

  /** Applies the row to a copy of the record with the API's rules; null when the row failed. */
  private build(r: ParsedRow, before: AssetRecord | null, open: Map<string, repo.OpenAssignment>, byTag: Map<string, AssetRecord>, bySerial: Map<string, AssetRecord[]>): RowPlan | null {
    const refs = this.refs;
    const used: (Plan | null)[] = [];
    const errs: FieldError[] = [];
    const fieldOfPath = (path: string) => path.replace(/^\//, '').replace(/^cf\//, 'cf.');
    const flushErrs = () => { for (const e of errs.splice(0)) r.fail(fieldOfPath(e.path), e.code ?? 'invalid', `${this.label(fieldOfPath(e.path))}: ${e.message}`); };
    if (before?.deleted_at) {
      r.fail(this.matchBy, 'deleted', `This matches ${before.asset_tag}, a deleted asset; restore it first.`);
      return null;
    }
    const openAssignment = before ? open.get(before.id) ?? null : null;
    const now = nowIso();
    const next: AssetRecord = before ? { ...before } : {
      id: newId(), org_id: this.p.orgId, asset_tag: '', serial: null, name: null, model_id: '', category_id: '', manufacturer_id: null,
      lifecycle_state: 'in_stock', location_id: null, default_location_id: null, supplier_id: null, department_id: null, purchase_date: null,
      purchase_cost_minor: null, currency: null, order_number: null, invoice_number: null, warranty_end: null, eol_date: null, notes: null,
      parent_asset_id: null, custom_fields: '{}', created_at: now, updated_at: now, deleted_at: null,
    };

    // Model (and through it category and manufacturer).
    const oldModel = before ? refs.modelsById.get(before.model_id) ?? null : null;
    let model = oldModel;
    const modelName = r.get('model');
    if (modelName) {
      const m = refs.model(modelName, { category: r.get('category'), manufacturer: r.get('manufacturer'), modelNumber: r.get('modelNumber') });
      if ('error' in m) r.fail('model', m.code, m.error);
      else {
        model = m.row;
        used.push(m.planned);
      }
    } else if (!before) {
      r.fail('model', 'required', 'Model is required for a new asset.');
    }
    if (!model) return null;
    const category = refs.categoriesById.get(model.category_id);
    const catName = r.get('category');
    if (catName && category && category.name.toLowerCase() !== catName.toLowerCase()) {
      r.fail('category', 'conflict', `Model "${model.name}" is in the category "${category.name}", not "${catName}".`);
    }
    const manName = r.get('manufacturer');
    const manufacturer = model.manufacturer_id ? refs.manufacturersById.get(model.manufacturer_id) : undefined;
    if (manName && !modelName && (manufacturer?.name.toLowerCase() ?? '') !== manName.toLowerCase()) {
      r.fail('manufacturer', 'conflict', `Model "${model.name}" is made by ${manufacturer ? `"${manufacturer.name}"` : 'no manufacturer'}, not "${manName}".`);
    }
    next.model_id = model.id;
    next.category_id = model.category_id;
    next.manufacturer_id = model.manufacturer_id;

    // Plain columns: a given cell sets the value; an empty cell leaves it (blank cells never wipe data).
    const text = (field: string, col: 'asset_tag' | 'serial' | 'name' | 'notes' | 'order_number' | 'invoice_number') => {
      const v = r.get(field);
      if (v !== undefined) (next as Record<string, unknown>)[col] = v;
    };
    text('assetTag', 'asset_tag');
    text('serial', 'serial');
    text('name', 'name');
    text('notes', 'notes');
    text('orderNumber', 'order_number');
    text('invoiceNumber', 'invoice_number');
    const pd = r.get('purchaseDate');
    if (pd !== undefined) next.purchase_date = pd;

    // References.
    const ref = (field: string, resolve: (v: string) => { id: string; planned: Plan | null } | { error: string; code: string }): string | undefined => {
      const v = r.get(field);
      if (v === undefined) return undefined;
      const res = resolve(v);
      if ('error' in res) {
        r.fail(field, res.code, res.error);
        return undefined;
      }
      used.push(res.planned);
      return res.id;
    };
    const home = ref('location', (v) => refs.location(v));
    const current = ref('currentLocation', (v) => refs.location(v));
    const supplier = ref('supplier', (v) => refs.supplier(v));
    const department = ref('department', (v) => refs.department(v));
    if (supplier !== undefined) next.supplier_id = supplier;
    if (department !== undefined) next.department_id = department;
    if (home !== undefined) {
      next.default_location_id = home;
      if (!before || (current === undefined && !openAssignment)) next.location_id = home;
    }
    if (current !== undefined) next.location_id = current;

    // Money: as PATCH does, a new currency re-expresses the stored cost unless a cost is given too.
    const cur = r.get('currency');
    if (cur !== undefined) next.currency = assets.checkCurrency(cur, '', errs);
    const cost = r.get<number>('purchaseCost');
    if (cost !== undefined) next.purchase_cost_minor = assets.toMinor(cost, next.currency, '/purchaseCost', errs);
    else if (before && next.currency !== before.currency && before.purchase_cost_minor !== null && !errs.length) {
      next.purchase_cost_minor = assets.toMinor(assets.toMajorUnits(before.purchase_cost_minor, before.currency) ?? 0, next.currency, '/currency', errs);
    }

    // Warranty: an end date, or months from the purchase date (both only when they agree).
    const wEnd = r.get('warrantyEnd');
    const wMonths = r.get<number>('warrantyMonths');
    if (wEnd !== undefined) next.warranty_end = wEnd;
    if (wMonths !== undefined) {
      if (!next.purchase_date) errs.push({ path: '/warrantyMonths', message: 'needs a purchase date to count from', code: 'required' });
      else {
        const end = assets.addMonths(next.purchase_date, wMonths);
        if (wEnd !== undefined && wEnd !== end) errs.push({ path: '/warrantyMonths', message: `${wMonths} months from ${next.purchase_date} is ${end}, but Warranty End says ${wEnd}`, code: 'conflict' });
        else next.warranty_end = end;
      }
    }

    // End of life: explicit wins; else derived from the model as on create / re-derived as on update.
    const eol = r.get('eolDate');
    if (eol !== undefined) next.eol_date = eol;
    else if (!before) next.eol_date = next.purchase_date && model.eol_months !== null ? assets.addMonths(next.purchase_date, Number(model.eol_months)) : null;
    else if (next.purchase_date !== before.purchase_date || model.id !== before.model_id) {
      const derivedBefore = before.purchase_date && oldModel && oldModel.eol_months !== null ? assets.addMonths(before.purchase_date, Number(oldModel.eol_months)) : null;
      if (before.eol_date === null || before.eol_date === derivedBefore) {
        next.eol_date = next.purchase_date && model.eol_months !== null ? assets.addMonths(next.purchase_date, Number(model.eol_months)) : null;
      }
    }
    flushErrs();

    // Custom fields: model defaults on a new asset / a new model, then the row's cells.
    const defs = this.customByCategory.get(next.category_id) ?? [];
    const given: Record<string, unknown> = {};
    for (const c of this.p.columns) {
      if (c.field.type !== 'custom') continue;
      const raw = r.raw(c.field.key);
      if (raw === undefined) continue;
      const key = c.field.key.slice(3);
      const def = defs.find((d) => d.key === key);
      if (!def) {
        r.fail(c.field.key, 'unknown_field', `${c.field.label}: is not a custom field of the category "${category?.name ?? ''}"`);
        continue;
      }
      const v = this.typeCustom(def, raw, c);
      if (!v.ok) r.fail(c.field.key, 'format', `${c.field.label}: ${v.message}`);
      else given[key] = v.value;
    }
    let index: fields.IndexEntry[] | null = null;
    const uniques: RowPlan['uniques'] = [];
    if (!before || Object.keys(given).length || next.category_id !== before.category_id) {
      const known = new Set(defs.map((d) => d.key));
      const stored = parseJsonObject(before?.custom_fields);
      const carried: Record<string, unknown> = {};
      const values: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(stored)) (known.has(k) ? values : carried)[k] = v;
      if (!before || model.id !== before.model_id) {
        for (const [k, v] of Object.entries(parseJsonObject(model.default_custom_fields))) if (known.has(k) && !(k in values)) values[k] = v;
      }
      Object.assign(values, given);
      const checked = fields.checkValues(defs, values, '/cf');
      for (const e of checked.errors) r.fail(fieldOfPath(e.path), e.code ?? 'invalid', `${this.label(fieldOfPath(e.path))}: ${e.message}`);
      next.custom_fields = JSON.stringify({ ...carried, ...checked.json });
      index = checked.index.map(({ fieldId, valueText, valueNum }) => ({ fieldId, valueText, valueNum }));
      for (const e of checked.index) if (e.field.unique) uniques.push({ fieldId: e.fieldId, key: e.field.key, label: e.field.label, valueText: e.valueText, valueNum: e.valueNum });
      if (before && next.custom_fields === before.custom_fields) index = null;
    }

    // Tag: given, kept, or generated on commit from the category's / organization's pattern.
    let tagPattern: string | null = null;
    if (!next.asset_tag) {
      tagPattern = category?.tag_pattern ?? this.orgPattern;
      if (!PLACEHOLDER.test(tagPattern)) r.fail('assetTag', 'required', `Asset Tag is required: the tag pattern "${tagPattern}" has no counter such as {00000}.`);
    } else if (!before || next.asset_tag !== before.asset_tag) {
      const other = byTag.get(next.asset_tag);
      if (other && other.id !== next.id) r.fail('assetTag', 'duplicate', `The tag ${next.asset_tag} is already used by ${other.deleted_at ? 'a deleted asset (restore it instead)' : 'another asset'}.`);
    }
    if (next.serial && (!before || next.serial !== before.serial || next.manufacturer_id !== before.manufacturer_id)) {
      const other = (bySerial.get(next.serial) ?? []).find((a) => a.id !== next.id && sameNull(a.manufacturer_id, next.manufacturer_id));
      if (other) r.fail('serial', 'duplicate', `Serial ${next.serial} is already recorded for ${other.asset_tag}${other.deleted_at ? ' (deleted)' : ''} of the same manufacturer.`);
    }

    // Status: initial state of a new asset, or a lifecycle transition of an existing one.
    let state = r.get<LifecycleState>('status');
    const holderName = r.get('checkedOutTo');
    let checkout: Checkout | null = null;
    if (holderName !== undefined) {
      const m = refs.member(holderName);
      if ('error' in m) r.fail('checkedOutTo', m.code, m.error);
      else checkout = { user: m.row };
    }
    const currentState = (before?.lifecycle_state ?? 'in_stock') as LifecycleState;
    let transition: RowPlan['transition'] = null;
    if (!before) {
      if (state && state !== 'deployed' && !INITIAL_STATES.includes(state)) {
        const plan = planTransition('in_stock', state, { reason: 'import' });
        if (!plan.ok || (plan.transition.guards ?? []).includes('sanitization_evidence') || (plan.transition.guards ?? []).includes('open_assignment')) {
          r.fail('status', 'state', `A new asset cannot start as ${state}; import it as in_stock, ordered, retired, in_repair, missing or stolen.`);
        } else transition = { from: 'in_stock', to: state, action: plan.transition.action, reason: `Imported with status ${r.raw('status') ?? state}` };
      } else if (state && INITIAL_STATES.includes(state)) next.lifecycle_state = state;
      if (state === 'deployed' && !checkout) r.fail('status', 'state', 'Status deployed needs a Checked Out To value (the check-out deploys the asset).');
      if (checkout && (transition || next.lifecycle_state !== 'in_stock')) r.fail('checkedOutTo', 'not_available', `Only assets in stock can be checked out; this row makes it ${transition?.to ?? next.lifecycle_state}.`);
    } else {
      // Snipe-IT calls a checked-out asset "Ready to Deploy" (a deployable status): with the same
      // holder in the row that is the asset's current state, not a check-in.
      const sameHolder = !!checkout && openAssignment?.target_user_id === checkout.user.user_id;
      if (state === 'in_stock' && currentState === 'deployed' && sameHolder) state = 'deployed';
      if (checkout && openAssignment) {
        if (openAssignment.target_user_id !== checkout.user.user_id) {
          const holder = openAssignment.target_user_id ? refs.membersById.get(openAssignment.target_user_id)?.display_name ?? 'someone' : 'another holder';
          r.fail('checkedOutTo', 'already_checked_out', `${before.asset_tag} is already checked out to ${holder}; check it in first.`);
        }
        checkout = null;
      }
      if (state && state !== currentState && !(state === 'deployed' && checkout)) {
        const plan = planTransition(currentState, state, { reason: 'import' });
        const blocked = !plan.ok ? (plan.reason === 'custody_only' ? 'use the Checked Out To column or check-in' : `allowed from ${currentState}: ${plan.allowed.map((t) => t.to).join(', ') || 'nothing'}`) : null;
        const guard = plan.ok ? (plan.transition.guards ?? []).find((g) => (g === 'no_open_assignment' && openAssignment) || (g === 'open_assignment' && !openAssignment)
          || (g === 'sanitization_evidence' && fromDbBool(category?.data_bearing ?? 0))) : undefined;
        if (blocked || guard) r.fail('status', 'transition', `${before.asset_tag} cannot go from ${currentState} to ${state} here (${blocked ?? `guard ${guard}`}).`);
        else if (plan.ok) transition = { from: currentState, to: state, action: plan.transition.action, reason: `Imported with status ${r.raw('status') ?? state}` };
      }
      if (checkout && !CHECKOUT_FROM.includes(transition?.to ?? currentState)) {
        r.fail('checkedOutTo', 'not_available', `${before.asset_tag} is ${(transition?.to ?? currentState).replace(/_/g, ' ')} and cannot be checked out; only assets in stock can.`);
      }
    }

    const externalId = r.get('externalId') ?? null;
    if (!r.ok) return null;
    let kind: RowPlan['kind'] = 'create';
    let changes: events.Changes = {};
    if (before) {
      changes = assets.flatDiff(assets.snapshot(before), assets.snapshot(next));
      kind = Object.keys(changes).length || transition || checkout ? 'update' : 'unchanged';
      if (kind === 'update' && !this.p.options.updateExisting) {
        r.fail(this.matchBy, 'exists', `An asset with the ${this.label(this.matchBy)} ${r.raw(this.matchBy) ?? ''} already exists and updating was not requested. No change was made.`);
        return null;
      }
    }
    return { row: r, kind, before, next, index, uniques, plans: used, tagPattern, transition, checkout, changes, externalId, openAssignment };
  }

  private typeCustom(def: FieldDto, raw: string, c: ColumnPlan): { ok: true; value: unknown } | { ok: false; message: string } {
    switch (def.type) {
      case 'date': return parseDate(raw, c.date);
      case 'number': case 'money': return parseNumber(raw, c.number);
      case 'boolean': {
        const b = parseBoolean(raw);
        return b === null ? { ok: false, message: `"${raw}" is not yes/no, true/false or 1/0` } : { ok: true, value: b };
      }
      case 'multi_select': return { ok: true, value: raw.split(/[;|]|,(?![^;|]*[;|])/).map((s) => s.trim()).filter(Boolean) };
      default: return { ok: true, value: raw };
    }
  }

  private label(field: string): string {
    return this.columnsByField.get(field)?.field.label ?? this.p.fields.find((x) => x.key === field)?.label ?? field;
  }

  /** In-file duplicates and unique values held elsewhere (sequential, in file order); then the row's plans become real. */
  private finalize(pl: RowPlan, heldBy: Map<string, { asset_id: string; asset_tag: string }>, extMap: Map<string, string>): void {
    const r = pl.row;
    const line = r.line;
    const dupe = (map: KeyLines, key: string, field: string, what: string) => {
      const first = map.get(key);
      if (first !== undefined && first !== line) r.fail(field, 'duplicate_in_file', `${what} also appears on line ${first}.`);
    };
    if (pl.next.asset_tag) dupe(this.seenTags, pl.next.asset_tag, 'assetTag', `Asset tag ${pl.next.asset_tag}`);
    const serialKey = pl.next.serial ? this.serialKey(pl.next.manufacturer_id, pl.next.serial) : null;
    if (serialKey) dupe(this.seenSerials, serialKey, 'serial', `Serial ${pl.next.serial}`);
    if (pl.externalId) {
      dupe(this.seenExternal, pl.externalId, 'externalId', `External id ${pl.externalId}`);
      const owner = extMap.get(pl.externalId);
      if (owner && owner !== pl.next.id) r.fail('externalId', 'duplicate', `External id ${pl.externalId} already belongs to another asset.`);
    }
    // Matching on the tag, the same asset twice is already a repeated tag.
    if (pl.before && this.matchBy !== 'assetTag') dupe(this.seenAssets, pl.before.id, this.matchBy, `The same asset (${pl.before.asset_tag})`);
    for (const u of pl.uniques) {
      const k = `${u.fieldId}\u0000${u.valueNum !== null ? `#${u.valueNum}` : u.valueText}`;
      dupe(this.seenUniques, k, `cf.${u.key}`, `${u.label} value`);
      const h = heldBy.get(k);
      if (h && h.asset_id !== pl.next.id) r.fail(`cf.${u.key}`, 'duplicate', `${u.label}: is already used by ${h.asset_tag}`);
    }
    if (!r.ok) return;
    if (pl.next.asset_tag) this.seenTags.set(pl.next.asset_tag, line);
    if (serialKey) this.seenSerials.set(serialKey, line);
    if (pl.externalId) this.seenExternal.set(pl.externalId, line);
    if (pl.before && this.matchBy !== 'assetTag') this.seenAssets.set(pl.before.id, line);
    for (const u of pl.uniques) this.seenUniques.set(`${u.fieldId}\u0000${u.valueNum !== null ? `#${u.valueNum}` : u.valueText}`, line);
    this.refs.confirm(pl.plans);
  }

  private serialKey(manufacturerId: string | null, serial: string): string {
    const m = manufacturerId ?? '';
    let i = this.manIndex.get(m);
    if (i === undefined) this.manIndex.set(m, (i = this.manIndex.size));
    return `${i}:${serial}`;
  }

  // ---------------------------------------------------------------------------------------------

  private async generateTags(db: Executor, rows: RowPlan[]): Promise<void> {
    const byPattern = new Map<string, RowPlan[]>();
    for (const pl of rows) if (pl.tagPattern) byPattern.set(pl.tagPattern, [...(byPattern.get(pl.tagPattern) ?? []), pl]);
    for (const [pattern, list] of byPattern) {
      const width = PLACEHOLDER.exec(pattern)![1]!.length;
      const make = (n: number) => pattern.replace(PLACEHOLDER, String(n).padStart(width, '0'));
      let pending = list;
      for (let round = 0; pending.length && round < 1000; round++) {
        const first = await repo.takeCounterRange(db, this.p.orgId, pattern, pending.length);
        const candidates = pending.map((_, i) => make(first + i));
        const taken = await repo.takenTags(db, this.p.orgId, candidates);
        const rest: RowPlan[] = [];
        pending.forEach((pl, i) => {
          const tag = candidates[i]!;
          if (taken.has(tag) || this.seenTags.has(tag)) rest.push(pl);
          else {
            pl.next.asset_tag = tag;
            this.seenTags.set(tag, pl.row.line);
          }
        });
        pending = rest;
      }
      if (pending.length) throw new Error(`no free tags found for the pattern ${pattern}`);
    }
  }

  private async write(db: Executor, rows: RowPlan[]): Promise<void> {
    const { ctx, orgId } = this.p;
    await this.refs.flush(db, ctx);
    await this.generateTags(db, rows);
    const now = nowIso();
    const inserts: AssetRecord[] = [];
    const values: AssetFieldValuesTable[] = [];
    const rewriteValues: string[] = [];
    const assignments: AssignmentsTable[] = [];
    const acceptances: Selectable<AcceptancesTable>[] = [];
    const externals: ExternalIdsTable[] = [];
    const evs: events.NewEvent[] = [];
    for (const pl of rows) {
      const a = pl.next;
      const stateBefore = a.lifecycle_state as LifecycleState;
      if (pl.kind === 'create') {
        evs.push({ action: 'asset.created', entityType: 'asset', entityId: a.id, changesJson: events.canonicalCreation({ ...assets.snapshot(a), lifecycleState: stateBefore }) });
      } else if (pl.kind === 'update' && Object.keys(pl.changes).length) {
        evs.push({ action: 'asset.updated', entityType: 'asset', entityId: a.id, changes: pl.changes });
      }
      const final: AssetRecord = { ...a };
      if (pl.transition) {
        final.lifecycle_state = pl.transition.to;
        evs.push({
          action: `asset.${pl.transition.action}`, entityType: 'asset', entityId: a.id,
          changes: { lifecycleState: { before: pl.transition.from, after: pl.transition.to } }, meta: { reason: pl.transition.reason },
        });
      }
      if (pl.checkout) {
        const user = pl.checkout.user;
        const category = this.refs.categoriesById.get(a.category_id);
        const assignmentId = newId();
        assignments.push({
          id: assignmentId, org_id: orgId, asset_id: a.id, target_type: 'user', target_user_id: user.user_id, target_location_id: null, target_asset_id: null,
          checked_out_at: now, checked_out_by: ctx.actor.userId, expected_return_at: null, checkout_note: null, returned_at: null, returned_by: null, checkin_note: null, created_at: now,
        });
        let acceptanceId: string | null = null;
        if (category && fromDbBool(category.requires_acceptance)) {
          acceptanceId = newId();
          acceptances.push({
            id: acceptanceId, org_id: orgId, assignment_id: assignmentId, asset_id: a.id, user_id: user.user_id, status: 'pending',
            terms_text: category.acceptance_terms, terms_version: category.acceptance_terms_version === null ? null : Number(category.acceptance_terms_version),
            signature: null, note: null, responded_at: null, created_at: now,
          });
        }
        const location = final.location_id !== user.location_id ? { before: final.location_id, after: user.location_id } : null;
        if (location) final.location_id = user.location_id;
        const from = final.lifecycle_state;
        final.lifecycle_state = 'deployed';
        const common = {
          assignmentId, targetType: 'user', targetId: user.user_id, targetLabel: user.display_name, checkedOutAt: now, ...(acceptanceId ? { acceptanceId } : {}),
        };
        evs.push({ action: 'asset.checked_out', entityType: 'asset', entityId: a.id, changes: { lifecycleState: { before: from, after: 'deployed' } }, meta: { ...common, ...(location ? { locationId: location } : {}) } });
        evs.push({ action: 'custody.received', entityType: 'user', entityId: user.user_id, changes: location ? { assetLocationId: location } : {}, meta: { ...common, assetId: a.id, assetTag: a.asset_tag } });
      }
      if (pl.kind === 'create') inserts.push(final);
      else if (pl.kind === 'update') {
        const { id: _id, org_id: _org, created_at: _c, deleted_at: _d, ...rest } = final;
        await repo.updateAsset(db, orgId, a.id, { ...rest, updated_at: now });
      }
      if (pl.index) {
        if (pl.before) rewriteValues.push(a.id);
        for (const e of pl.index) values.push({ org_id: orgId, asset_id: a.id, field_id: e.fieldId, value_text: e.valueText, value_num: e.valueNum });
      }
      if (pl.externalId && (!pl.before || this.matchBy !== 'externalId')) {
        externals.push({ org_id: orgId, target: 'assets', source: this.p.options.externalIdSource, value: pl.externalId, entity_id: a.id, created_at: now });
      }
    }
    await repo.insertAssets(db, inserts, this.bulk);
    await repo.deleteFieldValues(db, orgId, rewriteValues);
    await repo.insertFieldValues(db, values);
    await repo.insertExternalIds(db, dedupeExternals(externals, await repo.findExternalIds(db, orgId, 'assets', this.p.options.externalIdSource, externals.map((e) => e.value))));
    await repo.insertAssignments(db, assignments);
    await repo.insertAcceptances(db, acceptances);
    await events.recordMany(db, ctx, evs);
  }
}

/** External ids already recorded (an unchanged re-import) are not inserted again. */
function dedupeExternals(rows: ExternalIdsTable[], existing: { value: string; entity_id: string }[]): ExternalIdsTable[] {
  const have = new Set(existing.map((e) => e.value));
  return rows.filter((r) => !have.has(r.value));
}
