import { useState } from 'react';
import { ActionIcon, Button, Tooltip } from '@mantine/core';
import { IconScan } from '@tabler/icons-react';
import { useCan } from '../../app/session';
import { ScanDialog } from './ScanDialog';

/** "Scan" opens the camera scanner; `compact` is the icon-only header variant. */
export function ScanButton({ compact = false }: { compact?: boolean }) {
  const can = useCan();
  const [opened, setOpened] = useState(false);
  if (!can('asset.read')) return null;
  return (
    <>
      {compact ? (
        <Tooltip label="Scan an asset tag" withArrow>
          <ActionIcon variant="default" size="lg" aria-label="Scan an asset tag" onClick={() => setOpened(true)}>
            <IconScan size={18} aria-hidden />
          </ActionIcon>
        </Tooltip>
      ) : (
        <Button variant="default" leftSection={<IconScan size={16} aria-hidden />} onClick={() => setOpened(true)}>
          Scan
        </Button>
      )}
      <ScanDialog opened={opened} onClose={() => setOpened(false)} />
    </>
  );
}
