/**
 * The JavaScript decoders of the scanner, loaded on demand (browsers without BarcodeDetector):
 * jsQR for QR codes and ZXing for 1D barcodes and Data Matrix. QR goes to jsQR because ZXing-js
 * 0.21 fails on some valid QR codes (in our test ~6% of generated tags, mostly mask pattern 0;
 * jsQR read all of them). ZXing is imported by file: its index pulls in every reader, writer
 * and browser helper and declares no `sideEffects: false`.
 */
export { default as jsQR } from 'jsqr';
export { default as MultiFormatReader } from '@zxing/library/esm/core/MultiFormatReader';
export { default as BinaryBitmap } from '@zxing/library/esm/core/BinaryBitmap';
export { default as HybridBinarizer } from '@zxing/library/esm/core/common/HybridBinarizer';
export { default as DecodeHintType } from '@zxing/library/esm/core/DecodeHintType';
export { default as BarcodeFormat } from '@zxing/library/esm/core/BarcodeFormat';
export { default as NotFoundException } from '@zxing/library/esm/core/NotFoundException';
export { default as ChecksumException } from '@zxing/library/esm/core/ChecksumException';
export { default as FormatException } from '@zxing/library/esm/core/FormatException';
export { HTMLCanvasElementLuminanceSource } from '@zxing/library/esm/browser/HTMLCanvasElementLuminanceSource';
