/** Pieces of the import wizard: options, live progress, counts, new references, problems. */
import { useState } from 'react';
import { Badge, Button, Group, NativeSelect, Paper, Progress, SegmentedControl, SimpleGrid, Stack, Switch, Table, Text } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { EmptyRow } from '../catalog/bits';
import { QueryState } from '../../ui/QueryState';
import { useImportErrors } from './hooks';
import { STATUS_LABELS, type ImportJob, type ImportTargetInfo, type UpdateJob } from './types';

const num = (n: number) => n.toLocaleString();
const plural = (kind: string) => (kind.endsWith('y') ? `${kind.slice(0, -1)}ies` : `${kind}s`);

export function JobStatusBadge({ status }: { status: ImportJob['status'] }) {
  const s = STATUS_LABELS[status];
  return (
    <Badge size="sm" variant="light" color={s.color} radius="sm">
      {s.label}
    </Badge>
  );
}

const MATCH_LABELS: Record<string, string> = { assetTag: 'Asset tag', serial: 'Serial', externalId: 'External id', email: 'Email', name: 'Name' };

/** Mode, create missing references, match key, update existing — saved on the job at once. */
export function OptionsPanel({ job, target, disabled, showMode, onChange }: { job: ImportJob; target: ImportTargetInfo; disabled: boolean; showMode: boolean; onChange: (patch: UpdateJob) => void }) {
  const o = job.options;
  const refFields = target.fields.filter((f) => f.creatable).map((f) => f.label.toLowerCase());
  return (
    <Stack gap="sm">
      {showMode ? (
      <Stack gap={4}>
        <Text size="sm" fw={500} id="import-mode-label">
          When some rows have problems
        </Text>
        <SegmentedControl
          aria-labelledby="import-mode-label"
          size="xs"
          value={o.mode}
          disabled={disabled}
          onChange={(v) => onChange({ options: { mode: v as 'all-or-nothing' | 'valid-only' } })}
          data={[
            { value: 'all-or-nothing', label: 'Import nothing (all or nothing)' },
            { value: 'valid-only', label: 'Import the valid rows only' },
          ]}
        />
      </Stack>
      ) : null}
      <Group gap="xl" align="flex-end" wrap="wrap">
        {target.matchKeys.length > 1 ? (
          <NativeSelect
            size="xs"
            label="Match existing records by"
            data={target.matchKeys.map((k) => ({ value: k, label: MATCH_LABELS[k] ?? k }))}
            value={o.matchBy}
            disabled={disabled}
            onChange={(e) => onChange({ options: { matchBy: e.currentTarget.value } })}
            w={200}
          />
        ) : (
          <Text size="sm">
            Existing records are matched by <b>{MATCH_LABELS[o.matchBy] ?? o.matchBy}</b>.
          </Text>
        )}
        <Switch
          label="Update existing records"
          checked={o.updateExisting}
          disabled={disabled}
          onChange={(e) => onChange({ options: { updateExisting: e.currentTarget.checked } })}
        />
        {refFields.length ? (
          <Switch
            label="Create missing references"
            description={`Unknown ${refFields.join(', ')} names are created`}
            checked={o.createMissing}
            disabled={disabled}
            onChange={(e) => onChange({ options: { createMissing: e.currentTarget.checked } })}
          />
        ) : null}
      </Group>
    </Stack>
  );
}

/** Percent, rows per second and time left of a running phase. */
export function JobProgress({ job, onCancel, cancelling }: { job: ImportJob; onCancel: () => void; cancelling: boolean }) {
  const p = job.progress;
  const verb = job.status === 'committing' ? 'Importing' : 'Dry run';
  const waiting = p.processed === 0;
  const parts = [p.total === null ? `${num(p.processed)} rows` : `${num(p.processed)} of ${num(p.total)} rows`];
  if (p.rowsPerSecond) parts.push(`${num(Math.round(p.rowsPerSecond))} rows/s`);
  if (p.etaSeconds !== null && !waiting) parts.push(`about ${Math.max(1, Math.ceil(p.etaSeconds))} s left`);
  return (
    <Paper withBorder p="md" role="status" aria-live="polite" aria-label={`${verb} progress`}>
      <Stack gap="xs">
        <Group justify="space-between">
          <Text fw={600}>
            {verb}: {p.percent === null ? '…' : `${Math.floor(p.percent)}%`}
          </Text>
          <Button size="xs" variant="light" color="red" onClick={onCancel} loading={cancelling}>
            Cancel
          </Button>
        </Group>
        <Progress value={p.percent ?? 0} animated striped size="lg" aria-hidden />
        <Text size="sm" c="dimmed">
          {waiting ? 'Waiting for its turn (one import runs at a time)…' : parts.join(' · ')}
        </Text>
      </Stack>
    </Paper>
  );
}

function Count({ label, value, color }: { label: string; value: number; color?: string }) {
  return (
    <Paper withBorder p="sm" aria-label={`${label}: ${value}`}>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase">
        {label}
      </Text>
      <Text fz="xl" fw={700} c={value && color ? color : undefined}>
        {num(value)}
      </Text>
    </Paper>
  );
}

/** Created / updated / unchanged / failed, worded for a dry run or a finished import. */
export function Counts({ job, dryRun }: { job: ImportJob; dryRun: boolean }) {
  const c = job.counts;
  return (
    <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm">
      <Count label={dryRun ? 'To create' : 'Created'} value={c.created} color="teal" />
      <Count label={dryRun ? 'To update' : 'Updated'} value={c.updated} color="blue" />
      <Count label="Unchanged" value={c.unchanged} />
      <Count label={dryRun ? 'Failing rows' : 'Failed rows'} value={c.failed} color="red" />
    </SimpleGrid>
  );
}

/** Categories, models, locations … that the import creates by name (createMissing). */
export function NewReferences({ job, dryRun }: { job: ImportJob; dryRun: boolean }) {
  const refs = job.report?.newReferences;
  if (!refs || !refs.items.length) return null;
  const counts = Object.entries(refs.counts).filter(([, n]) => n > 0);
  const shown = refs.items.slice(0, 30);
  return (
    <Stack gap={4}>
      <Text size="sm" fw={600}>
        {dryRun ? 'New records to be created' : 'New records created'}: {counts.map(([k, n]) => `${n} ${n === 1 ? k : plural(k)}`).join(', ')}
      </Text>
      <Group gap={6}>
        {shown.map((r) => (
          <Badge key={`${r.kind}:${r.name}`} size="sm" variant="outline" color="gray" tt="none">
            {r.kind}: {r.name}
          </Badge>
        ))}
        {refs.items.length > shown.length ? (
          <Text size="xs" c="dimmed">
            and {num(refs.items.length - shown.length)} more
          </Text>
        ) : null}
      </Group>
    </Stack>
  );
}

/** The problems of the last run, 50 per page (keyset), with the error file to download. */
export function ProblemsTable({ job }: { job: ImportJob }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const errors = useImportErrors(job.id, cursor, job.counts.errors > 0);
  if (job.counts.errors === 0) return null;
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Text size="sm" fw={600}>
          {num(job.counts.errors)} problem{job.counts.errors === 1 ? '' : 's'} in {num(job.counts.failed)} row{job.counts.failed === 1 ? '' : 's'}
          {job.report?.errorsTruncated ? ' (only the first ones were kept)' : ''}
        </Text>
        <Button component="a" href={`/api/v1/imports/${job.id}/errors.csv`} download size="xs" variant="default" leftSection={<IconDownload size={14} aria-hidden />}>
          Download error file
        </Button>
      </Group>
      <Text size="xs" c="dimmed">
        The error file has the failing rows as they are in your file, plus an Errors column: fix them and import that file.
      </Text>
      <QueryState query={errors} loadingLabel="Loading problems…">
        {(page) => (
          <>
            <Table.ScrollContainer minWidth={600} type="native">
              <Table aria-label="Problems" striped verticalSpacing={4}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w={70}>Line</Table.Th>
                    <Table.Th w={200}>Column</Table.Th>
                    <Table.Th>Problem</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {page.items.length === 0 ? <EmptyRow cols={3} text="No problems." /> : null}
                  {page.items.map((e) => (
                    <Table.Tr key={e.seq}>
                      <Table.Td>{e.line === 0 ? 'file' : e.line}</Table.Td>
                      <Table.Td>{e.column ?? '—'}</Table.Td>
                      <Table.Td>
                        <Text size="sm" span>
                          {e.message}
                        </Text>{' '}
                        <Text size="xs" c="dimmed" span ff="monospace">
                          {e.code}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {cursors.length > 1 || page.nextCursor ? (
              <Group justify="center" gap="xs">
                <Button size="xs" variant="default" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
                  Previous
                </Button>
                <Text size="xs" c="dimmed">
                  Page {cursors.length}
                </Text>
                <Button size="xs" variant="default" disabled={!page.nextCursor} onClick={() => page.nextCursor && setCursors((c) => [...c, page.nextCursor])}>
                  Next
                </Button>
              </Group>
            ) : null}
          </>
        )}
      </QueryState>
    </Stack>
  );
}
