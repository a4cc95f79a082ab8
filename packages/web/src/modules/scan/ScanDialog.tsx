import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { Alert, Box, Button, Group, Loader, Modal, Stack, Text, TextInput } from '@mantine/core';
import { IconAlertTriangle, IconCameraOff, IconSearch } from '@tabler/icons-react';
import { useNavigate } from 'react-router-dom';
import { describeError } from '../../ui/notify';
import { findAssetByTag } from '../search/hooks';
import { createDecoder, type FrameDecoder } from './decoder';
import classes from './ScanDialog.module.css';

type CameraState =
  | { kind: 'starting' }
  | { kind: 'scanning'; engine: FrameDecoder['engine'] }
  | { kind: 'unavailable'; title: string; message: string };

const SCAN_INTERVAL_MS = 150;

/** Why the camera could not start, in words a person can act on. */
function cameraProblem(err: unknown): { title: string; message: string } {
  const name = err instanceof DOMException ? err.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') {
    return { title: 'Camera permission denied', message: 'Allow camera access for this site in the browser (the camera icon in the address bar), then try again — or type the tag below.' };
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') {
    return { title: 'No camera found', message: 'This device has no camera we can use. Type the tag below instead.' };
  }
  if (name === 'NotReadableError' || name === 'AbortError') {
    return { title: 'The camera is busy', message: 'Another application is using the camera. Close it and try again, or type the tag below.' };
  }
  return { title: 'The camera could not start', message: `${err instanceof Error ? err.message : String(err)}. Type the tag below instead.` };
}

/** A scanned text: a link to an asset page of this app, or a tag. */
function assetPathOf(text: string): string | null {
  try {
    const url = new URL(text);
    if (url.origin === window.location.origin && /^\/assets\/[^/]+$/.test(url.pathname)) return url.pathname;
  } catch {
    // Not a URL: a tag.
  }
  return null;
}

/**
 * Scans an asset label with the camera (QR or barcode) and opens the asset with that tag; a
 * typed tag works the same when there is no camera or no permission.
 */
export function ScanDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Scan an asset tag" size="md" centered>
      {opened ? <ScanBody onClose={onClose} /> : null}
    </Modal>
  );
}

function ScanBody({ onClose }: { onClose: () => void }) {
  const navigate = useNavigate();
  const videoRef = useRef<HTMLVideoElement>(null);
  const [camera, setCamera] = useState<CameraState>({ kind: 'starting' });
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [tag, setTag] = useState('');
  const busyRef = useRef(false);
  const lastMissRef = useRef<{ text: string; at: number } | null>(null);

  const open = useCallback(
    async (text: string): Promise<boolean> => {
      const direct = assetPathOf(text);
      if (direct) {
        onClose();
        void navigate(direct);
        return true;
      }
      busyRef.current = true;
      setBusy(true);
      setMessage(null);
      try {
        const asset = await findAssetByTag(text);
        if (asset) {
          onClose();
          void navigate(`/assets/${asset.id}`);
          return true;
        }
        setMessage(`No asset has the tag “${text}”.`);
        return false;
      } catch (err) {
        setMessage(describeError(err).message);
        return false;
      } finally {
        busyRef.current = false;
        setBusy(false);
      }
    },
    [navigate, onClose],
  );

  useEffect(() => {
    let stopped = false;
    let stream: MediaStream | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const start = async () => {
      if (!navigator.mediaDevices?.getUserMedia) {
        setCamera({ kind: 'unavailable', title: 'No camera access here', message: 'This browser offers no camera on this page (camera access needs HTTPS). Type the tag below instead.' });
        return;
      }
      try {
        const [s, decoder] = await Promise.all([
          navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false }),
          createDecoder(),
        ]);
        stream = s;
        if (stopped) return;
        const video = videoRef.current;
        if (!video) return;
        video.srcObject = s;
        await video.play().catch(() => undefined);
        setCamera({ kind: 'scanning', engine: decoder.engine });
        const tick = async () => {
          if (stopped) return;
          if (!busyRef.current && video.readyState >= 2) {
            try {
              const text = await decoder.decode(video);
              const miss = lastMissRef.current;
              // The same unknown code stays in view: do not ask the server again every frame.
              if (text && !stopped && !(miss && miss.text === text && Date.now() - miss.at < 4000)) {
                const found = await open(text);
                if (found) return;
                lastMissRef.current = { text, at: Date.now() };
              }
            } catch {
              // A frame that cannot be decoded is not an error worth showing.
            }
          }
          timer = setTimeout(() => void tick(), SCAN_INTERVAL_MS);
        };
        void tick();
      } catch (err) {
        if (!stopped) setCamera({ kind: 'unavailable', ...cameraProblem(err) });
      }
    };
    void start();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      for (const t of stream?.getTracks() ?? []) t.stop();
    };
  }, [open]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (tag.trim()) void open(tag.trim());
  };

  return (
    <Stack gap="sm">
      {camera.kind === 'unavailable' ? (
        <Alert color="yellow" variant="light" icon={<IconCameraOff size={18} aria-hidden />} title={camera.title} role="alert">
          {camera.message}
        </Alert>
      ) : (
        <Box className={classes.viewport}>
          <video ref={videoRef} className={classes.video} muted playsInline aria-label="Camera preview" />
          <div className={classes.frame} aria-hidden />
          {camera.kind === 'starting' ? (
            <Group className={classes.overlay} gap="xs" justify="center">
              <Loader size="sm" color="white" />
              <Text size="sm" c="white">
                Starting the camera…
              </Text>
            </Group>
          ) : null}
        </Box>
      )}
      {camera.kind === 'scanning' ? (
        <Text size="xs" c="dimmed" role="status">
          Point the camera at the QR code or barcode on the label.{busy ? ' Looking it up…' : ''}
        </Text>
      ) : null}
      {message ? (
        <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} aria-hidden />} role="alert" py="xs">
          {message}
        </Alert>
      ) : null}
      <form onSubmit={submit} aria-label="Open by tag">
        <Group gap="xs" align="flex-end" wrap="nowrap">
          <TextInput
            label="Or type the tag"
            placeholder="LAP-00042"
            value={tag}
            onChange={(e) => setTag(e.currentTarget.value)}
            style={{ flex: 1 }}
            autoComplete="off"
            data-autofocus={camera.kind === 'unavailable' || undefined}
          />
          <Button type="submit" leftSection={<IconSearch size={14} aria-hidden />} loading={busy} disabled={!tag.trim()}>
            Open asset
          </Button>
        </Group>
      </form>
    </Stack>
  );
}
