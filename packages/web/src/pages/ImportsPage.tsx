import { useState } from 'react';
import { Anchor, Button, FileInput, Group, NativeSelect, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { IconDownload, IconFileSpreadsheet, IconTrash, IconUpload } from '@tabler/icons-react';
import { Link, useNavigate } from 'react-router-dom';
import { useCan } from '../app/session';
import type { Permission } from '../app/permissions';
import { EmptyRow } from '../modules/catalog/bits';
import { useDeleteImport, useImportJobs, usePresets, useUploadImport } from '../modules/imports/hooks';
import { JobStatusBadge } from '../modules/imports/JobParts';
import { TARGET_LABELS, type ImportTarget } from '../modules/imports/types';
import { ConfirmButton } from '../ui/ConfirmButton';
import { FormError } from '../ui/FormError';
import { formatDateTime } from '../ui/format';
import { PageHeader } from '../ui/PageHeader';
import { QueryState } from '../ui/QueryState';
import { Section } from '../ui/Section';
import { notifySuccess } from '../ui/notify';

const TARGETS = Object.keys(TARGET_LABELS) as ImportTarget[];
/** What the full export of a target needs (the server checks it too). */
const READ_PERMISSION: Record<ImportTarget, Permission> = {
  assets: 'asset.read', models: 'catalog.read', users: 'member.read', locations: 'location.read', departments: 'department.read', suppliers: 'catalog.read',
};

function UploadForm() {
  const navigate = useNavigate();
  const [target, setTarget] = useState<ImportTarget>('assets');
  const [file, setFile] = useState<File | null>(null);
  const [presetId, setPresetId] = useState('');
  const presets = usePresets(target);
  const upload = useUploadImport();
  const submit = () => {
    if (!file) return;
    upload.mutate({ target, file, presetId: presetId || null }, { onSuccess: (job) => void navigate(`/imports/${job.id}`) });
  };
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <Stack gap="sm">
        <Group align="flex-end" gap="sm" wrap="wrap">
          <NativeSelect
            label="Import into"
            data={TARGETS.map((t) => ({ value: t, label: TARGET_LABELS[t] }))}
            value={target}
            onChange={(e) => {
              setTarget(e.currentTarget.value as ImportTarget);
              setPresetId('');
            }}
            w={180}
          />
          <FileInput
            label="File (CSV or XLSX)"
            placeholder="Choose a file"
            accept=".csv,.txt,.tsv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            value={file}
            onChange={(f) => {
              setFile(f);
              upload.reset();
            }}
            leftSection={<IconFileSpreadsheet size={16} aria-hidden />}
            clearable
            w={{ base: '100%', sm: 340 }}
          />
          <NativeSelect
            label="Mapping preset"
            data={[{ value: '', label: presets.data?.length ? 'Map columns by their headers' : 'No saved presets' }, ...(presets.data ?? []).map((p) => ({ value: p.id, label: p.name }))]}
            value={presetId}
            onChange={(e) => setPresetId(e.currentTarget.value)}
            disabled={!presets.data?.length}
            w={240}
          />
          <Button type="submit" disabled={!file} loading={upload.isPending} leftSection={<IconUpload size={16} aria-hidden />}>
            Upload and map columns
          </Button>
        </Group>
        <Text size="xs" c="dimmed">
          Your own sheet, a Snipe-IT or GLPI export, or a Custodian export. Nothing is imported until you have seen a dry run and confirm.
        </Text>
        <FormError error={upload.error} title="The file could not be read" />
      </Stack>
    </form>
  );
}

function JobsTable() {
  const jobs = useImportJobs(null);
  const remove = useDeleteImport();
  return (
    <QueryState query={jobs} loadingLabel="Loading imports…">
      {(page) => (
        <Table.ScrollContainer minWidth={760} type="native">
          <Table aria-label="Imports" highlightOnHover verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>File</Table.Th>
                <Table.Th>Into</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th ta="right">Rows</Table.Th>
                <Table.Th ta="right">Created</Table.Th>
                <Table.Th ta="right">Updated</Table.Th>
                <Table.Th ta="right">Failed</Table.Th>
                <Table.Th>By</Table.Th>
                <Table.Th>When</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {page.items.length === 0 ? <EmptyRow cols={10} text="No imports yet." /> : null}
              {page.items.map((j) => (
                <Table.Tr key={j.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/imports/${j.id}`} size="sm" fw={500}>
                      {j.fileName}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{TARGET_LABELS[j.target]}</Table.Td>
                  <Table.Td>
                    <JobStatusBadge status={j.status} />
                  </Table.Td>
                  <Table.Td ta="right">{j.progress.total ?? '—'}</Table.Td>
                  <Table.Td ta="right">{j.counts.created}</Table.Td>
                  <Table.Td ta="right">{j.counts.updated}</Table.Td>
                  <Table.Td ta="right">{j.counts.failed}</Table.Td>
                  <Table.Td>{j.createdBy.label}</Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(j.createdAt)}</Table.Td>
                  <Table.Td>
                    {j.status === 'validating' || j.status === 'committing' ? null : (
                      <ConfirmButton
                        label={`Delete import ${j.fileName}`}
                        title="Delete import job"
                        icon={<IconTrash size={16} aria-hidden />}
                        message="The job, its file and its problem list are deleted. Records it imported stay."
                        confirmLabel="Delete job"
                        onConfirm={async () => {
                          await remove.mutateAsync(j.id);
                          notifySuccess(`Import “${j.fileName}” was deleted.`);
                        }}
                      />
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </QueryState>
  );
}

function Exports() {
  const can = useCan();
  return (
    <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="lg" verticalSpacing="xs">
      {TARGETS.filter((t) => can(READ_PERMISSION[t])).map((t) => (
        <Group key={t} gap="xs" justify="space-between" wrap="nowrap">
          <Text size="sm">{TARGET_LABELS[t]}</Text>
          <Group gap={6} wrap="nowrap">
            {(['csv', 'xlsx'] as const).map((f) => (
              <Button
                key={f}
                component="a"
                href={`/api/v1/exports/${t}.${f}`}
                download
                size="xs"
                variant="default"
                leftSection={<IconDownload size={14} aria-hidden />}
                aria-label={`Export ${TARGET_LABELS[t].toLowerCase()} as ${f.toUpperCase()}`}
              >
                {f.toUpperCase()}
              </Button>
            ))}
          </Group>
        </Group>
      ))}
    </SimpleGrid>
  );
}

/** Imports: upload a file (then the wizard at /imports/:id), earlier jobs, full exports. */
export function ImportsPage() {
  return (
    <>
      <PageHeader title="Import" description="Bring assets, models, people, locations, departments and suppliers in from CSV or XLSX files, and take them out again." />
      <Stack gap="md">
        <Section title="New import" id="new-import">
          <UploadForm />
        </Section>
        <Section title="Previous imports" description="Open one to continue where it was, or to see its report." id="import-jobs">
          <JobsTable />
        </Section>
        <Section title="Export" description="Every record, under the headers the importer reads back (export from one organization, import into another)." id="exports">
          <Exports />
        </Section>
      </Stack>
    </>
  );
}
