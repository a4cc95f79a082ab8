/**
 * Reads QR codes and barcodes from video frames: the browser's BarcodeDetector where it exists
 * (Chrome on Android/macOS/ChromeOS, Safari), else jsQR and ZXing in JavaScript — loaded only
 * when the scanner opens in a browser without it, so they cost nothing elsewhere. No WebAssembly:
 * the Content-Security-Policy (`script-src 'self'`) does not allow compiling it.
 */

/** The parts of the Barcode Detection API we use (not in TypeScript's DOM library yet). */
interface DetectedBarcode {
  rawValue: string;
}
interface BarcodeDetectorInstance {
  detect(source: CanvasImageSource): Promise<DetectedBarcode[]>;
}
interface BarcodeDetectorClass {
  new (options?: { formats: string[] }): BarcodeDetectorInstance;
  getSupportedFormats(): Promise<string[]>;
}

const WANTED_FORMATS = ['qr_code', 'code_128', 'code_39', 'code_93', 'ean_13', 'ean_8', 'upc_a', 'upc_e', 'itf', 'data_matrix', 'codabar'];

export type FrameDecoder = {
  /** Which engine decodes (shown in the dialog, useful when support asks). */
  engine: 'native' | 'script';
  decode: (video: HTMLVideoElement) => Promise<string | null>;
};

async function nativeDecoder(): Promise<FrameDecoder | null> {
  const Detector = (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
  if (!Detector) return null;
  try {
    const supported = await Detector.getSupportedFormats();
    const formats = WANTED_FORMATS.filter((f) => supported.includes(f));
    if (!formats.includes('qr_code')) return null;
    const detector = new Detector({ formats });
    return {
      engine: 'native',
      decode: async (video) => {
        const found = await detector.detect(video);
        return found.find((b) => b.rawValue.trim())?.rawValue.trim() ?? null;
      },
    };
  } catch {
    return null;
  }
}

async function scriptDecoder(): Promise<FrameDecoder> {
  const lib = await import('./zxing');
  const hints = new Map<number, unknown>([
    [
      lib.DecodeHintType.POSSIBLE_FORMATS,
      [
        lib.BarcodeFormat.CODE_128, lib.BarcodeFormat.CODE_39, lib.BarcodeFormat.CODE_93, lib.BarcodeFormat.EAN_13, lib.BarcodeFormat.EAN_8,
        lib.BarcodeFormat.UPC_A, lib.BarcodeFormat.UPC_E, lib.BarcodeFormat.ITF, lib.BarcodeFormat.CODABAR, lib.BarcodeFormat.DATA_MATRIX,
      ],
    ],
    [lib.DecodeHintType.TRY_HARDER, true],
  ]);
  const reader = new lib.MultiFormatReader();
  reader.setHints(hints);
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  return {
    engine: 'script',
    decode: async (video) => {
      const w = video.videoWidth;
      const h = video.videoHeight;
      if (!ctx || !w || !h) return null;
      // Large frames are slow to scan; 800 px on the long side keeps labels readable.
      const scale = Math.min(1, 800 / Math.max(w, h));
      canvas.width = Math.round(w * scale);
      canvas.height = Math.round(h * scale);
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const qr = lib.jsQR(image.data, image.width, image.height, { inversionAttempts: 'attemptBoth' });
      if (qr?.data.trim()) return qr.data.trim();
      try {
        const bitmap = new lib.BinaryBitmap(new lib.HybridBinarizer(new lib.HTMLCanvasElementLuminanceSource(canvas)));
        return reader.decodeWithState(bitmap).getText().trim() || null;
      } catch (err) {
        // Nothing in this frame (NotFound), or a damaged code (Checksum/Format): try the next one.
        if (err instanceof lib.NotFoundException || err instanceof lib.ChecksumException || err instanceof lib.FormatException) return null;
        throw err;
      } finally {
        reader.reset();
      }
    },
  };
}

/** The best decoder this browser offers. */
export async function createDecoder(): Promise<FrameDecoder> {
  return (await nativeDecoder()) ?? (await scriptDecoder());
}
