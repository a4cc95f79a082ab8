import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Alert, Button, Checkbox, Group, Modal, ScrollArea, Select, SimpleGrid, Stack, Table, Text, TextInput, Textarea } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import { ApiError } from '../../api';
import { useCan } from '../../app/session';
import { describeError, notifySuccess } from '../../ui/notify';
import type { AssetListItem } from './contract';
import { CustomFieldInput, toFieldValue } from './CustomFieldInput';
import { useBulkEdit, type BulkSet } from './hooks';
import { locationOptions, useCategoryFields, useDepartmentOptions, useLocations, useSuppliers } from './lookups';

type Key = 'locationId' | 'defaultLocationId' | 'supplierId' | 'departmentId' | 'notes' | 'warrantyEnd';

interface RowError {
  tag: string;
  field: string;
  message: string;
}

/** Maps `/body/ids/3…` errors to the asset at that index, and `/body/set/x` to the field. */
function rowErrors(err: unknown, assets: AssetListItem[]): RowError[] {
  if (!(err instanceof ApiError)) return [];
  return (err.problem.errors ?? []).map((e) => {
    const m = /^\/body\/ids\/(\d+)(?:\/(.*))?$/.exec(e.path);
    if (m) {
      // The server prefixes a row's message with the field: `customFields/os: not an option`.
      const f = m[2] ? null : /^([\w/.]+): (.*)$/.exec(e.message);
      return { tag: assets[Number(m[1])]?.assetTag ?? `#${m[1]}`, field: m[2] ?? f?.[1]?.replace(/^customFields\//, '') ?? '', message: f?.[2] ?? e.message };
    }
    return { tag: '', field: e.path.replace(/^\/body\/(set\/)?/, ''), message: e.message };
  });
}

/** Sets the same values on every selected asset in one all-or-nothing request. */
export function BulkEditModal({ assets, onClose, onDone }: { assets: AssetListItem[]; onClose: () => void; onDone: () => void }) {
  const can = useCan();
  const bulk = useBulkEdit();
  const locations = useLocations(can('location.read'));
  const suppliers = useSuppliers(can('catalog.read'));
  const departments = useDepartmentOptions(can('department.read'));
  const categoryIds = [...new Set(assets.map((a) => a.category.id))];
  const oneCategory = categoryIds.length === 1 ? categoryIds[0] : null;
  const fields = useCategoryFields(oneCategory);

  const [on, setOn] = useState<Partial<Record<Key, boolean>>>({});
  const [v, setV] = useState<Record<Key, string | null>>({ locationId: null, defaultLocationId: null, supplierId: null, departmentId: null, notes: '', warrantyEnd: '' });
  const [cfOn, setCfOn] = useState<Record<string, boolean>>({});
  const [cf, setCf] = useState<Record<string, unknown>>({});
  const [errors, setErrors] = useState<RowError[]>([]);
  const [failure, setFailure] = useState<unknown>(null);
  const alertRef = useRef<HTMLDivElement>(null);
  // The refusal appears below the fields: bring it into view.
  useEffect(() => {
    if (failure) alertRef.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [failure]);

  const set: BulkSet = {};
  for (const k of Object.keys(on) as Key[]) if (on[k]) set[k] = v[k] === '' ? null : v[k];
  const cfSet = Object.fromEntries(
    (fields.data ?? []).filter((f) => cfOn[f.key]).map((f) => [f.key, toFieldValue(f, cf[f.key])]),
  );
  if (Object.keys(cfSet).length) set.customFields = cfSet;
  const changes = Object.keys(set).length;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setErrors([]);
    setFailure(null);
    bulk.mutate(
      { ids: assets.map((a) => a.id), set },
      {
        onSuccess: () => {
          notifySuccess(`${assets.length} asset${assets.length === 1 ? ' was' : 's were'} updated.`);
          onDone();
        },
        onError: (err) => {
          setErrors(rowErrors(err, assets));
          setFailure(err);
        },
      },
    );
  };

  const row = (key: Key, label: string, input: ReactNode) => (
    <Group gap="sm" wrap="nowrap" align="flex-start">
      <Checkbox mt={6} aria-label={`Change ${label}`} checked={!!on[key]} onChange={(e) => setOn((p) => ({ ...p, [key]: e.currentTarget.checked }))} />
      <div style={{ flex: 1 }}>{input}</div>
    </Group>
  );
  const select = (key: Key, label: string, data: { value: string; label: string }[]) =>
    row(
      key,
      label,
      <Select
        label={label}
        placeholder={on[key] ? 'Clear the value' : 'Unchanged'}
        data={data}
        value={v[key]}
        onChange={(x) => {
          setV((p) => ({ ...p, [key]: x }));
          setOn((p) => ({ ...p, [key]: true }));
        }}
        searchable
        clearable
        size="xs"
        comboboxProps={{ withinPortal: true }}
      />,
    );

  return (
    <Modal opened onClose={onClose} title={`Edit ${assets.length} asset${assets.length === 1 ? '' : 's'}`} size="xl" centered>
      <form onSubmit={submit} noValidate aria-label="Bulk edit">
        <Stack gap="xs">
          <Text size="xs" c="dimmed">
            Tick a field to change it on every selected asset; an empty value clears it. Either all assets are updated or none.
          </Text>
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="xs">
            {select('locationId', 'Location', locationOptions(locations.data))}
            {select('defaultLocationId', 'Default location', locationOptions(locations.data))}
            {select('supplierId', 'Supplier', (suppliers.data ?? []).map((s) => ({ value: s.id, label: s.name })))}
            {select('departmentId', 'Department', (departments.data ?? []).map((d) => ({ value: d.id, label: d.name })))}
            {row(
              'warrantyEnd',
              'Warranty end',
              <TextInput
                label="Warranty end"
                type="date"
                size="xs"
                value={v.warrantyEnd ?? ''}
                onChange={(e) => {
                  const x = e.currentTarget.value;
                  setV((p) => ({ ...p, warrantyEnd: x }));
                  setOn((p) => ({ ...p, warrantyEnd: true }));
                }}
              />,
            )}
            {row(
              'notes',
              'Notes',
              <Textarea
                label="Notes"
                size="xs"
                autosize
                minRows={1}
                value={v.notes ?? ''}
                onChange={(e) => {
                  const x = e.currentTarget.value;
                  setV((p) => ({ ...p, notes: x }));
                  setOn((p) => ({ ...p, notes: true }));
                }}
              />,
            )}
          </SimpleGrid>
          {oneCategory && fields.data?.length ? (
            <>
              <Text size="xs" fw={600} c="dimmed" mt={4}>
                Custom fields of {assets[0]?.category.name}
              </Text>
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="xs">
                {fields.data.map((f) => (
                  <Group key={f.id} gap="sm" wrap="nowrap" align="flex-start">
                    <Checkbox mt={6} aria-label={`Change ${f.label}`} checked={!!cfOn[f.key]} onChange={(e) => setCfOn((p) => ({ ...p, [f.key]: e.currentTarget.checked }))} />
                    <div style={{ flex: 1 }}>
                      <CustomFieldInput
                        field={f}
                        value={cf[f.key]}
                        size="xs"
                        onChange={(x) => {
                          setCf((p) => ({ ...p, [f.key]: x }));
                          setCfOn((p) => ({ ...p, [f.key]: true }));
                        }}
                      />
                    </div>
                  </Group>
                ))}
              </SimpleGrid>
            </>
          ) : categoryIds.length > 1 ? (
            <Text size="xs" c="dimmed">
              Custom fields can be changed in bulk when all selected assets are of one category.
            </Text>
          ) : null}
          {failure ? (
            <Alert ref={alertRef} color="red" variant="light" icon={<IconAlertCircle size={18} aria-hidden />} title="Nothing was changed" role="alert">
              <Text size="sm" mb={errors.length ? 'xs' : 0}>
                {describeError(failure).message}
              </Text>
              {errors.length ? (
                <ScrollArea.Autosize mah={180}>
                  <Table aria-label="Errors by asset" fz="xs" verticalSpacing={2}>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>Asset</Table.Th>
                        <Table.Th>Field</Table.Th>
                        <Table.Th>Problem</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {errors.map((r, i) => (
                        <Table.Tr key={i}>
                          <Table.Td ff="monospace">{r.tag || '—'}</Table.Td>
                          <Table.Td>{r.field || '—'}</Table.Td>
                          <Table.Td>{r.message}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </ScrollArea.Autosize>
              ) : null}
            </Alert>
          ) : null}
          <Group justify="flex-end" gap="xs" mt="xs">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={bulk.isPending} disabled={!changes}>
              Update {assets.length} asset{assets.length === 1 ? '' : 's'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
