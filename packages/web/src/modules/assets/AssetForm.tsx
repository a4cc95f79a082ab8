import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ActionIcon, Alert, Anchor, Button, Group, NumberInput, Paper, SegmentedControl, Select, SimpleGrid, Stack, Text, TextInput, Textarea, Title, Tooltip } from '@mantine/core';
import { IconAlertTriangle, IconPlus, IconTrash } from '@tabler/icons-react';
import { Link } from 'react-router-dom';
import { useCan } from '../../app/session';
import type { AssetDetail, CreateAssetBody, CreateMediumBody, CustomField, UpdateAssetBody } from './contract';
import { CustomFieldInput, toFieldValue } from './CustomFieldInput';
import { usePathErrors } from './formErrors';
import { useSaveAsset } from './hooks';
import { locationOptions, modelOptions, useCategories, useCategoryFields, useDepartmentOptions, useLocations, useModels, useSuppliers } from './lookups';
import { MEDIA_TYPES, MONO_INPUT, gbToBytes } from './media';
import { AssetPicker } from './pickers';

interface MediaRow {
  key: number;
  mediaType: string | null;
  serial: string;
  model: string;
  capacityGb: number | string;
}

interface Values {
  modelId: string | null;
  assetTag: string;
  serial: string;
  name: string;
  lifecycleState: 'in_stock' | 'ordered';
  locationId: string | null;
  defaultLocationId: string | null;
  supplierId: string | null;
  departmentId: string | null;
  parentAssetId: string | null;
  purchaseDate: string;
  purchaseCost: number | string;
  currency: string;
  orderNumber: string;
  invoiceNumber: string;
  warrantyMode: 'date' | 'months';
  warrantyEnd: string;
  warrantyMonths: number | string;
  eolDate: string;
  notes: string;
  customFields: Record<string, unknown>;
  media: MediaRow[];
}

const SIMPLE_PATHS = new Set([
  'modelId', 'assetTag', 'serial', 'name', 'lifecycleState', 'locationId', 'defaultLocationId', 'supplierId', 'departmentId', 'parentAssetId',
  'purchaseDate', 'purchaseCost', 'currency', 'orderNumber', 'invoiceNumber', 'warrantyEnd', 'warrantyMonths', 'eolDate', 'notes',
]);
const isKnownPath = (p: string) => SIMPLE_PATHS.has(p) || /^customFields\/[^/]+$/.test(p) || /^media\/\d+\/[A-Za-z]+$/.test(p);

function initialValues(a: AssetDetail | null): Values {
  return {
    modelId: a?.model.id ?? null,
    assetTag: a?.assetTag ?? '',
    serial: a?.serial ?? '',
    name: a?.name ?? '',
    lifecycleState: 'in_stock',
    locationId: a?.location?.id ?? null,
    defaultLocationId: a?.defaultLocation?.id ?? null,
    supplierId: a?.supplier?.id ?? null,
    departmentId: a?.department?.id ?? null,
    parentAssetId: a?.parent?.id ?? null,
    purchaseDate: a?.purchaseDate ?? '',
    purchaseCost: a?.purchaseCost ?? '',
    currency: a?.currency ?? '',
    orderNumber: a?.orderNumber ?? '',
    invoiceNumber: a?.invoiceNumber ?? '',
    warrantyMode: 'date',
    warrantyEnd: a?.warrantyEnd ?? '',
    warrantyMonths: '',
    eolDate: a?.eolDate ?? '',
    notes: a?.notes ?? '',
    customFields: { ...(a?.customFields ?? {}) },
    media: [],
  };
}

const str = (s: string) => (s.trim() === '' ? null : s.trim());
const num = (v: number | string) => (v === '' || v === null ? null : Number(v));

/** Custom values by key; on create empty ones are left out, on edit `null` removes a value. */
function customValues(v: Values, fields: CustomField[], creating: boolean): Record<string, unknown> {
  const cf: Record<string, unknown> = {};
  for (const f of fields) {
    const value = toFieldValue(f, v.customFields[f.key]);
    if (value !== null || !creating) cf[f.key] = value;
  }
  return cf;
}

/** PATCH body: every editable field, `null` for the cleared ones. */
function updateBody(v: Values, fields: CustomField[]): UpdateAssetBody {
  const months = num(v.warrantyMonths);
  return {
    ...(str(v.assetTag) ? { assetTag: str(v.assetTag) ?? undefined } : {}),
    ...(v.modelId ? { modelId: v.modelId } : {}),
    serial: str(v.serial),
    name: str(v.name),
    locationId: v.locationId,
    defaultLocationId: v.defaultLocationId,
    supplierId: v.supplierId,
    departmentId: v.departmentId,
    parentAssetId: v.parentAssetId,
    purchaseDate: str(v.purchaseDate),
    purchaseCost: num(v.purchaseCost),
    currency: str(v.currency)?.toUpperCase() ?? null,
    orderNumber: str(v.orderNumber),
    invoiceNumber: str(v.invoiceNumber),
    ...(v.warrantyMode === 'months' && months !== null ? { warrantyMonths: months } : { warrantyEnd: str(v.warrantyEnd) }),
    eolDate: str(v.eolDate),
    notes: str(v.notes),
    customFields: customValues(v, fields, false),
  };
}

/** POST body: what was filled in; the rest is left to the server (generated tag, default location…). */
function createBody(v: Values, fields: CustomField[]): CreateAssetBody {
  const all = updateBody(v, fields);
  const filled = Object.fromEntries(Object.entries(all).filter(([, x]) => x !== null && x !== undefined)) as UpdateAssetBody;
  const media = v.media
    .filter((m) => m.mediaType)
    .map((m) => ({
      mediaType: m.mediaType as CreateMediumBody['mediaType'],
      ...(str(m.serial) ? { serial: str(m.serial) } : {}),
      ...(str(m.model) ? { model: str(m.model) } : {}),
      ...(gbToBytes(m.capacityGb) !== null ? { capacityBytes: gbToBytes(m.capacityGb) } : {}),
    }));
  return {
    ...filled,
    modelId: v.modelId ?? '',
    lifecycleState: v.lifecycleState,
    customFields: customValues(v, fields, true),
    ...(media.length ? { media } : {}),
  };
}

/** Create (asset = null) or edit an asset; the category's custom fields follow the chosen model. */
export function AssetForm({ asset, onSaved, onCancel }: { asset: AssetDetail | null; onSaved: (a: AssetDetail) => void; onCancel: () => void }) {
  const can = useCan();
  const creating = asset === null;
  const [v, setV] = useState<Values>(() => initialValues(asset));
  const models = useModels(can('catalog.read'));
  const categories = useCategories(can('catalog.read'));
  const locations = useLocations(can('location.read'));
  const suppliers = useSuppliers(can('catalog.read'));
  const departments = useDepartmentOptions(can('department.read'));
  const save = useSaveAsset();
  const form = usePathErrors(isKnownPath);
  const mediaKey = useRef(0);

  const model = models.data?.find((m) => m.id === v.modelId) ?? null;
  const categoryId = model?.categoryId ?? asset?.category.id ?? null;
  const category = categories.data?.find((c) => c.id === categoryId) ?? null;
  const fields = useCategoryFields(categoryId);
  const locationData = useMemo(() => locationOptions(locations.data), [locations.data]);

  // A new model brings its default custom values (only into fields still empty).
  useEffect(() => {
    const defaults = model?.defaultCustomFields;
    if (!creating || !defaults) return;
    setV((p) => {
      const cf = { ...p.customFields };
      for (const [k, val] of Object.entries(defaults)) if (cf[k] === undefined || cf[k] === '' || cf[k] === null) cf[k] = val;
      return { ...p, customFields: cf };
    });
  }, [model, creating]);

  const set = <K extends keyof Values>(k: K, value: Values[K]) => {
    setV((p) => ({ ...p, [k]: value }));
    form.clearField(k);
    if (k === 'warrantyMonths') form.clearField('warrantyEnd');
  };
  const setCf = (key: string, value: unknown) => {
    setV((p) => ({ ...p, customFields: { ...p.customFields, [key]: value } }));
    form.clearField(`customFields/${key}`);
  };
  const setMedia = (i: number, patch: Partial<MediaRow>) => {
    setV((p) => ({ ...p, media: p.media.map((m, j) => (j === i ? { ...m, ...patch } : m)) }));
    for (const k of Object.keys(patch)) form.clearField(`media/${i}/${k === 'capacityGb' ? 'capacityBytes' : k}`);
  };
  const err = (path: string) => form.errors[path];

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const defs = fields.data ?? [];
    save.mutate(asset ? { id: asset.id, body: updateBody(v, defs) } : { id: null, body: createBody(v, defs) }, {
      onSuccess: onSaved,
      onError: (error) => form.handle(error, creating ? 'Could not create the asset' : 'Could not save the asset'),
    });
  };

  const errorCount = Object.keys(form.errors).length;
  return (
    <form onSubmit={submit} noValidate aria-label={creating ? 'New asset' : `Edit ${asset.assetTag}`}>
      <Stack gap="md">
        {form.conflict ? (
          <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} aria-hidden />} title="Already in use" role="alert">
            {form.conflict.message}{' '}
            <Anchor component={Link} to={`/assets/${form.conflict.id}`} fw={600}>
              Open {form.conflict.assetTag}
            </Anchor>
          </Alert>
        ) : errorCount ? (
          <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} aria-hidden />} role="alert" py="xs">
            {errorCount === 1 ? 'One field needs attention.' : `${errorCount} fields need attention.`} Nothing was saved.
          </Alert>
        ) : null}

        <FormSection title="Identification">
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm" verticalSpacing="xs">
            <Select
              label="Model"
              required
              placeholder={can('catalog.read') ? 'Pick a model' : 'You cannot read the catalog'}
              data={modelOptions(models.data)}
              value={v.modelId}
              onChange={(id) => set('modelId', id)}
              searchable
              nothingFoundMessage="No model matches"
              error={err('modelId')}
              description={category ? `Category: ${category.name}${category.requiresAcceptance ? ' · check-outs need acceptance' : ''}` : 'Grouped by category'}
              comboboxProps={{ withinPortal: true }}
              data-autofocus
            />
            <TextInput
              label="Asset tag"
              placeholder={creating ? 'generated from the pattern' : undefined}
              description={creating ? `Leave empty to generate it${category?.tagPattern ? ` (${category.tagPattern})` : ''}` : undefined}
              value={v.assetTag}
              onChange={(e) => set('assetTag', e.currentTarget.value)}
              error={err('assetTag')}
              maxLength={100}
              styles={MONO_INPUT}
            />
            <TextInput label="Serial number" value={v.serial} onChange={(e) => set('serial', e.currentTarget.value)} error={err('serial')} maxLength={200} styles={MONO_INPUT} />
            <TextInput label="Name" placeholder="e.g. Finance laptop 12" value={v.name} onChange={(e) => set('name', e.currentTarget.value)} error={err('name')} maxLength={200} />
            {creating ? (
              <div>
                <Text size="sm" fw={500} mb={4} id="initial-state-label">
                  Initial state
                </Text>
                <SegmentedControl
                  aria-labelledby="initial-state-label"
                  value={v.lifecycleState}
                  onChange={(x) => set('lifecycleState', x === 'ordered' ? 'ordered' : 'in_stock')}
                  data={[
                    { value: 'in_stock', label: 'In stock' },
                    { value: 'ordered', label: 'Ordered' },
                  ]}
                  size="xs"
                />
                {err('lifecycleState') ? (
                  <Text size="xs" c="red" mt={4}>
                    {err('lifecycleState')}
                  </Text>
                ) : null}
              </div>
            ) : null}
          </SimpleGrid>
        </FormSection>

        {categoryId ? (
          <FormSection title={`${category?.name ?? 'Category'} fields`} description={fields.data?.length ? 'Fields defined for this category; * marks required ones.' : undefined}>
            {fields.isPending ? (
              <Text size="sm" c="dimmed">
                Loading the category's fields…
              </Text>
            ) : fields.isError ? (
              <Text size="sm" c="red">
                Could not load the category's fields.
              </Text>
            ) : fields.data.length ? (
              <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm" verticalSpacing="xs">
                {fields.data.map((f) => (
                  <CustomFieldInput key={f.id} field={f} value={v.customFields[f.key]} onChange={(x) => setCf(f.key, x)} error={err(`customFields/${f.key}`)} />
                ))}
              </SimpleGrid>
            ) : (
              <Text size="sm" c="dimmed">
                This category has no custom fields.
              </Text>
            )}
          </FormSection>
        ) : null}

        <FormSection title="Location and ownership">
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm" verticalSpacing="xs">
            <Select label="Location" placeholder="Where it is now" data={locationData} value={v.locationId} onChange={(x) => set('locationId', x)} searchable clearable error={err('locationId')} comboboxProps={{ withinPortal: true }} />
            <Select
              label="Default location"
              placeholder="Where it returns to"
              data={locationData}
              value={v.defaultLocationId}
              onChange={(x) => set('defaultLocationId', x)}
              searchable
              clearable
              error={err('defaultLocationId')}
              comboboxProps={{ withinPortal: true }}
            />
            <Select
              label="Department"
              data={(departments.data ?? []).map((d) => ({ value: d.id, label: d.name }))}
              value={v.departmentId}
              onChange={(x) => set('departmentId', x)}
              searchable
              clearable
              error={err('departmentId')}
              comboboxProps={{ withinPortal: true }}
            />
            <Select
              label="Supplier"
              data={(suppliers.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
              value={v.supplierId}
              onChange={(x) => set('supplierId', x)}
              searchable
              clearable
              error={err('supplierId')}
              comboboxProps={{ withinPortal: true }}
            />
            <AssetPicker
              label="Parent asset"
              placeholder="Search by tag, serial or name"
              description="The asset this one is part of (e.g. a dock's laptop)"
              value={v.parentAssetId}
              currentLabel={asset?.parent?.assetTag ?? null}
              exclude={asset?.id}
              onChange={(id) => set('parentAssetId', id)}
              clearable
              error={err('parentAssetId')}
            />
          </SimpleGrid>
        </FormSection>

        <FormSection title="Purchase, warranty and end of life">
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm" verticalSpacing="xs">
            <TextInput label="Purchase date" type="date" value={v.purchaseDate} onChange={(e) => set('purchaseDate', e.currentTarget.value)} error={err('purchaseDate')} />
            <Group gap="xs" wrap="nowrap" align="flex-start">
              <NumberInput
                label="Purchase cost"
                value={v.purchaseCost}
                onChange={(x) => set('purchaseCost', x)}
                decimalScale={3}
                thousandSeparator=","
                hideControls
                error={err('purchaseCost')}
                style={{ flex: 1 }}
              />
              <TextInput label="Currency" placeholder="EUR" w={80} maxLength={3} value={v.currency} onChange={(e) => set('currency', e.currentTarget.value.toUpperCase())} error={err('currency')} />
            </Group>
            <Group gap="xs" wrap="nowrap" align="flex-start" grow>
              <TextInput label="Order number" value={v.orderNumber} onChange={(e) => set('orderNumber', e.currentTarget.value)} error={err('orderNumber')} />
              <TextInput label="Invoice number" value={v.invoiceNumber} onChange={(e) => set('invoiceNumber', e.currentTarget.value)} error={err('invoiceNumber')} />
            </Group>
            <div>
              <Group justify="space-between" mb={4} wrap="nowrap">
                <Text size="sm" fw={500} id="warranty-label">
                  Warranty
                </Text>
                <SegmentedControl
                  aria-label="Enter the warranty as"
                  size="xs"
                  value={v.warrantyMode}
                  onChange={(x) => set('warrantyMode', x === 'months' ? 'months' : 'date')}
                  data={[
                    { value: 'date', label: 'End date' },
                    { value: 'months', label: 'Months' },
                  ]}
                />
              </Group>
              {v.warrantyMode === 'date' ? (
                <TextInput aria-label="Warranty end" type="date" value={v.warrantyEnd} onChange={(e) => set('warrantyEnd', e.currentTarget.value)} error={err('warrantyEnd')} />
              ) : (
                <NumberInput
                  aria-label="Warranty months"
                  placeholder="Months from the purchase date"
                  min={0}
                  max={600}
                  allowDecimal={false}
                  value={v.warrantyMonths}
                  onChange={(x) => set('warrantyMonths', x)}
                  error={err('warrantyMonths') ?? err('warrantyEnd')}
                />
              )}
            </div>
            <TextInput
              label="End of life"
              type="date"
              description={model?.eolMonths ? `Derived from the model (${model.eolMonths} months after purchase) when empty` : undefined}
              value={v.eolDate}
              onChange={(e) => set('eolDate', e.currentTarget.value)}
              error={err('eolDate')}
            />
          </SimpleGrid>
          <Textarea label="Notes" mt="xs" autosize minRows={2} maxRows={10} value={v.notes} onChange={(e) => set('notes', e.currentTarget.value)} error={err('notes')} />
        </FormSection>

        {creating ? (
          <FormSection
            title="Storage media"
            description="Drives and other data-bearing media inside the asset; disposal is decided per medium."
            actions={
              <Button
                size="xs"
                variant="light"
                leftSection={<IconPlus size={14} aria-hidden />}
                onClick={() => setV((p) => ({ ...p, media: [...p.media, { key: ++mediaKey.current, mediaType: 'ssd', serial: '', model: '', capacityGb: '' }] }))}
              >
                Add medium
              </Button>
            }
          >
            {v.media.length === 0 ? (
              <Text size="sm" c="dimmed">
                {category?.dataBearing ? 'This category usually holds data: add its drives so they can be sanitized later.' : 'None.'}
              </Text>
            ) : (
              <Stack gap="xs">
                {v.media.map((m, i) => (
                  <Group key={m.key} gap="xs" align="flex-start" wrap="nowrap" role="group" aria-label={`Medium ${i + 1}`}>
                    <Select label="Type" data={MEDIA_TYPES} value={m.mediaType} onChange={(x) => setMedia(i, { mediaType: x })} w={130} error={err(`media/${i}/mediaType`)} size="xs" />
                    <TextInput label="Serial" value={m.serial} onChange={(e) => setMedia(i, { serial: e.currentTarget.value })} style={{ flex: 1 }} error={err(`media/${i}/serial`)} size="xs" styles={MONO_INPUT} />
                    <TextInput label="Model" value={m.model} onChange={(e) => setMedia(i, { model: e.currentTarget.value })} style={{ flex: 1 }} error={err(`media/${i}/model`)} size="xs" />
                    <NumberInput label="Capacity (GB)" value={m.capacityGb} onChange={(x) => setMedia(i, { capacityGb: x })} min={0} w={120} hideControls error={err(`media/${i}/capacityBytes`)} size="xs" />
                    <Tooltip label={`Remove medium ${i + 1}`} withArrow>
                      <ActionIcon mt={22} variant="subtle" color="red" aria-label={`Remove medium ${i + 1}`} onClick={() => setV((p) => ({ ...p, media: p.media.filter((_, j) => j !== i) }))}>
                        <IconTrash size={16} aria-hidden />
                      </ActionIcon>
                    </Tooltip>
                  </Group>
                ))}
              </Stack>
            )}
          </FormSection>
        ) : null}

        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending} disabled={!v.modelId}>
            {creating ? 'Create asset' : 'Save changes'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function FormSection({ title, description, actions, children }: { title: string; description?: string; actions?: ReactNode; children: ReactNode }) {
  const id = `form-section-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={id}>
      <Group justify="space-between" mb="xs" gap="xs">
        <div>
          <Title order={2} fz="sm" fw={600} id={id}>
            {title}
          </Title>
          {description ? (
            <Text size="xs" c="dimmed">
              {description}
            </Text>
          ) : null}
        </div>
        {actions}
      </Group>
      {children}
    </Paper>
  );
}
