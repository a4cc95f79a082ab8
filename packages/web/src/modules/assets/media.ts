/** Data-bearing media types (asset_media.media_type) and capacity helpers. */
export const MEDIA_TYPES = [
  { value: 'hdd', label: 'HDD' },
  { value: 'ssd', label: 'SSD' },
  { value: 'nvme', label: 'NVMe' },
  { value: 'flash', label: 'Flash' },
  { value: 'tape', label: 'Tape' },
  { value: 'optical', label: 'Optical' },
  { value: 'mobile', label: 'Mobile storage' },
];

/** Sanitized and destroyed are shown but set only by sanitization records. */
export const MEDIA_STATUSES = [
  { value: 'installed', label: 'Installed' },
  { value: 'removed', label: 'Removed (still ours, out of the device)' },
  { value: 'sanitized', label: 'Sanitized', disabled: true },
  { value: 'destroyed', label: 'Destroyed', disabled: true },
];

export const mediaTypeLabel = (t: string) => MEDIA_TYPES.find((m) => m.value === t)?.label ?? t;

/** Decimal gigabytes (as drives are sold) → bytes; null when empty. */
export function gbToBytes(gb: number | string): number | null {
  if (gb === '' || gb === null) return null;
  const n = Number(gb);
  return Number.isFinite(n) ? Math.round(n * 1e9) : null;
}

export function bytesToGb(bytes: number | null | undefined): number | '' {
  return bytes === null || bytes === undefined ? '' : Math.round((bytes / 1e9) * 100) / 100;
}

/** `512 GB`, `2 TB`, `—`. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : Math.round(v * 10) / 10} ${units[i]}`;
}

/** Styles for inputs of codes (tags, serials, MAC/IP): monospace value, normal label. */
export const MONO_INPUT = { input: { fontFamily: 'var(--mantine-font-family-monospace)' } };
