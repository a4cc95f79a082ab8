import type { ReactNode } from 'react';
import { Box, Center, Group, Paper, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { IconShieldCheck } from '@tabler/icons-react';

/** Centered card for the screens outside the app shell (sign-in, setup). */
export function AuthCard({ title, subtitle, children }: { title: string; subtitle?: ReactNode; children: ReactNode }) {
  useDocumentTitle(`${title} · Custodian`);
  return (
    <Box mih="100vh" bg="gray.0" component="main">
      <Center mih="100vh" p="md">
        <Stack w="100%" maw={420} gap="lg">
          <Group gap="xs" justify="center">
            <ThemeIcon size="lg" radius="md" aria-hidden>
              <IconShieldCheck size={20} />
            </ThemeIcon>
            <Text fw={700} fz="xl">
              Custodian
            </Text>
          </Group>
          <Paper withBorder shadow="xs" radius="md" p="xl">
            <Stack gap="md">
              <Stack gap={4}>
                <Title order={1} fz="h3" fw={600}>
                  {title}
                </Title>
                {subtitle ? (
                  <Text size="sm" c="dimmed">
                    {subtitle}
                  </Text>
                ) : null}
              </Stack>
              {children}
            </Stack>
          </Paper>
        </Stack>
      </Center>
    </Box>
  );
}
