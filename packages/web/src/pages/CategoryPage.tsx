import { useState } from 'react';
import { Anchor, Badge, Breadcrumbs, Button, Code, Paper, SimpleGrid, Stack, Text } from '@mantine/core';
import { IconPencil } from '@tabler/icons-react';
import { Link, useParams } from 'react-router-dom';
import { useCan } from '../app/session';
import { Detail, YesNo } from '../modules/catalog/bits';
import { CategoryModal } from '../modules/catalog/CategoryModal';
import { FieldsEditor } from '../modules/catalog/FieldsEditor';
import { useCategory } from '../modules/catalog/hooks';
import { assetClassLabel, previewTag } from '../modules/catalog/types';
import { formatDateTime } from '../ui/format';
import { PageHeader } from '../ui/PageHeader';
import { QueryState } from '../ui/QueryState';
import { Section } from '../ui/Section';

/** One category: its settings, acceptance terms and the custom fields editor. */
export function CategoryPage() {
  const { categoryId = '' } = useParams();
  const category = useCategory(categoryId);
  const can = useCan();
  const canManage = can('catalog.manage');
  const [editing, setEditing] = useState(false);

  return (
    <>
      <Breadcrumbs mb="xs" fz="sm">
        <Anchor component={Link} to="/catalog/categories" size="sm">
          Categories
        </Anchor>
        <Text size="sm">{category.data?.name ?? '…'}</Text>
      </Breadcrumbs>
      <QueryState query={category} loadingLabel="Loading category…">
        {(c) => (
          <>
            <PageHeader
              title={c.name}
              description={`${assetClassLabel(c.assetClass)} category · ${c.modelCount} models · ${c.assetCount} assets`}
              actions={
                canManage ? (
                  <Button variant="default" leftSection={<IconPencil size={16} aria-hidden />} onClick={() => setEditing(true)}>
                    Edit category
                  </Button>
                ) : null
              }
            />
            <Stack gap="md">
              <Paper withBorder p="md">
                <SimpleGrid cols={{ base: 2, sm: 3, md: 6 }} spacing="md">
                  <Detail label="Asset class">{assetClassLabel(c.assetClass)}</Detail>
                  <Detail label="Data-bearing">
                    <YesNo value={c.dataBearing} />
                  </Detail>
                  <Detail label="Acceptance">
                    <YesNo value={c.requiresAcceptance} />
                  </Detail>
                  <Detail label="Tag pattern">
                    {c.tagPattern ? (
                      <>
                        <Code>{c.tagPattern}</Code>{' '}
                        <Text span size="xs" c="dimmed">
                          e.g. {previewTag(c.tagPattern) ?? '—'}
                        </Text>
                      </>
                    ) : (
                      <Text span size="sm" c="dimmed">
                        Organization default
                      </Text>
                    )}
                  </Detail>
                  <Detail label="Custom fields">{c.fieldCount}</Detail>
                  <Detail label="Last changed">{formatDateTime(c.updatedAt)}</Detail>
                </SimpleGrid>
              </Paper>
              <Section
                id="acceptance-terms"
                title="Acceptance terms"
                description={c.requiresAcceptance ? 'Shown to each person who receives an item of this category; they accept with a typed signature.' : 'Acceptance is not required for this category.'}
                actions={
                  c.acceptanceTermsVersion ? (
                    <Badge variant="light" color="gray" tt="none">
                      Version {c.acceptanceTermsVersion}
                    </Badge>
                  ) : null
                }
              >
                {c.acceptanceTerms ? (
                  <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                    {c.acceptanceTerms}
                  </Text>
                ) : (
                  <Text size="sm" c="dimmed">
                    No terms text.
                  </Text>
                )}
              </Section>
              <FieldsEditor category={c} canManage={canManage} />
            </Stack>
            {editing ? <CategoryModal category={c} onClose={() => setEditing(false)} /> : null}
          </>
        )}
      </QueryState>
    </>
  );
}
