import { useState, type FormEvent } from 'react';
import { Anchor, Button, Group, Select, SimpleGrid, TextInput } from '@mantine/core';
import { IconPencil } from '@tabler/icons-react';
import { Link } from 'react-router-dom';
import { useCan } from '../../app/session';
import { formatDateTime } from '../../ui/format';
import { notifySuccess } from '../../ui/notify';
import { QueryState } from '../../ui/QueryState';
import { Section } from '../../ui/Section';
import { useFormErrors } from '../../ui/useFormErrors';
import { Dash, Detail } from '../catalog/bits';
import { useDepartments } from '../departments/hooks';
import { useLocationList } from '../locations/hooks';
import { locationPathLabel } from '../locations/types';
import { useMembers } from '../members/hooks';
import { useMemberProfile, useUpdateProfile } from './hooks';
import type { MemberProfile, MemberProfileInput } from './types';

const FIELDS = ['employeeNumber', 'title', 'phone', 'departmentId', 'locationId', 'managerUserId'] as const;

/** Employee number, title, phone, department, location and manager; editable with member.manage. */
export function ProfileSection({ userId, displayName }: { userId: string; displayName: string }) {
  const profile = useMemberProfile(userId);
  const can = useCan();
  const canManage = can('member.manage');
  const [editing, setEditing] = useState(false);

  return (
    <Section
      id="profile"
      title="Profile"
      description={profile.data?.updatedAt ? `Last changed ${formatDateTime(profile.data.updatedAt)}` : 'Where the person sits, their department and manager.'}
      actions={
        canManage && !editing && profile.data ? (
          <Button size="xs" variant="default" leftSection={<IconPencil size={14} aria-hidden />} onClick={() => setEditing(true)}>
            Edit profile
          </Button>
        ) : null
      }
    >
      <QueryState query={profile} loadingLabel="Loading profile…">
        {(p) => (editing ? <ProfileForm profile={p} userId={userId} displayName={displayName} onDone={() => setEditing(false)} /> : <ProfileView profile={p} />)}
      </QueryState>
    </Section>
  );
}

function ProfileView({ profile: p }: { profile: MemberProfile }) {
  return (
    <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="md" verticalSpacing="sm">
      <Detail label="Employee number">{p.employeeNumber ?? <Dash />}</Detail>
      <Detail label="Title">{p.title ?? <Dash />}</Detail>
      <Detail label="Phone">{p.phone ? <Anchor href={`tel:${p.phone}`} size="sm">{p.phone}</Anchor> : <Dash />}</Detail>
      <Detail label="Department">{p.department?.name ?? <Dash />}</Detail>
      <Detail label="Location">{p.location ? locationPathLabel(p.location) : <Dash />}</Detail>
      <Detail label="Manager">
        {p.manager ? (
          <Anchor component={Link} to={`/people/${p.manager.userId}`} size="sm">
            {p.manager.displayName}
          </Anchor>
        ) : (
          <Dash />
        )}
      </Detail>
    </SimpleGrid>
  );
}

function ProfileForm({ profile: p, userId, displayName, onDone }: { profile: MemberProfile; userId: string; displayName: string; onDone: () => void }) {
  const can = useCan();
  const update = useUpdateProfile(userId);
  const form = useFormErrors(FIELDS);
  const departments = useDepartments();
  const locations = useLocationList(can('location.read'));
  const members = useMembers('', can('member.read'));
  const [v, setV] = useState({
    employeeNumber: p.employeeNumber ?? '',
    title: p.title ?? '',
    phone: p.phone ?? '',
    departmentId: p.departmentId,
    locationId: p.locationId,
    managerUserId: p.managerUserId,
  });

  const departmentOptions = (departments.data ?? []).map((d) => ({ value: d.id, label: d.name }));
  if (p.department && !departmentOptions.some((o) => o.value === p.department?.id)) departmentOptions.unshift({ value: p.department.id, label: p.department.name });
  const locationOptions = (locations.data ?? []).map((l) => ({ value: l.id, label: locationPathLabel(l) }));
  if (p.location && !locationOptions.some((o) => o.value === p.location?.id)) locationOptions.unshift({ value: p.location.id, label: locationPathLabel(p.location) });
  // Everyone but the person themselves may be the manager (the server also refuses a loop).
  const managerOptions = (members.data ?? []).filter((m) => m.userId !== userId).map((m) => ({ value: m.userId, label: `${m.displayName} (${m.email})` }));
  if (p.manager && !managerOptions.some((o) => o.value === p.manager?.userId)) managerOptions.unshift({ value: p.manager.userId, label: p.manager.displayName });

  const setText = (k: 'employeeNumber' | 'title' | 'phone', value: string) => {
    setV((prev) => ({ ...prev, [k]: value }));
    form.clearField(k);
  };
  const setRef = (k: 'departmentId' | 'locationId' | 'managerUserId', value: string | null) => {
    setV((prev) => ({ ...prev, [k]: value }));
    form.clearField(k);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const full = {
      employeeNumber: v.employeeNumber.trim() || null,
      title: v.title.trim() || null,
      phone: v.phone.trim() || null,
      departmentId: v.departmentId,
      locationId: v.locationId,
      managerUserId: v.managerUserId,
    };
    const body: MemberProfileInput = {};
    for (const k of FIELDS) if (full[k] !== p[k]) body[k] = full[k];
    if (Object.keys(body).length === 0) {
      onDone();
      return;
    }
    update.mutate(body, {
      onSuccess: () => {
        notifySuccess(`The profile of ${displayName} was saved.`);
        onDone();
      },
      onError: (err) => form.handle(err, 'Could not save the profile'),
    });
  };

  return (
    <form onSubmit={submit} noValidate aria-label={`Profile of ${displayName}`}>
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
        <TextInput label="Employee number" maxLength={50} value={v.employeeNumber} onChange={(e) => setText('employeeNumber', e.currentTarget.value)} error={form.errors.employeeNumber} data-autofocus />
        <TextInput label="Title" maxLength={200} value={v.title} onChange={(e) => setText('title', e.currentTarget.value)} error={form.errors.title} />
        <TextInput label="Phone" type="tel" maxLength={50} value={v.phone} onChange={(e) => setText('phone', e.currentTarget.value)} error={form.errors.phone} />
        <Select
          label="Department"
          placeholder="None"
          data={departmentOptions}
          value={v.departmentId}
          onChange={(id) => setRef('departmentId', id)}
          searchable
          clearable
          nothingFoundMessage="No department matches"
          error={form.errors.departmentId}
          comboboxProps={{ withinPortal: true }}
        />
        <Select
          label="Location"
          placeholder="None"
          data={locationOptions}
          value={v.locationId}
          onChange={(id) => setRef('locationId', id)}
          searchable
          clearable
          nothingFoundMessage="No location matches"
          description="Assets checked out to the person follow it."
          error={form.errors.locationId}
          comboboxProps={{ withinPortal: true }}
        />
        <Select
          label="Manager"
          placeholder="None"
          data={managerOptions}
          value={v.managerUserId}
          onChange={(id) => setRef('managerUserId', id)}
          searchable
          clearable
          nothingFoundMessage="No user matches"
          error={form.errors.managerUserId}
          comboboxProps={{ withinPortal: true }}
        />
      </SimpleGrid>
      <Group justify="flex-end" gap="xs" mt="md">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" loading={update.isPending}>
          Save profile
        </Button>
      </Group>
    </form>
  );
}
