import { useEffect, useMemo, useState, type KeyboardEvent, type ReactNode } from 'react';
import { Badge, Group, Kbd, Loader, Modal, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useDebouncedValue, useHotkeys, useOs } from '@mantine/hooks';
import { IconBox, IconMapPin, IconSearch, IconUser } from '@tabler/icons-react';
import { useNavigate } from 'react-router-dom';
import { useCan } from '../../app/session';
import { StateBadge } from '../assets/StateBadge';
import { findAssetByTag, sameTag, useQuickSearch } from './hooks';
import classes from './GlobalSearch.module.css';

interface Hit {
  key: string;
  group: 'Assets' | 'People' | 'Locations';
  icon: ReactNode;
  title: string;
  subtitle?: string;
  badge?: ReactNode;
  to: string;
}

/** Header button + Ctrl-K / Cmd-K: the global quick search over assets, people and locations. */
export function GlobalSearch() {
  const can = useCan();
  const os = useOs();
  const [opened, setOpened] = useState(false);
  const enabled = can('asset.read');
  // Ctrl-K works everywhere, also while typing in a field.
  useHotkeys(enabled ? [['mod+K', () => setOpened(true)]] : [], []);
  if (!enabled) return null;
  const mac = os === 'macos' || os === 'ios';
  return (
    <>
      <UnstyledButton className={classes.trigger} onClick={() => setOpened(true)} aria-label="Search" aria-keyshortcuts={mac ? 'Meta+K' : 'Control+K'}>
        <Group gap={8} wrap="nowrap">
          <IconSearch size={15} aria-hidden />
          <Text size="sm" c="dimmed" visibleFrom="md">
            Search…
          </Text>
          <Group gap={2} visibleFrom="md" aria-hidden>
            <Kbd size="xs">{mac ? '⌘' : 'Ctrl'}</Kbd>
            <Kbd size="xs">K</Kbd>
          </Group>
        </Group>
      </UnstyledButton>
      <Modal opened={opened} onClose={() => setOpened(false)} withCloseButton={false} size="lg" padding={0} yOffset="10vh" title="Search" styles={{ header: { display: 'none' } }}>
        {opened ? <SearchPanel onClose={() => setOpened(false)} /> : null}
      </Modal>
    </>
  );
}

function SearchPanel({ onClose }: { onClose: () => void }) {
  const navigate = useNavigate();
  const [q, setQ] = useState('');
  const [debounced] = useDebouncedValue(q, 150);
  const [active, setActive] = useState(0);
  const [moved, setMoved] = useState(false);
  const [notFound, setNotFound] = useState<string | null>(null);
  const results = useQuickSearch(debounced, true);

  const hits = useMemo<Hit[]>(() => {
    const r = results.data;
    if (!r || !debounced.trim()) return [];
    return [
      ...r.assets.map((a) => ({
        key: `a-${a.id}`,
        group: 'Assets' as const,
        icon: <IconBox size={16} aria-hidden />,
        title: a.assetTag,
        subtitle: [a.name, a.serial ? `S/N ${a.serial}` : null].filter(Boolean).join(' · '),
        badge: a.lifecycleState ? <StateBadge state={a.lifecycleState} size="xs" /> : null,
        to: `/assets/${a.id}`,
      })),
      ...r.people.map((p) => ({
        key: `p-${p.userId}`,
        group: 'People' as const,
        icon: <IconUser size={16} aria-hidden />,
        title: p.displayName,
        subtitle: p.email,
        to: `/people/${encodeURIComponent(p.userId)}`,
      })),
      ...r.locations.map((l) => ({
        key: `l-${l.id}`,
        group: 'Locations' as const,
        icon: <IconMapPin size={16} aria-hidden />,
        title: l.name,
        subtitle: `${l.pathNames.length ? l.pathNames.join(' / ') : l.name} · assets here`,
        to: `/assets?locationId=${encodeURIComponent(l.id)}`,
      })),
    ];
  }, [results.data, debounced]);

  useEffect(() => {
    setActive(0);
    setMoved(false);
    setNotFound(null);
  }, [debounced]);

  const go = (to: string) => {
    onClose();
    void navigate(to);
  };

  const onKeyDown = async (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!hits.length) return;
      setMoved(true);
      setActive((i) => (e.key === 'ArrowDown' ? (i + 1) % hits.length : (i - 1 + hits.length) % hits.length));
      return;
    }
    if (e.key !== 'Enter') return;
    e.preventDefault();
    const text = q.trim();
    if (!text) return;
    const chosen = hits[active];
    if (moved && chosen) return go(chosen.to);
    // Enter on an exact tag opens that asset, even before the result list caught up with typing.
    const listed = results.data?.assets.find((a) => sameTag(a.assetTag, text));
    if (listed && debounced.trim() === text) return go(`/assets/${listed.id}`);
    try {
      const exact = await findAssetByTag(text);
      if (exact) return go(`/assets/${exact.id}`);
    } catch {
      // Fall through to the highlighted result.
    }
    if (chosen && debounced.trim() === text) return go(chosen.to);
    setNotFound(text);
  };

  const activeId = hits[active] ? `search-hit-${hits[active].key}` : undefined;
  let lastGroup = '';
  return (
    <div>
      <TextInput
        size="lg"
        variant="unstyled"
        px="md"
        className={classes.input}
        placeholder="Search assets by tag, serial or name, people, locations…"
        aria-label="Search"
        role="combobox"
        aria-expanded={hits.length > 0}
        aria-controls="search-results"
        aria-activedescendant={activeId}
        aria-autocomplete="list"
        leftSection={<IconSearch size={18} aria-hidden />}
        rightSection={results.isFetching ? <Loader size="xs" /> : null}
        value={q}
        onChange={(e) => setQ(e.currentTarget.value)}
        onKeyDown={(e) => void onKeyDown(e)}
        data-autofocus
        autoComplete="off"
      />
      <div id="search-results" role="listbox" aria-label="Search results" className={classes.results}>
        {hits.map((h, i) => {
          const header = h.group !== lastGroup ? h.group : null;
          lastGroup = h.group;
          return (
            <div key={h.key}>
              {header ? (
                <Text size="xs" fw={600} c="dimmed" tt="uppercase" px="md" pt="xs" pb={2} aria-hidden>
                  {header}
                </Text>
              ) : null}
              <div
                id={`search-hit-${h.key}`}
                role="option"
                aria-selected={i === active}
                className={classes.hit}
                data-active={i === active || undefined}
                onMouseMove={() => setActive(i)}
                onClick={() => go(h.to)}
              >
                <Group gap="sm" wrap="nowrap">
                  <span className={classes.icon}>{h.icon}</span>
                  <Stack gap={0} style={{ minWidth: 0, flex: 1 }}>
                    <Text size="sm" fw={500} ff={h.group === 'Assets' ? 'monospace' : undefined} truncate>
                      {h.title}
                    </Text>
                    {h.subtitle ? (
                      <Text size="xs" c="dimmed" truncate>
                        {h.subtitle}
                      </Text>
                    ) : null}
                  </Stack>
                  {h.badge}
                </Group>
              </div>
            </div>
          );
        })}
        {debounced.trim() && results.data && !hits.length ? (
          <Text size="sm" c="dimmed" px="md" py="md">
            Nothing matches “{debounced.trim()}”.
          </Text>
        ) : null}
        {notFound ? (
          <Text size="sm" c="orange.8" px="md" py="xs" role="alert">
            No asset has the tag “{notFound}”.
          </Text>
        ) : null}
      </div>
      <Group gap="md" px="md" py={6} className={classes.footer}>
        <Text size="xs" c="dimmed">
          <Kbd size="xs">↑</Kbd> <Kbd size="xs">↓</Kbd> move
        </Text>
        <Text size="xs" c="dimmed">
          <Kbd size="xs">Enter</Kbd> open (an exact tag opens its asset)
        </Text>
        <Text size="xs" c="dimmed">
          <Kbd size="xs">Esc</Kbd> close
        </Text>
        {results.isError ? (
          <Badge color="red" variant="light" size="sm" tt="none">
            Search failed
          </Badge>
        ) : null}
      </Group>
    </div>
  );
}
