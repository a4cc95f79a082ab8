import { useState } from 'react';
import { Button, Paper } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import type { Department } from '../api';
import { useCan } from '../app/session';
import { DepartmentModal } from '../modules/departments/DepartmentModal';
import { DepartmentsTable } from '../modules/departments/DepartmentsTable';
import { useDepartments } from '../modules/departments/hooks';
import { PageHeader } from '../ui/PageHeader';
import { QueryState } from '../ui/QueryState';

/** Departments and cost centres; editing needs department.manage. */
export function DepartmentsPage() {
  const can = useCan();
  const canManage = can('department.manage');
  const departments = useDepartments();
  // undefined = closed, null = creating, a department = editing it.
  const [editing, setEditing] = useState<Department | null | undefined>(undefined);

  return (
    <>
      <PageHeader
        title="Departments"
        description="Organizational units with their code, cost centre and manager."
        actions={
          canManage ? (
            <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setEditing(null)}>
              New department
            </Button>
          ) : null
        }
      />
      <Paper withBorder>
        <QueryState query={departments} loadingLabel="Loading departments…">
          {(list) => <DepartmentsTable departments={list} canManage={canManage} onEdit={setEditing} />}
        </QueryState>
      </Paper>
      {editing !== undefined ? <DepartmentModal department={editing} onClose={() => setEditing(undefined)} /> : null}
    </>
  );
}
