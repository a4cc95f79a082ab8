import { Button, Center, Stack, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { Link, useLocation } from 'react-router-dom';

export function NotFoundPage() {
  const { pathname } = useLocation();
  useDocumentTitle('Page not found · Custodian');
  return (
    <Center py={80}>
      <Stack align="center" gap="sm" maw={460}>
        <Text fz={48} fw={700} c="dimmed" lh={1}>
          404
        </Text>
        <Title order={1} fz="h3">
          Page not found
        </Title>
        <Text size="sm" c="dimmed" ta="center">
          There is no page at <code>{pathname}</code>. It may have moved, or the link is mistyped.
        </Text>
        <Button component={Link} to="/" variant="light" mt="xs">
          Back to the dashboard
        </Button>
      </Stack>
    </Center>
  );
}
