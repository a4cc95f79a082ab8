import { Alert, Badge, Group, NativeSelect, Stack, Table, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import type { ComboboxStringGroupData } from '@mantine/core';
import { DATE_FORMATS, NUMBER_FORMATS, type ColumnFormat, type ImportJob, type ImportTargetInfo, type UpdateJob } from './types';

const IGNORE = '';

/** Up to three non-empty sample values of a column. */
function samples(job: ImportJob, index: number): string[] {
  const out: string[] = [];
  for (const row of job.source.sample) {
    const v = row[index]?.trim();
    if (v) out.push(v);
    if (out.length === 3) break;
  }
  return out;
}

function fieldOptions(target: ImportTargetInfo): ComboboxStringGroupData {
  const label = (f: ImportTargetInfo['fields'][number]) => `${f.label}${f.required ? ' (required)' : ''}`;
  const standard = target.fields.filter((f) => !f.key.startsWith('cf.')).map((f) => ({ value: f.key, label: label(f) }));
  const custom = target.fields.filter((f) => f.key.startsWith('cf.')).map((f) => ({ value: f.key, label: label(f) }));
  return [
    { value: IGNORE, label: '— ignore this column —' },
    { group: `${target.label} fields`, items: standard },
    ...(custom.length ? [{ group: 'Custom fields', items: custom }] : []),
  ];
}

/**
 * The file's columns (header, three sample values) → target fields, with the detected date or
 * number format of each mapped date/number column; ambiguous formats are highlighted. Every change
 * is sent to the server at once (it re-detects formats and discards an earlier dry run).
 */
export function MappingTable({ job, target, disabled, onChange }: { job: ImportJob; target: ImportTargetInfo; disabled: boolean; onChange: (patch: UpdateJob) => void }) {
  const options = fieldOptions(target);
  const mapped = new Set(Object.values(job.mapping).filter((v): v is string => !!v));
  const missing = target.fields.filter((f) => f.required && !mapped.has(f.key));
  const duplicates = job.source.headerKeys.filter((k, i) => k !== (job.source.headers[i] ?? '').trim());
  const ambiguous = Object.entries(job.formats).filter(([, f]) => f.detected?.ambiguous).map(([k]) => k);

  return (
    <Stack gap="sm">
      {missing.length ? (
        <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} aria-hidden />} title="Required fields without a column">
          Map a column to {missing.map((f) => `“${f.label}”`).join(', ')}, or every row will fail.
        </Alert>
      ) : null}
      {ambiguous.length ? (
        <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} aria-hidden />} title="Check these formats">
          The values of {ambiguous.map((k) => `“${k}”`).join(', ')} can be read more than one way (is 03/04/2024 March 4 or 3 April?). The proposed format is selected; change it if it is wrong.
        </Alert>
      ) : null}
      {duplicates.length ? (
        <Text size="xs" c="dimmed">
          Repeated or empty headers get a unique name: {duplicates.join(', ')}.
        </Text>
      ) : null}
      <Table.ScrollContainer minWidth={760} type="native">
        <Table aria-label="Column mapping" verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Column in the file</Table.Th>
              <Table.Th>Sample values</Table.Th>
              <Table.Th w={280}>Imported as</Table.Th>
              <Table.Th w={230}>Format</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {job.source.headerKeys.map((key, i) => {
              const field = job.mapping[key] ?? null;
              const format = job.formats[key];
              const isAmbiguous = format?.detected?.ambiguous === true;
              const header = job.source.headers[i] ?? '';
              return (
                <Table.Tr key={key} data-column={key}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {key}
                    </Text>
                    {key !== header.trim() ? (
                      <Text size="xs" c="dimmed">
                        header “{header}”
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace" c="dimmed" lineClamp={2}>
                      {samples(job, i).join(' · ') || '(empty)'}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <NativeSelect
                      size="xs"
                      aria-label={`Field for column ${key}`}
                      data={options}
                      value={field ?? IGNORE}
                      disabled={disabled}
                      onChange={(e) => onChange({ mapping: { [key]: e.currentTarget.value || null } })}
                    />
                  </Table.Td>
                  <Table.Td>
                    {format && (format.date !== undefined || format.number !== undefined) ? (
                      <Group gap={6} wrap="nowrap">
                        <Stack gap={4} style={{ flex: 1 }}>
                          {(['date', 'number'] as const)
                            .filter((kind) => format[kind] !== undefined)
                            .map((kind) => (
                              <NativeSelect
                                key={kind}
                                size="xs"
                                aria-label={`${kind === 'date' ? 'Date' : 'Number'} format of column ${key}`}
                                data={[...(format[kind] ? [] : [{ value: '', label: '— not detected —' }]), ...(kind === 'date' ? DATE_FORMATS : NUMBER_FORMATS)]}
                                value={format[kind] ?? ''}
                                disabled={disabled}
                                error={isAmbiguous ? true : undefined}
                                onChange={(e) => {
                                  const chosen = { date: format.date ?? null, number: format.number ?? null, [kind]: e.currentTarget.value || null };
                                  const next: ColumnFormat = {};
                                  if (chosen.date) next.date = chosen.date as ColumnFormat['date'];
                                  if (chosen.number) next.number = chosen.number as ColumnFormat['number'];
                                  onChange({ formats: { [key]: next } });
                                }}
                              />
                            ))}
                        </Stack>
                        {isAmbiguous ? (
                          <Badge size="xs" color="yellow" variant="filled" title="The sample values can be read more than one way: check the format">
                            ambiguous
                          </Badge>
                        ) : null}
                      </Group>
                    ) : (
                      <Text size="xs" c="dimmed">
                        —
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}
