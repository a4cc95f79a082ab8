import { Group, Paper, SimpleGrid, Text, ThemeIcon, UnstyledButton } from '@mantine/core';
import type { Icon } from '@tabler/icons-react';
import { IconActivity, IconBuildingCommunity, IconClock, IconKey, IconUsers } from '@tabler/icons-react';
import { Link } from 'react-router-dom';
import type { DashboardSummary } from '../../api';
import type { Permission } from '../../app/permissions';
import { useCan } from '../../app/session';
import classes from './CountCards.module.css';

interface Card {
  key: keyof DashboardSummary['counts'];
  label: string;
  icon: Icon;
  color: string;
  link?: string;
  /** Shown only with this permission (the server reports null otherwise). */
  permission?: Permission;
  linkPermission?: Permission;
}

const CARDS: readonly Card[] = [
  { key: 'members', label: 'Members', icon: IconUsers, color: 'brand', link: '/admin/users', linkPermission: 'member.read' },
  { key: 'departments', label: 'Departments', icon: IconBuildingCommunity, color: 'grape', link: '/departments', linkPermission: 'department.read' },
  { key: 'activeTokens', label: 'Active API tokens', icon: IconKey, color: 'orange', link: '/profile', },
  { key: 'events', label: 'Events', icon: IconActivity, color: 'teal', link: '/events', permission: 'event.read' },
  { key: 'eventsLast24h', label: 'Events, last 24 h', icon: IconClock, color: 'cyan', link: '/events', permission: 'event.read' },
];

/** The dashboard's count cards; each links to its area when the user may open it. */
export function CountCards({ counts }: { counts: DashboardSummary['counts'] }) {
  const can = useCan();
  const cards = CARDS.filter((c) => (!c.permission || can(c.permission)) && counts[c.key] !== null);
  return (
    <SimpleGrid cols={{ base: 2, md: 3, lg: 5 }} spacing="sm">
      {cards.map((c) => {
        const body = (
          <Group justify="space-between" align="flex-start" wrap="nowrap" gap="xs">
            <div>
              <Text size="sm" c="dimmed" fw={500} className={classes.label}>
                {c.label}
              </Text>
              <Text fz={28} fw={700} lh={1.2} mt={4} data-testid={`count-${c.key}`}>
                {(counts[c.key] ?? 0).toLocaleString()}
              </Text>
            </div>
            <ThemeIcon variant="light" color={c.color} size="lg" radius="md" aria-hidden>
              <c.icon size={20} stroke={1.7} />
            </ThemeIcon>
          </Group>
        );
        const linkable = c.link && (!c.linkPermission || can(c.linkPermission));
        return (
          <Paper key={c.key} withBorder p="md" radius="md" className={classes.card} role="group" aria-label={`${c.label}: ${counts[c.key]}`}>
            {linkable && c.link ? (
              <UnstyledButton component={Link} to={c.link} className={classes.link}>
                {body}
              </UnstyledButton>
            ) : (
              body
            )}
          </Paper>
        );
      })}
    </SimpleGrid>
  );
}
