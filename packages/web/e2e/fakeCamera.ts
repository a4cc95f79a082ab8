/**
 * A fake camera for Chromium (`--use-file-for-fake-video-capture=<file.y4m>`): a Y4M video whose
 * frames show a QR code, drawn from the `qrcode` package's module matrix. Y4M is a text header
 * followed by raw YUV 4:2:0 frames, so no ffmpeg is needed.
 */
import { writeFileSync } from 'node:fs';
import QRCode from 'qrcode';

export function writeQrVideo(path: string, text: string, { width = 640, height = 480, frames = 10 } = {}): void {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const quiet = 4;
  const scale = Math.floor(Math.min(width, height) * 0.8 / (size + quiet * 2));
  const side = (size + quiet * 2) * scale;
  const left = Math.floor((width - side) / 2);
  const top = Math.floor((height - side) / 2);

  // Luma: a light grey background, a white quiet zone, black modules.
  const y = Buffer.alloc(width * height, 200);
  for (let row = 0; row < side; row++) {
    for (let col = 0; col < side; col++) {
      const mr = Math.floor(row / scale) - quiet;
      const mc = Math.floor(col / scale) - quiet;
      const dark = mr >= 0 && mc >= 0 && mr < size && mc < size && qr.modules.get(mr, mc);
      y[(top + row) * width + left + col] = dark ? 0 : 255;
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2), 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(path, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
}
