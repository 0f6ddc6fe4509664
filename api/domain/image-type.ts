/**
 * Identifies an uploaded image by its first bytes, never by the name or the declared type. Only raster formats:
 * SVG can carry script, so it is not accepted for logos shown to everyone.
 */
export type ImageType = 'image/png' | 'image/jpeg' | 'image/webp';

export function sniffImageType(bytes: Uint8Array): ImageType | undefined {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  // RIFF....WEBP
  if (
    starts(0x52, 0x49, 0x46, 0x46) &&
    bytes[8] === 0x57 &&
    bytes[9] === 0x45 &&
    bytes[10] === 0x42 &&
    bytes[11] === 0x50
  ) {
    return 'image/webp';
  }
  return undefined;
}

export const imageExtension: Record<ImageType, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
};

/** What a proof document may be (SPEC §6, §7): photos or a PDF, recognised by their bytes. */
export type DocumentType = 'image/jpeg' | 'image/png' | 'application/pdf';

export function sniffDocumentType(bytes: Uint8Array): DocumentType | undefined {
  const image = sniffImageType(bytes);
  if (image === 'image/png' || image === 'image/jpeg') return image;
  // "%PDF-"
  if ([0x25, 0x50, 0x44, 0x46, 0x2d].every((b, i) => bytes[i] === b)) return 'application/pdf';
  return undefined;
}

export const documentExtension: Record<DocumentType, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'application/pdf': 'pdf',
};
