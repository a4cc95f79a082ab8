import { useState, type FormEvent } from 'react';
import { Badge, Button, Checkbox, Group, Modal, Select, SimpleGrid, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { notifySuccess } from '../../ui/notify';
import { useFormErrors } from '../../ui/useFormErrors';
import { useOrganization } from '../organizations/hooks';
import { MONO_INPUT } from './bits';
import { useSaveCategory } from './hooks';
import { ASSET_CLASS_OPTIONS, DATA_BEARING_CLASSES, assetClassLabel, isAssetClass, previewTag, type Category, type CategoryCreate, type CategoryInput, type Save } from './types';

const FIELDS = ['name', 'assetClass', 'dataBearing', 'requiresAcceptance', 'acceptanceTerms', 'tagPattern'] as const;

/** Create (category = null) or edit a category. The asset class is fixed once the category exists. */
export function CategoryModal({ category, onClose, onCreated }: { category: Category | null; onClose: () => void; onCreated?: (c: Category) => void }) {
  const save = useSaveCategory();
  const form = useFormErrors(FIELDS);
  const org = useOrganization();
  const [v, setV] = useState({
    name: category?.name ?? '',
    assetClass: category?.assetClass ?? null,
    dataBearing: category?.dataBearing ?? false,
    requiresAcceptance: category?.requiresAcceptance ?? false,
    acceptanceTerms: category?.acceptanceTerms ?? '',
    tagPattern: category?.tagPattern ?? '',
  });
  // On create the data-bearing box follows the asset class until it is ticked by hand.
  const [dataBearingTouched, setDataBearingTouched] = useState(category !== null);

  const termsChanged = (v.acceptanceTerms.trim() || null) !== (category?.acceptanceTerms ?? null);
  const currentVersion = category?.acceptanceTermsVersion ?? null;
  const pattern = v.tagPattern.trim();
  const preview = pattern ? previewTag(pattern) : null;
  const orgPattern = org.data?.assetTagPattern;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const full = {
      name: v.name.trim(),
      dataBearing: v.dataBearing,
      requiresAcceptance: v.requiresAcceptance,
      acceptanceTerms: v.acceptanceTerms.trim() || null,
      tagPattern: pattern || null,
    };
    let vars: Save<CategoryCreate, CategoryInput>;
    if (category) {
      // Send only what changed: unchanged terms must not look like a new version.
      const body: CategoryInput = {};
      if (full.name !== category.name) body.name = full.name;
      if (full.dataBearing !== category.dataBearing) body.dataBearing = full.dataBearing;
      if (full.requiresAcceptance !== category.requiresAcceptance) body.requiresAcceptance = full.requiresAcceptance;
      if (termsChanged) body.acceptanceTerms = full.acceptanceTerms;
      if (full.tagPattern !== category.tagPattern) body.tagPattern = full.tagPattern;
      if (Object.keys(body).length === 0) {
        onClose();
        return;
      }
      vars = { id: category.id, body };
    } else {
      if (!isAssetClass(v.assetClass)) {
        form.setErrors({ assetClass: 'Choose an asset class' });
        return;
      }
      vars = { id: null, body: { ...full, assetClass: v.assetClass } };
    }
    save.mutate(
      vars,
      {
        onSuccess: (c) => {
          notifySuccess(category ? `Category “${c.name}” was updated.` : `Category “${c.name}” was created.`);
          if (!category) onCreated?.(c);
          onClose();
        },
        onError: (err) => form.handle(err, category ? 'Could not update the category' : 'Could not create the category'),
      },
    );
  };

  return (
    <Modal opened onClose={onClose} title={category ? `Edit ${category.name}` : 'New category'} size="lg" centered>
      <form onSubmit={submit} noValidate aria-label={category ? 'Edit category' : 'New category'}>
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <TextInput
              label="Name"
              required
              maxLength={200}
              value={v.name}
              onChange={(e) => {
                const name = e.currentTarget.value;
                setV((p) => ({ ...p, name }));
                form.clearField('name');
              }}
              error={form.errors.name}
              data-autofocus
            />
            <Select
              label="Asset class"
              required
              data={ASSET_CLASS_OPTIONS}
              value={v.assetClass}
              onChange={(c) => {
                setV((p) => ({ ...p, assetClass: isAssetClass(c) ? c : null, dataBearing: dataBearingTouched ? p.dataBearing : !!c && DATA_BEARING_CLASSES.has(c) }));
                form.clearField('assetClass');
              }}
              disabled={!!category}
              description={category ? `Fixed once created (${assetClassLabel(category.assetClass)}).` : 'Cannot be changed later.'}
              error={form.errors.assetClass}
              searchable
              allowDeselect={false}
              comboboxProps={{ withinPortal: true }}
            />
          </SimpleGrid>
          <Group gap="xl">
            <Checkbox
              label="Data-bearing"
              description="Devices store data and need sanitization before disposal."
              checked={v.dataBearing}
              onChange={(e) => {
                const checked = e.currentTarget.checked;
                setDataBearingTouched(true);
                setV((p) => ({ ...p, dataBearing: checked }));
              }}
              error={form.errors.dataBearing}
            />
            <Checkbox
              label="Requires acceptance"
              description="People must accept the terms when an item is checked out to them."
              checked={v.requiresAcceptance}
              onChange={(e) => {
                const checked = e.currentTarget.checked;
                setV((p) => ({ ...p, requiresAcceptance: checked }));
              }}
              error={form.errors.requiresAcceptance}
            />
          </Group>
          <Textarea
            label={
              <Group gap={6} component="span">
                <span>Acceptance terms</span>
                {currentVersion ? (
                  <Badge size="xs" variant="light" color="gray" tt="none">
                    version {currentVersion}
                  </Badge>
                ) : null}
              </Group>
            }
            description={
              category && termsChanged && v.acceptanceTerms.trim()
                ? `Saving creates version ${(currentVersion ?? 0) + 1}; pending and future acceptances use the new text.`
                : 'Shown to the person accepting a check-out. Changing the text creates a new version.'
            }
            autosize
            minRows={3}
            maxRows={10}
            maxLength={20_000}
            value={v.acceptanceTerms}
            onChange={(e) => {
              const acceptanceTerms = e.currentTarget.value;
              setV((p) => ({ ...p, acceptanceTerms }));
              form.clearField('acceptanceTerms');
            }}
            error={form.errors.acceptanceTerms}
          />
          <TextInput
            label="Asset tag pattern"
            placeholder={orgPattern ?? 'LAP-{00000}'}
            maxLength={60}
            styles={MONO_INPUT}
            value={v.tagPattern}
            onChange={(e) => {
              const tagPattern = e.currentTarget.value;
              setV((p) => ({ ...p, tagPattern }));
              form.clearField('tagPattern');
            }}
            description={
              pattern
                ? preview
                  ? `New tags look like ${preview}.`
                  : 'Needs exactly one counter group of zeros in braces, e.g. LAP-{00000}.'
                : `Empty: the organization pattern${orgPattern ? ` (${orgPattern})` : ''} is used.`
            }
            error={form.errors.tagPattern}
          />
          {category ? (
            <Text size="xs" c="dimmed">
              {category.modelCount} models, {category.assetCount} assets and {category.fieldCount} custom fields use this category.
            </Text>
          ) : null}
          <Group justify="flex-end" gap="xs" mt="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending} disabled={!v.name.trim()}>
              {category ? 'Save changes' : 'Create category'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
