import { useState, type FormEvent } from 'react';
import { Alert, Button, Divider, FileButton, Group, Image, Modal, NumberInput, Paper, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { IconPhoto, IconUpload } from '@tabler/icons-react';
import { ApiError } from '../../api';
import { notifyError, notifySuccess } from '../../ui/notify';
import { useFormErrors } from '../../ui/useFormErrors';
import { CustomFieldInput, toFieldValue } from '../assets/CustomFieldInput';
import { modelImageUrl, useCategoryList, useFields, useManufacturerList, useSaveModel, useUploadModelImage } from './hooks';
import type { Model, ModelInput } from './types';

const FIELDS = ['name', 'modelNumber', 'categoryId', 'manufacturerId', 'eolMonths', 'defaultCustomFields'] as const;
const CF_PREFIX = '/body/defaultCustomFields/';

/** Create (model = null) or edit a model, its default custom field values and (when it exists) its picture. */
export function ModelModal({ model, onClose }: { model: Model | null; onClose: () => void }) {
  const save = useSaveModel();
  const categories = useCategoryList();
  const manufacturers = useManufacturerList();
  const form = useFormErrors(FIELDS);
  const [cfErrors, setCfErrors] = useState<Record<string, string>>({});
  const [v, setV] = useState({
    name: model?.name ?? '',
    modelNumber: model?.modelNumber ?? '',
    categoryId: model?.categoryId ?? null,
    manufacturerId: model?.manufacturerId ?? null,
    eolMonths: (model?.eolMonths ?? '') as number | string,
    defaults: (model?.defaultCustomFields ?? {}) as Record<string, unknown>,
  });
  const fields = useFields(v.categoryId);

  const categoryOptions = (categories.data ?? []).map((c) => ({ value: c.id, label: c.name }));
  const manufacturerOptions = (manufacturers.data ?? []).map((m) => ({ value: m.id, label: m.name }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!v.categoryId) {
      form.setErrors({ categoryId: 'Choose a category' });
      return;
    }
    const body: ModelInput = {
      name: v.name.trim(),
      modelNumber: v.modelNumber.trim() || null,
      categoryId: v.categoryId,
      manufacturerId: v.manufacturerId,
      eolMonths: v.eolMonths === '' ? null : Number(v.eolMonths),
    };
    // Only values of the chosen category's fields; empty inputs are left out. Without the field
    // list (still loading or failed) the defaults are not sent, so they are not wiped.
    if (fields.data) {
      const defaults: Record<string, unknown> = {};
      for (const f of fields.data) {
        const value = toFieldValue(f, v.defaults[f.key]);
        if (value !== null) defaults[f.key] = value;
      }
      body.defaultCustomFields = defaults;
    }
    setCfErrors({});
    save.mutate(
      { id: model?.id ?? null, body },
      {
        onSuccess: (m) => {
          notifySuccess(model ? `Model “${m.name}” was updated.` : `Model “${m.name}” was created.`);
          onClose();
        },
        onError: (err) => {
          if (err instanceof ApiError) {
            const byKey: Record<string, string> = {};
            for (const fe of err.problem.errors ?? []) {
              if (fe.path.startsWith(CF_PREFIX)) byKey[fe.path.slice(CF_PREFIX.length).split('/')[0] ?? ''] ??= fe.message;
            }
            setCfErrors(byKey);
          }
          form.handle(err, model ? 'Could not update the model' : 'Could not create the model');
        },
      },
    );
  };

  return (
    <Modal opened onClose={onClose} title={model ? `Edit ${model.name}` : 'New model'} size="xl" centered>
      <form onSubmit={submit} noValidate aria-label={model ? 'Edit model' : 'New model'}>
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <TextInput
              label="Name"
              required
              maxLength={200}
              placeholder="Latitude 7450"
              value={v.name}
              onChange={(e) => {
                const name = e.currentTarget.value;
                setV((p) => ({ ...p, name }));
                form.clearField('name');
              }}
              error={form.errors.name}
              data-autofocus
            />
            <TextInput
              label="Model number"
              maxLength={100}
              value={v.modelNumber}
              onChange={(e) => {
                const modelNumber = e.currentTarget.value;
                setV((p) => ({ ...p, modelNumber }));
                form.clearField('modelNumber');
              }}
              error={form.errors.modelNumber}
            />
            <Select
              label="Category"
              required
              data={categoryOptions}
              value={v.categoryId}
              onChange={(categoryId) => {
                setV((p) => ({ ...p, categoryId }));
                form.clearField('categoryId');
                setCfErrors({});
              }}
              searchable
              allowDeselect={false}
              nothingFoundMessage="No category matches"
              disabled={categories.isPending}
              description={model && model.assetCount > 0 ? `Changing it moves the ${model.assetCount} assets of this model too.` : undefined}
              error={form.errors.categoryId}
              comboboxProps={{ withinPortal: true }}
            />
            <Select
              label="Manufacturer"
              placeholder="None"
              data={manufacturerOptions}
              value={v.manufacturerId}
              onChange={(manufacturerId) => {
                setV((p) => ({ ...p, manufacturerId }));
                form.clearField('manufacturerId');
              }}
              searchable
              clearable
              nothingFoundMessage="No manufacturer matches"
              disabled={manufacturers.isPending}
              error={form.errors.manufacturerId}
              comboboxProps={{ withinPortal: true }}
            />
            <NumberInput
              label="End of life (months)"
              description="From the purchase date; sets the EOL date of new assets."
              min={0}
              max={600}
              allowDecimal={false}
              allowNegative={false}
              value={v.eolMonths}
              onChange={(eolMonths) => {
                setV((p) => ({ ...p, eolMonths }));
                form.clearField('eolMonths');
              }}
              error={form.errors.eolMonths}
            />
          </SimpleGrid>

          <Divider label="Default custom field values" labelPosition="left" mt="xs" />
          {!v.categoryId ? (
            <Text size="sm" c="dimmed">
              Choose a category to set the values new assets of this model start with.
            </Text>
          ) : fields.isPending ? (
            <Text size="sm" c="dimmed">
              Loading the category’s custom fields…
            </Text>
          ) : fields.isError ? (
            <Alert color="red" variant="light">
              The category’s custom fields could not be loaded.
            </Alert>
          ) : (fields.data ?? []).length === 0 ? (
            <Text size="sm" c="dimmed">
              This category has no custom fields.
            </Text>
          ) : (
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm" role="group" aria-label="Default custom field values">
              {(fields.data ?? []).map((f) => (
                <CustomFieldInput
                  key={f.id}
                  field={{ ...f, required: false }}
                  value={v.defaults[f.key]}
                  onChange={(value) => {
                    setV((p) => ({ ...p, defaults: { ...p.defaults, [f.key]: value } }));
                    setCfErrors((prev) => (prev[f.key] === undefined ? prev : { ...prev, [f.key]: '' }));
                  }}
                  error={cfErrors[f.key] || undefined}
                />
              ))}
            </SimpleGrid>
          )}
          {form.errors.defaultCustomFields && !Object.values(cfErrors).some(Boolean) ? (
            <Text size="xs" c="red" role="alert">
              {form.errors.defaultCustomFields}
            </Text>
          ) : null}

          {model ? <ModelImageEditor model={model} /> : null}

          <Group justify="flex-end" gap="xs" mt="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending} disabled={!v.name.trim() || !v.categoryId}>
              {model ? 'Save changes' : 'Create model'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** The model's picture with an upload (replace) button; the server sniffs the type (PNG, JPEG, GIF, WebP). */
function ModelImageEditor({ model }: { model: Model }) {
  const upload = useUploadModelImage();
  // The version after an upload in this dialog; before that the model's own timestamp.
  const [version, setVersion] = useState<string | null>(model.hasImage ? model.updatedAt : null);
  const [uploadError, setUploadError] = useState<string | null>(null);

  const onFile = (file: File | null) => {
    if (!file) return;
    setUploadError(null);
    upload.mutate(
      { modelId: model.id, file },
      {
        onSuccess: (img) => {
          setVersion(img.updatedAt);
          notifySuccess(`The picture of “${model.name}” was uploaded.`);
        },
        onError: (err) => {
          if (err instanceof ApiError && (err.status === 413 || err.status === 415 || err.status === 422)) setUploadError(err.problem.detail || err.message);
          else notifyError(err, 'Could not upload the picture');
        },
      },
    );
  };

  return (
    <>
      <Divider label="Picture" labelPosition="left" mt="xs" />
      <Group align="flex-start" gap="md">
        <Paper withBorder w={120} h={90} style={{ display: 'flex', alignItems: 'center', justifyContent: 'center', overflow: 'hidden' }}>
          {version ? (
            <Image src={modelImageUrl(model.id, version)} alt={`Picture of ${model.name}`} fit="contain" w={118} h={88} />
          ) : (
            <IconPhoto size={28} color="var(--mantine-color-gray-5)" aria-label="No picture" />
          )}
        </Paper>
        <Stack gap={4}>
          <FileButton onChange={onFile} accept="image/png,image/jpeg,image/gif,image/webp">
            {(props) => (
              <Button {...props} size="xs" variant="default" leftSection={<IconUpload size={14} aria-hidden />} loading={upload.isPending}>
                {version ? 'Replace picture' : 'Upload picture'}
              </Button>
            )}
          </FileButton>
          <Text size="xs" c="dimmed">
            PNG, JPEG, GIF or WebP. Uploads immediately.
          </Text>
          {uploadError ? (
            <Text size="xs" c="red" role="alert">
              {uploadError}
            </Text>
          ) : null}
        </Stack>
      </Group>
    </>
  );
}
