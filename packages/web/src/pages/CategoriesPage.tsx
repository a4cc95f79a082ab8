import { useState } from 'react';
import { Button, Paper } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useNavigate } from 'react-router-dom';
import { useCan } from '../app/session';
import { CategoriesTable } from '../modules/catalog/CategoriesTable';
import { CategoryModal } from '../modules/catalog/CategoryModal';
import { useCategoryList } from '../modules/catalog/hooks';
import type { Category } from '../modules/catalog/types';
import { PageHeader } from '../ui/PageHeader';
import { QueryState } from '../ui/QueryState';

/** Categories of the catalog (catalog.read); editing needs catalog.manage. */
export function CategoriesPage() {
  const can = useCan();
  const canManage = can('catalog.manage');
  const categories = useCategoryList();
  const navigate = useNavigate();
  // undefined = closed, null = creating, a category = editing it.
  const [editing, setEditing] = useState<Category | null | undefined>(undefined);

  return (
    <>
      <PageHeader
        title="Categories"
        description="Kinds of devices, with their asset class, acceptance terms, tag pattern and custom fields."
        actions={
          canManage ? (
            <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setEditing(null)}>
              New category
            </Button>
          ) : null
        }
      />
      <Paper withBorder>
        <QueryState query={categories} loadingLabel="Loading categories…">
          {(list) => <CategoriesTable categories={list} canManage={canManage} onEdit={setEditing} />}
        </QueryState>
      </Paper>
      {editing !== undefined ? (
        <CategoryModal category={editing} onClose={() => setEditing(undefined)} onCreated={(c) => void navigate(`/catalog/categories/${c.id}`)} />
      ) : null}
    </>
  );
}
