import { useState } from 'react';
import { Alert, Button, Group, NativeSelect, SegmentedControl, Stack, Stepper, Text, TextInput } from '@mantine/core';
import { IconAlertCircle, IconCircleCheck, IconPlayerPlay } from '@tabler/icons-react';
import { Link, useParams } from 'react-router-dom';
import { useCancelImport, useCommitImport, useImportJob, useImportProgress, useImportTargets, useSavePreset, useUpdateImport, useValidateImport, isRunning } from '../modules/imports/hooks';
import { Counts, JobProgress, JobStatusBadge, NewReferences, OptionsPanel, ProblemsTable } from '../modules/imports/JobParts';
import { MappingTable } from '../modules/imports/MappingTable';
import { TARGET_LABELS, TARGET_PAGES, type ImportJob, type ImportTargetInfo, type UpdateJob } from '../modules/imports/types';
import { FormError } from '../ui/FormError';
import { formatDateTime } from '../ui/format';
import { notifyError, notifySuccess } from '../ui/notify';
import { PageHeader } from '../ui/PageHeader';
import { QueryState } from '../ui/QueryState';
import { Section } from '../ui/Section';

const ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252'];
const DELIMITERS = [
  { value: ',', label: 'Comma ,' },
  { value: ';', label: 'Semicolon ;' },
  { value: '\t', label: 'Tab' },
  { value: '|', label: 'Pipe |' },
];

/** Which wizard step a job is at: 0 upload, 1 map, 2 dry run, 3 import, 4 done. */
function stepOf(job: ImportJob): number {
  switch (job.status) {
    case 'uploaded':
      return 1;
    case 'validating':
    case 'validated':
      return 2;
    case 'committing':
      return 3;
    case 'committed':
      return 4;
    default:
      return job.phase === 'commit' ? 3 : 1;
  }
}

/** Encoding and delimiter (CSV) or worksheet (XLSX); changing them reads the file again. */
function FileOptions({ job, disabled, onChange }: { job: ImportJob; disabled: boolean; onChange: (patch: UpdateJob) => void }) {
  if (job.source.format === 'xlsx') {
    return (
      <NativeSelect
        size="xs"
        label="Worksheet"
        data={job.source.sheets}
        value={job.source.sheet ?? job.source.sheets[0] ?? ''}
        disabled={disabled || job.source.sheets.length < 2}
        onChange={(e) => onChange({ source: { sheet: e.currentTarget.value } })}
        w={200}
      />
    );
  }
  return (
    <Group gap="sm" align="flex-end">
      <NativeSelect
        size="xs"
        label={`Encoding${job.source.detected.encoding ? ' (detected)' : ''}`}
        data={ENCODINGS}
        value={job.source.encoding ?? 'utf-8'}
        disabled={disabled}
        onChange={(e) => onChange({ source: { encoding: e.currentTarget.value as 'utf-8' } })}
        w={150}
      />
      <NativeSelect
        size="xs"
        label={`Delimiter${job.source.detected.delimiter ? ' (detected)' : ''}`}
        data={DELIMITERS}
        value={job.source.delimiter ?? ','}
        disabled={disabled}
        onChange={(e) => onChange({ source: { delimiter: e.currentTarget.value as ',' } })}
        w={140}
      />
    </Group>
  );
}

function SavePreset({ job }: { job: ImportJob }) {
  const [name, setName] = useState('');
  const save = useSavePreset(job.target);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (!name.trim()) return;
        save.mutate(
          { name: name.trim(), fromJobId: job.id },
          {
            onSuccess: (p) => {
              notifySuccess(`Saved the mapping as “${p.name}”. Choose it when you upload a file with the same headers.`);
              setName('');
            },
            onError: (err) => notifyError(err, 'The preset was not saved'),
          },
        );
      }}
    >
      <Group gap="xs" align="flex-end">
        <TextInput size="xs" label="Save this mapping as a preset" placeholder="e.g. Snipe-IT assets" value={name} onChange={(e) => setName(e.currentTarget.value)} w={240} maxLength={100} />
        <Button type="submit" size="xs" variant="default" disabled={!name.trim()} loading={save.isPending}>
          Save as preset
        </Button>
      </Group>
    </form>
  );
}

/** After a dry run: the choice of mode and the button that imports. */
function CommitPanel({ job }: { job: ImportJob }) {
  const [mode, setMode] = useState(job.options.mode);
  const commit = useCommitImport(job.id);
  const failed = job.counts.failed;
  const rows = job.report?.rows ?? job.progress.total ?? 0;
  const valid = Math.max(0, rows - failed);
  const blocked = failed > 0 && mode === 'all-or-nothing';
  return (
    <Stack gap="sm">
      {failed > 0 ? (
        <Stack gap={6}>
          <Text size="sm">
            {failed} row{failed === 1 ? ' has' : 's have'} problems. In all-or-nothing mode nothing is imported until every row is valid: fix the file (download the error file above), or
            import only the valid rows.
          </Text>
          <SegmentedControl
            aria-label="Import mode"
            value={mode}
            onChange={(v) => setMode(v as typeof mode)}
            data={[
              { value: 'all-or-nothing', label: 'All or nothing' },
              { value: 'valid-only', label: `Valid rows only (skip ${failed})` },
            ]}
          />
        </Stack>
      ) : null}
      <Group gap="sm">
        <Button
          leftSection={<IconPlayerPlay size={16} aria-hidden />}
          disabled={blocked || valid === 0}
          loading={commit.isPending}
          onClick={() => commit.mutate(mode !== job.options.mode ? { mode } : undefined, { onError: (err) => notifyError(err, 'The import did not start') })}
        >
          {failed > 0 && mode === 'valid-only' ? `Import ${valid} valid row${valid === 1 ? '' : 's'}` : `Import ${rows} row${rows === 1 ? '' : 's'}`}
        </Button>
        {blocked ? (
          <Text size="xs" c="dimmed">
            Disabled: rows have problems and the mode is all or nothing.
          </Text>
        ) : null}
      </Group>
    </Stack>
  );
}

function Editor({ job, target }: { job: ImportJob; target: ImportTargetInfo }) {
  const update = useUpdateImport(job.id);
  const validate = useValidateImport(job.id);
  const busy = update.isPending || validate.isPending;
  const change = (patch: UpdateJob) => update.mutate(patch);
  const validated = job.status === 'validated';
  return (
    <Stack gap="md">
      <Section
        title="Columns"
        id="mapping"
        description={validated ? 'Changing the mapping, a format or an option discards the dry run below.' : 'Each column of the file, and the field it goes to. Columns were matched by their headers.'}
        actions={<FileOptions job={job} disabled={busy} onChange={change} />}
      >
        <Stack gap="sm">
          <FormError error={update.error} title="That change was not saved" />
          <MappingTable job={job} target={target} disabled={busy} onChange={change} />
        </Stack>
      </Section>
      <Section title="Options" id="options">
        <Stack gap="md">
          <OptionsPanel job={job} target={target} disabled={busy} showMode={!validated} onChange={change} />
          <SavePreset job={job} />
        </Stack>
      </Section>
      <Section
        title="Dry run"
        id="dry-run"
        description="Every row is checked as if it were imported; nothing is written."
        actions={
          <Button size="xs" variant={validated ? 'default' : 'filled'} loading={validate.isPending} disabled={update.isPending} onClick={() => validate.mutate(undefined, { onError: (err) => notifyError(err, 'The dry run did not start') })}>
            {validated ? 'Run the dry run again' : 'Run dry run'}
          </Button>
        }
      >
        {validated ? (
          <Stack gap="md">
            <Text size="sm">
              Checked {job.report?.rows ?? job.progress.total} rows{job.report ? ` in ${job.report.seconds.toFixed(1)} s` : ''} ({formatDateTime(job.finishedAt)}).
            </Text>
            <Counts job={job} dryRun />
            <NewReferences job={job} dryRun />
            <ProblemsTable key={job.finishedAt ?? ''} job={job} />
          </Stack>
        ) : (
          <Text size="sm" c="dimmed">
            Run it to see what would be created, updated and which rows have problems.
          </Text>
        )}
      </Section>
      {validated ? (
        <Section title="Import" id="commit" description={`Mode: ${job.options.mode === 'valid-only' ? 'valid rows only' : 'all or nothing'}; new records get their events in the log.`}>
          <CommitPanel key={`${job.finishedAt ?? ''}${job.options.mode}`} job={job} />
        </Section>
      ) : null}
    </Stack>
  );
}

function Report({ job }: { job: ImportJob }) {
  return (
    <Section title="Report" id="report">
      <Stack gap="md">
        <Alert color="teal" variant="light" icon={<IconCircleCheck size={18} aria-hidden />} title="Import finished">
          {job.report?.rows ?? job.progress.total} rows from {job.fileName}
          {job.report ? ` in ${job.report.seconds.toFixed(1)} s` : ''}. {job.counts.failed ? `${job.counts.failed} failing row${job.counts.failed === 1 ? ' was' : 's were'} skipped.` : ''}
        </Alert>
        <Counts job={job} dryRun={false} />
        <NewReferences job={job} dryRun={false} />
        <ProblemsTable job={job} />
        <Group gap="sm">
          <Button component={Link} to={TARGET_PAGES[job.target]}>
            Open the {TARGET_LABELS[job.target].toLowerCase()} list
          </Button>
          <Button component={Link} to="/imports" variant="default">
            Import another file
          </Button>
        </Group>
      </Stack>
    </Section>
  );
}

function JobView({ job, target }: { job: ImportJob; target: ImportTargetInfo }) {
  const cancel = useCancelImport(job.id);
  const rows = job.progress.total;
  return (
    <>
      <PageHeader
        title={`Import ${job.fileName}`}
        description={
          <>
            Into {TARGET_LABELS[job.target].toLowerCase()} · {rows ?? '?'} rows · {job.source.format.toUpperCase()} · uploaded by {job.createdBy.label} {formatDateTime(job.createdAt)}
          </>
        }
        actions={
          <>
            <JobStatusBadge status={job.status} />
            <Button component={Link} to="/imports" variant="default" size="xs">
              All imports
            </Button>
          </>
        }
      />
      <Stepper active={stepOf(job)} size="sm" mb="lg" aria-label="Import steps">
        <Stepper.Step label="Upload" description={job.fileName} />
        <Stepper.Step label="Map columns" description="Fields, formats, options" />
        <Stepper.Step label="Dry run" description="Check every row" />
        <Stepper.Step label="Import" description="Write the records" />
      </Stepper>
      <Stack gap="md">
        {job.status === 'failed' || job.status === 'cancelled' ? (
          <Alert color={job.status === 'failed' ? 'red' : 'orange'} variant="light" icon={<IconAlertCircle size={18} aria-hidden />} title={job.status === 'failed' ? 'The import failed' : 'The import was cancelled'} role="alert">
            {job.failureReason ??
              (job.options.mode === 'valid-only' && job.counts.committedRows ? `${job.counts.committedRows} rows had been imported and stay.` : 'Nothing was imported.')}{' '}
            You can change the mapping or options and run it again.
          </Alert>
        ) : null}
        {isRunning(job) ? <JobProgress job={job} cancelling={cancel.isPending} onCancel={() => cancel.mutate(undefined, { onError: (err) => notifyError(err, 'Could not cancel') })} /> : null}
        {job.status === 'committed' ? <Report job={job} /> : null}
        {(job.status === 'failed' || job.status === 'cancelled') && job.counts.errors > 0 ? (
          <Section title="Problems" id="problems">
            <ProblemsTable key={job.finishedAt ?? ''} job={job} />
          </Section>
        ) : null}
        {!isRunning(job) && job.status !== 'committed' ? <Editor job={job} target={target} /> : null}
      </Stack>
    </>
  );
}

/** The import wizard for one job; its state is the server's, so a reload resumes it. */
export function ImportJobPage() {
  const { id = '' } = useParams();
  const [live, setLive] = useState(false);
  const job = useImportJob(id, !live);
  useImportProgress(job.data, setLive);
  const targets = useImportTargets();
  return (
    <QueryState query={job} loadingLabel="Loading the import…">
      {(j) => (
        <QueryState query={targets} loadingLabel="Loading fields…">
          {(ts) => {
            const target = ts.find((t) => t.key === j.target);
            return target ? <JobView job={j} target={target} /> : <Text>Unknown target {j.target}</Text>;
          }}
        </QueryState>
      )}
    </QueryState>
  );
}
