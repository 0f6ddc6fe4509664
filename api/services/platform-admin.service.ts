import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config';
import type { Platform, PlatformInput, PlatformRepository } from '../db/platform.repository';
import { imageExtension, sniffImageType } from '../domain/image-type';
import { AppError, ErrorCode } from '../errors';

/** The platform catalog as admins manage it (SPEC §3): add, edit, enable/disable, order, logo. */
export function createPlatformAdminService(deps: {
  platforms: PlatformRepository;
  config: Pick<Config, 'UPLOAD_DIR' | 'LOGO_MAX_BYTES'>;
}) {
  const { platforms, config } = deps;
  const logoDir = path.resolve(config.UPLOAD_DIR, 'logos');

  return {
    list: () => platforms.list(),

    async create(input: PlatformInput): Promise<Platform> {
      const created = await platforms.create(input);
      if (!created) throw new AppError(ErrorCode.SLUG_TAKEN, `A platform with the slug "${input.slug}" already exists`);
      return created;
    },

    async update(id: string, changes: Partial<Omit<PlatformInput, 'slug'>>): Promise<Platform> {
      const updated = await platforms.update(id, changes);
      if (!updated) throw AppError.notFound('Platform');
      return updated;
    },

    /**
     * Stores a logo after checking what it really is (by its bytes) and its size. Files are named by content hash,
     * written to a temporary name and renamed, so a reader never sees half a file and a URL never changes meaning.
     */
    async setLogo(id: string, bytes: Buffer): Promise<Platform> {
      if (bytes.length > config.LOGO_MAX_BYTES) {
        throw new AppError(
          ErrorCode.PAYLOAD_TOO_LARGE,
          `A logo may be at most ${Math.floor(config.LOGO_MAX_BYTES / 1024)} KB`,
        );
      }
      const type = sniffImageType(bytes);
      if (!type) throw new AppError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'A logo must be a PNG, JPEG or WebP image');
      if (!(await platforms.findById(id))) throw AppError.notFound('Platform');
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const file = `${id}-${sha256.slice(0, 16)}.${imageExtension[type]}`;
      await mkdir(logoDir, { recursive: true });
      const temporary = path.join(logoDir, `.${randomUUID()}.tmp`);
      await writeFile(temporary, bytes);
      await rename(temporary, path.join(logoDir, file));
      return (await platforms.setLogo(id, { file, contentType: type, sha256 }))!;
    },

    async logo(slug: string): Promise<{ bytes: Buffer; contentType: string; sha256: string }> {
      const platform = await platforms.findBySlug(slug);
      if (!platform?.logo) throw AppError.notFound('Logo');
      return {
        bytes: await readFile(path.join(logoDir, path.basename(platform.logo.file))),
        contentType: platform.logo.contentType,
        sha256: platform.logo.sha256,
      };
    },
  };
}

export type PlatformAdminService = ReturnType<typeof createPlatformAdminService>;
