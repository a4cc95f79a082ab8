import { useRef, useState, type DragEvent } from 'react';
import { Anchor, Button, Group, Paper, Select, Stack, Table, Text } from '@mantine/core';
import { IconDownload, IconFileUpload, IconTrash } from '@tabler/icons-react';
import { ConfirmButton } from '../../../ui/ConfirmButton';
import { formatDateTime, humanize } from '../../../ui/format';
import { notifyError, notifySuccess } from '../../../ui/notify';
import { ErrorBlock, LoadingBlock } from '../../../ui/QueryState';
import { attachmentUrl, useAttachments, useDeleteAttachment, useUploadAttachment } from '../hooks';
import { formatBytes } from '../media';
import classes from './tabs.module.css';

const KINDS = [
  { value: 'invoice', label: 'Invoice' },
  { value: 'photo', label: 'Photo' },
  { value: 'other', label: 'Other' },
];

const ACCEPT = '.pdf,.png,.jpg,.jpeg,.gif,.webp,.heic,.txt,.csv,.docx,.xlsx,application/pdf,image/*,text/plain,text/csv';

/** Files of the asset (invoices, photos): drag-and-drop or pick to upload; download; delete. */
export function AttachmentsTab({ assetId, canWrite }: { assetId: string; canWrite: boolean }) {
  const list = useAttachments(assetId);
  const upload = useUploadAttachment(assetId);
  const del = useDeleteAttachment();
  const input = useRef<HTMLInputElement>(null);
  const [kind, setKind] = useState('other');
  const [over, setOver] = useState(false);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);

  const send = async (files: File[]) => {
    if (!files.length) return;
    setProgress({ done: 0, total: files.length });
    let ok = 0;
    for (const [i, file] of files.entries()) {
      try {
        await upload.mutateAsync({ file, kind });
        ok++;
      } catch (err) {
        notifyError(err, `Could not upload ${file.name}`);
      }
      setProgress({ done: i + 1, total: files.length });
    }
    setProgress(null);
    if (ok) notifySuccess(ok === 1 ? 'The file was uploaded.' : `${ok} files were uploaded.`);
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (canWrite) void send([...e.dataTransfer.files]);
  };

  return (
    <Stack gap="md">
      {canWrite ? (
        <div
          className={classes.dropzone}
          data-over={over || undefined}
          onDragOver={(e) => {
            e.preventDefault();
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={onDrop}
          role="group"
          aria-label="Upload attachments"
        >
          <Group justify="center" gap="sm" wrap="wrap">
            <IconFileUpload size={22} aria-hidden color="var(--mantine-color-gray-6)" />
            <Text size="sm">Drop files here, or</Text>
            <Button size="xs" variant="default" onClick={() => input.current?.click()} loading={progress !== null}>
              Choose files…
            </Button>
            <Select aria-label="Kind of file" size="xs" w={120} data={KINDS} value={kind} onChange={(v) => setKind(v ?? 'other')} allowDeselect={false} />
          </Group>
          <Text size="xs" c="dimmed" mt={6}>
            {progress ? `Uploading ${progress.done + 1 > progress.total ? progress.total : progress.done + 1} of ${progress.total}…` : 'PDF, images, text/CSV, Word and Excel files.'}
          </Text>
          <input
            ref={input}
            type="file"
            multiple
            accept={ACCEPT}
            hidden
            aria-label="Files to upload"
            onChange={(e) => {
              const files = [...(e.currentTarget.files ?? [])];
              e.currentTarget.value = '';
              void send(files);
            }}
          />
        </div>
      ) : null}
      <Paper withBorder>
        {list.isPending ? (
          <LoadingBlock label="Loading attachments…" />
        ) : list.isError ? (
          <ErrorBlock error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <Table.ScrollContainer minWidth={640} type="native">
            <Table aria-label="Attachments">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>File</Table.Th>
                  <Table.Th>Kind</Table.Th>
                  <Table.Th ta="right">Size</Table.Th>
                  <Table.Th>Uploaded</Table.Th>
                  <Table.Th w={90} aria-label="Actions" />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.data.length === 0 ? (
                  <Table.Tr>
                    <Table.Td colSpan={5}>
                      <Text size="sm" c="dimmed" ta="center" py="md">
                        No attachments yet.
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ) : null}
                {list.data.map((f) => (
                  <Table.Tr key={f.id}>
                    <Table.Td>
                      <Anchor href={attachmentUrl(f.id)} size="sm" target="_blank" rel="noopener">
                        {f.fileName}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{humanize(f.kind)}</Table.Td>
                    <Table.Td ta="right">{formatBytes(f.sizeBytes)}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      {formatDateTime(f.createdAt)}
                      {f.uploadedBy ? (
                        <Text span size="xs" c="dimmed">
                          {' '}
                          by {f.uploadedBy.displayName}
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4} wrap="nowrap">
                        <Button component="a" href={attachmentUrl(f.id)} download={f.fileName} size="compact-xs" variant="subtle" aria-label={`Download ${f.fileName}`}>
                          <IconDownload size={14} aria-hidden />
                        </Button>
                        {canWrite ? (
                          <ConfirmButton
                            label={`Delete ${f.fileName}`}
                            title="Delete attachment"
                            icon={<IconTrash size={16} aria-hidden />}
                            message={`Delete “${f.fileName}”? The deletion is recorded in the asset's history.`}
                            confirmLabel="Delete file"
                            onConfirm={async () => {
                              await del.mutateAsync(f.id);
                              notifySuccess(`“${f.fileName}” was deleted.`);
                            }}
                          />
                        ) : null}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Paper>
    </Stack>
  );
}
