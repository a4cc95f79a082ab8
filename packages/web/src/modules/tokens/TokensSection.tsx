import { useState } from 'react';
import { Button, Group, Text } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useCan } from '../../app/session';
import { QueryState } from '../../ui/QueryState';
import { CreateTokenModal } from './CreateTokenModal';
import { TokensTable } from './TokensTable';
import { useTokens } from './hooks';

/** Profile → API tokens: the table plus the create modal. */
export function TokensSection() {
  const can = useCan();
  const tokens = useTokens();
  const [creating, setCreating] = useState(false);
  return (
    <>
      <Group justify="space-between" mb="sm" gap="sm">
        <Text size="sm" c="dimmed" maw={640}>
          Tokens let scripts and the command-line tool call the API. {can('token.service') ? 'Service tokens of the organization are listed too.' : ''}
        </Text>
        <Button size="sm" leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setCreating(true)}>
          Create token
        </Button>
      </Group>
      <QueryState query={tokens} loadingLabel="Loading tokens…">
        {(list) => <TokensTable tokens={list} showOwner={can('token.service')} />}
      </QueryState>
      {creating ? <CreateTokenModal onClose={() => setCreating(false)} /> : null}
    </>
  );
}
