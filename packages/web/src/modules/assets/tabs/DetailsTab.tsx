import type { ReactNode } from 'react';
import { Anchor, Badge, Group, Paper, SimpleGrid, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import { formatTimestamp, formatValue } from '../../../ui/format';
import { formatMoney } from '../columns';
import type { AssetDetail, CustomField } from '../contract';
import { useCategoryFields } from '../lookups';
import { TargetLabel } from './custodyBits';
import classes from './tabs.module.css';

export function DetailList({ children }: { children: ReactNode }) {
  return <dl className={classes.dl}>{children}</dl>;
}

export function Detail({ label, children }: { label: string; children: ReactNode }) {
  const empty = children === null || children === undefined || children === '';
  return (
    <div className={classes.item}>
      <dt className={classes.dt}>{label}</dt>
      <dd className={classes.dd}>{empty ? <Text span c="dimmed">—</Text> : children}</dd>
    </div>
  );
}

function fieldValue(f: CustomField | undefined, v: unknown): ReactNode {
  if (v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length)) return null;
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  if (f?.type === 'url' && typeof v === 'string') {
    return (
      <Anchor href={v} target="_blank" rel="noopener noreferrer nofollow" size="sm">
        {v}
      </Anchor>
    );
  }
  if (f?.type === 'multi_select' && Array.isArray(v)) {
    return (
      <Group gap={4}>
        {v.map((x) => (
          <Badge key={String(x)} size="sm" variant="light" tt="none">
            {String(x)}
          </Badge>
        ))}
      </Group>
    );
  }
  return formatValue(v);
}

function Block({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper withBorder p="md">
      <Title order={3} fz="sm" fw={600} mb="xs">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

/** Every field of the asset, grouped, with the category's custom fields in their order. */
export function DetailsTab({ asset }: { asset: AssetDetail }) {
  const fields = useCategoryFields(asset.category.id);
  const defs = fields.data ?? [];
  const known = new Set(defs.map((f) => f.key));
  const extraKeys = Object.keys(asset.customFields ?? {}).filter((k) => !known.has(k));
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
      <Block title="Identification">
        <DetailList>
          <Detail label="Asset tag">
            <Text span size="sm" ff="monospace" fw={600}>
              {asset.assetTag}
            </Text>
          </Detail>
          <Detail label="Serial number">{asset.serial ? <Text span size="sm" ff="monospace">{asset.serial}</Text> : null}</Detail>
          <Detail label="Name">{asset.name}</Detail>
          <Detail label="Model">{asset.model.name}</Detail>
          <Detail label="Category">{asset.category.name}</Detail>
          <Detail label="Manufacturer">{asset.manufacturer?.name}</Detail>
          <Detail label="Data-bearing">{asset.dataBearing ? 'Yes' : 'No'}</Detail>
          <Detail label="Parent asset">
            {asset.parent ? (
              <Anchor component={Link} to={`/assets/${asset.parent.id}`} ff="monospace" size="sm">
                {asset.parent.assetTag}
              </Anchor>
            ) : null}
          </Detail>
        </DetailList>
      </Block>
      <Block title={`${asset.category.name} fields`}>
        {defs.length || extraKeys.length ? (
          <DetailList>
            {defs.map((f) => (
              <Detail key={f.id} label={f.label}>
                {fieldValue(f, asset.customFields?.[f.key])}
              </Detail>
            ))}
            {extraKeys.map((k) => (
              <Detail key={k} label={k}>
                {fieldValue(undefined, asset.customFields[k])}
              </Detail>
            ))}
          </DetailList>
        ) : (
          <Text size="sm" c="dimmed">
            {fields.isPending ? 'Loading…' : 'This category has no custom fields.'}
          </Text>
        )}
      </Block>
      <Block title="Location and ownership">
        <DetailList>
          <Detail label="Location">{asset.location?.name}</Detail>
          <Detail label="Default location">{asset.defaultLocation?.name}</Detail>
          <Detail label="Department">{asset.department?.name}</Detail>
          <Detail label="Assigned to">
            {asset.currentAssignment ? <TargetLabel type={asset.currentAssignment.targetType} id={asset.currentAssignment.target.id} label={asset.currentAssignment.target.label} /> : null}
          </Detail>
        </DetailList>
      </Block>
      <Block title="Purchase, warranty and end of life">
        <DetailList>
          <Detail label="Supplier">{asset.supplier?.name}</Detail>
          <Detail label="Purchase date">{asset.purchaseDate}</Detail>
          <Detail label="Purchase cost">{asset.purchaseCost === null ? null : formatMoney(asset.purchaseCost, asset.currency)}</Detail>
          <Detail label="Order number">{asset.orderNumber}</Detail>
          <Detail label="Invoice number">{asset.invoiceNumber}</Detail>
          <Detail label="Warranty end">{asset.warrantyEnd}</Detail>
          <Detail label="End of life">{asset.eolDate}</Detail>
        </DetailList>
      </Block>
      <Block title="Notes">
        {asset.notes ? (
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
            {asset.notes}
          </Text>
        ) : (
          <Text size="sm" c="dimmed">
            No notes.
          </Text>
        )}
      </Block>
      <Block title="Record">
        <DetailList>
          <Detail label="Created">{formatTimestamp(asset.createdAt)}</Detail>
          <Detail label="Updated">{formatTimestamp(asset.updatedAt)}</Detail>
          {asset.deletedAt ? <Detail label="Deleted">{formatTimestamp(asset.deletedAt)}</Detail> : null}
          <Detail label="Id">
            <Text span ff="monospace" size="xs">
              {asset.id}
            </Text>
          </Detail>
        </DetailList>
      </Block>
    </SimpleGrid>
  );
}
