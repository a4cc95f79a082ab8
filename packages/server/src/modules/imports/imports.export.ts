/**
 * Full exports per target: every record, one row each, under the import target's canonical
 * headers (importing the file into an empty organization recreates the same data). Streamed a
 * keyset page at a time; cells are escaped against formula injection by the writers.
 */
import { PassThrough, type Readable } from 'node:stream';
import type { Ctx } from '../../context.js';
import type { Executor } from '../../db/database.js';
import { fromDbBool } from '../../db/dialect.js';
import { parseJsonObject } from '../../lib/json.js';
import { toMajorUnits } from '../assets/assets.service.js';
import { writeCsv, writeXlsx, type OutCell } from './imports.write.js';
import * as repo from './imports.repository.js';
import { RefBook } from './imports.refs.js';
import { fieldsOf, TARGET_DEFS, type RefKind, type TargetField, type TargetKey } from './imports.targets.js';

const PAGE = 1000;

const cell = (v: unknown): OutCell => {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return v.map(String).join('; ');
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
};

async function* assetRows(db: Executor, orgId: string, fields: readonly TargetField[], refs: RefBook): AsyncGenerator<OutCell[]> {
  let after: string | null = null;
  for (;;) {
    const page = await repo.assetsPage(db, orgId, after, PAGE);
    if (!page.length) return;
    const ids = page.map((a) => a.id);
    const open = new Map((await repo.openAssignments(db, orgId, ids)).map((a) => [a.asset_id, a]));
    const ext = new Map((await repo.externalIdsOf(db, orgId, 'assets', 'import', ids)).map((e) => [e.entity_id, e.value]));
    for (const a of page) {
      const model = refs.modelsById.get(a.model_id);
      const holder = open.get(a.id);
      const custom = parseJsonObject(a.custom_fields);
      yield fields.map((f): OutCell => {
        switch (f.key) {
          case 'assetTag': return a.asset_tag;
          case 'name': return a.name;
          case 'serial': return a.serial;
          case 'model': return model?.name ?? null;
          case 'modelNumber': return model?.model_number ?? null;
          case 'category': return refs.categoriesById.get(a.category_id)?.name ?? null;
          case 'manufacturer': return a.manufacturer_id ? refs.manufacturersById.get(a.manufacturer_id)?.name ?? null : null;
          case 'status': return a.lifecycle_state;
          case 'location': return a.default_location_id ? refs.locationPath(a.default_location_id) : null;
          case 'currentLocation': return a.location_id ? refs.locationPath(a.location_id) : null;
          case 'supplier': return a.supplier_id ? refs.suppliersById.get(a.supplier_id)?.name ?? null : null;
          case 'department': return a.department_id ? refs.departmentsById.get(a.department_id)?.name ?? null : null;
          case 'purchaseDate': return a.purchase_date;
          case 'purchaseCost': return toMajorUnits(a.purchase_cost_minor, a.currency);
          case 'currency': return a.currency;
          case 'orderNumber': return a.order_number;
          case 'invoiceNumber': return a.invoice_number;
          case 'warrantyEnd': return a.warranty_end;
          case 'eolDate': return a.eol_date;
          case 'notes': return a.notes;
          case 'checkedOutTo': return holder?.target_user_id ? refs.membersById.get(holder.target_user_id)?.email ?? null : null;
          case 'externalId': return ext.get(a.id) ?? null;
          default: return f.key.startsWith('cf.') ? cell(custom[f.key.slice(3)]) : null;
        }
      });
    }
    if (page.length < PAGE) return;
    after = page[page.length - 1]!.id;
  }
}

function* simpleRows(target: TargetKey, fields: readonly TargetField[], refs: RefBook): Generator<OutCell[]> {
  const email = (id: string | null) => (id ? refs.membersById.get(id)?.email ?? null : null);
  const pick = (values: Record<string, unknown>) => fields.map((f) => cell(values[f.key]));
  switch (target) {
    case 'models':
      for (const m of [...refs.modelsById.values()].sort((a, b) => a.name.localeCompare(b.name))) {
        yield pick({
          name: m.name, modelNumber: m.model_number, category: refs.categoriesById.get(m.category_id)?.name,
          manufacturer: m.manufacturer_id ? refs.manufacturersById.get(m.manufacturer_id)?.name : null, eolMonths: m.eol_months === null ? null : Number(m.eol_months),
        });
      }
      return;
    case 'locations':
      for (const l of [...refs.locationsById.values()].sort((a, b) => a.path.split('/').length - b.path.split('/').length || refs.locationPath(a.id).localeCompare(refs.locationPath(b.id)))) {
        yield pick({ name: refs.locationPath(l.id), parent: null, address: l.address, latitude: l.latitude === null ? null : Number(l.latitude), longitude: l.longitude === null ? null : Number(l.longitude) });
      }
      return;
    case 'departments':
      for (const d of [...refs.departmentsById.values()].sort((a, b) => a.name.localeCompare(b.name))) {
        yield pick({ name: d.name, code: d.code, costCentre: d.cost_centre, manager: email(d.manager_user_id) });
      }
      return;
    case 'suppliers':
      for (const s of [...refs.suppliersById.values()].sort((a, b) => a.name.localeCompare(b.name))) {
        yield pick({ name: s.name, contactName: s.contact_name, email: s.email, phone: s.phone, url: s.url, notes: s.notes });
      }
      return;
    case 'users':
      for (const m of [...refs.membersById.values()].filter((x) => x.role !== 'former').sort((a, b) => a.email.localeCompare(b.email))) {
        yield pick({
          email: m.email, displayName: m.display_name, role: m.role, employeeNumber: m.employee_number, title: m.title, phone: m.phone,
          department: m.department_id ? refs.departmentsById.get(m.department_id)?.name : null,
          location: m.location_id ? refs.locationPath(m.location_id) : null, manager: email(m.manager_user_id),
          active: fromDbBool(m.is_active),
        });
      }
      return;
    default:
  }
}

export async function exportTarget(ctx: Ctx, orgId: string, target: TargetKey, format: 'csv' | 'xlsx'): Promise<Readable> {
  const fields = (await fieldsOf(ctx.db, orgId, target)).filter((f) => !f.importOnly);
  const refs = new RefBook(orgId, false);
  const kinds: RefKind[] = ['model', 'category', 'manufacturer', 'location', 'supplier', 'department', 'user'];
  await refs.load(ctx.db, new Set(kinds));
  const rows = target === 'assets' ? assetRows(ctx.db, orgId, fields, refs) : simpleRows(target, fields, refs);
  const headers = fields.map((f) => f.label);
  const out = new PassThrough();
  const dateColumns = fields.flatMap((f, i) => (f.type === 'date' || (f.custom ?? []).some((c) => c.type === 'date') ? [i] : []));
  const done = format === 'csv' ? writeCsv(out, headers, rows) : writeXlsx(out, TARGET_DEFS[target].label, headers, rows, { dateColumns });
  done.catch((err: unknown) => out.destroy(err as Error));
  return out;
}
