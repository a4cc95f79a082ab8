import { AppShell, Burger, Group, NavLink, ScrollArea, Stack, Text, ThemeIcon } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconShieldCheck } from '@tabler/icons-react';
import { Link, Outlet, useLocation } from 'react-router-dom';
import { OrganizationSwitcher } from '../modules/organizations/OrganizationSwitcher';
import { CreateOrganizationButton } from '../modules/organizations/CreateOrganizationButton';
import { UserMenu } from '../modules/auth/UserMenu';
import { GlobalSearch } from '../modules/search/GlobalSearch';
import { ScanButton } from '../modules/scan/ScanButton';
import { AREAS, NAV_SECTIONS } from './areas';
import { useCan } from './session';
import classes from './AppLayout.module.css';

function isActive(path: string, pathname: string): boolean {
  return path === '/' ? pathname === '/' : pathname === path || pathname.startsWith(`${path}/`);
}

/** The signed-in frame: header (organization, user menu) and the registry-driven navigation. */
export function AppLayout() {
  const [navOpened, nav] = useDisclosure(false);
  const can = useCan();
  const { pathname } = useLocation();
  const visible = AREAS.filter((a) => a.nav !== false && (!a.permission || can(a.permission)));

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !navOpened } }} padding="lg">
      <a href="#main" className={classes.skip}>
        Skip to content
      </a>
      <AppShell.Header className={classes.header}>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap" gap="sm">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={navOpened} onClick={nav.toggle} hiddenFrom="sm" size="sm" aria-label={navOpened ? 'Close navigation' : 'Open navigation'} />
            <Link to="/" className={classes.brand} aria-label="Custodian home">
              <ThemeIcon size={30} radius="md" aria-hidden>
                <IconShieldCheck size={18} />
              </ThemeIcon>
              <Text fw={700} fz="lg" visibleFrom="xs">
                Custodian
              </Text>
            </Link>
            <OrganizationSwitcher />
            {can('org.create') ? <CreateOrganizationButton /> : null}
          </Group>
          <Group gap="xs" wrap="nowrap">
            <GlobalSearch />
            <ScanButton compact />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="xs" aria-label="Main navigation">
        <AppShell.Section grow component={ScrollArea}>
          <Stack gap="md" py="xs">
            {NAV_SECTIONS.map((section) => {
              const items = visible.filter((a) => a.section === section);
              if (!items.length) return null;
              return (
                <nav key={section} aria-label={section}>
                  <Text size="xs" fw={600} c="dimmed" tt="uppercase" px="sm" pb={4} className={classes.sectionLabel}>
                    {section}
                  </Text>
                  {items.map((a) => {
                    const active = isActive(a.path, pathname);
                    return (
                      <NavLink
                        key={a.path}
                        component={Link}
                        to={a.path}
                        label={a.label}
                        leftSection={<a.icon size={18} stroke={1.7} aria-hidden />}
                        active={active}
                        aria-current={active ? 'page' : undefined}
                        onClick={nav.close}
                        className={classes.navLink}
                      />
                    );
                  })}
                </nav>
              );
            })}
          </Stack>
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main id="main" className={classes.main}>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
