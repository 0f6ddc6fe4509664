import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import type { Config } from '../config';
import type { Db } from '../db/knex';
import { documentExtension, sniffDocumentType, type DocumentType } from '../domain/image-type';
import { AppError, ErrorCode } from '../errors';

export type DocumentPurpose = 'loan_proof' | 'claim_proof';

export interface StoredDocument {
  id: string;
  workerId: string;
  purpose: DocumentPurpose;
  contentType: DocumentType;
  byteSize: number;
  sha256: string;
  attachedTo: string | null;
  erasedAt: Date | null;
  createdAt: Date;
}

interface DocumentRow {
  id: string;
  worker_id: string;
  purpose: DocumentPurpose;
  content_type: DocumentType;
  byte_size: number;
  sha256: string;
  file: string;
  attached_to: string | null;
  erased_at: Date | null;
  created_at: Date;
}

const toDocument = (row: DocumentRow): StoredDocument => ({
  id: row.id,
  workerId: row.worker_id,
  purpose: row.purpose,
  contentType: row.content_type,
  byteSize: row.byte_size,
  sha256: row.sha256,
  attachedTo: row.attached_to,
  erasedAt: row.erased_at,
  createdAt: row.created_at,
});

/**
 * Proof documents for loans and claims (SPEC §6, §7): stored as files under UPLOAD_DIR/documents, recognised by
 * their bytes (JPEG, PNG or PDF), size-limited, owned by one worker and attached to exactly one request.
 */
export function createDocumentService(deps: { db: Db; config: Pick<Config, 'UPLOAD_DIR' | 'DOCUMENT_MAX_BYTES'> }) {
  const { db, config } = deps;
  const dir = path.resolve(config.UPLOAD_DIR, 'documents');

  return {
    async upload(workerId: string, purpose: DocumentPurpose, bytes: Buffer): Promise<StoredDocument> {
      if (bytes.length === 0) throw new AppError(ErrorCode.VALIDATION_FAILED, 'The document is empty');
      if (bytes.length > config.DOCUMENT_MAX_BYTES) {
        throw new AppError(
          ErrorCode.PAYLOAD_TOO_LARGE,
          `A document may be at most ${Math.floor(config.DOCUMENT_MAX_BYTES / (1024 * 1024))} MB`,
        );
      }
      const contentType = sniffDocumentType(bytes);
      if (!contentType) {
        throw new AppError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'A document must be a JPEG or PNG photo or a PDF');
      }
      const id = randomUUID();
      const file = `${id}.${documentExtension[contentType]}`;
      await mkdir(dir, { recursive: true });
      const temporary = path.join(dir, `.${id}.tmp`);
      await writeFile(temporary, bytes);
      await rename(temporary, path.join(dir, file));
      try {
        const [row] = await db<DocumentRow>('documents')
          .insert({
            id,
            worker_id: workerId,
            purpose,
            content_type: contentType,
            byte_size: bytes.length,
            sha256: createHash('sha256').update(bytes).digest('hex'),
            file,
          })
          .returning('*');
        return toDocument(row!);
      } catch (err) {
        await rm(path.join(dir, file), { force: true });
        throw err;
      }
    },

    /**
     * Binds the worker's unused documents to a request inside its transaction; any id that is not theirs, of
     * another purpose, or already used refuses the whole request.
     */
    async attach(
      trx: Knex.Transaction,
      workerId: string,
      purpose: DocumentPurpose,
      ids: readonly string[],
      ownerId: string,
    ): Promise<void> {
      const unique = [...new Set(ids)];
      const attached = await trx('documents')
        .whereIn('id', unique)
        .where({ worker_id: workerId, purpose })
        .whereNull('attached_to')
        .whereNull('erased_at')
        .update({ attached_to: ownerId });
      if (unique.length !== ids.length || attached !== unique.length) {
        throw new AppError(
          ErrorCode.VALIDATION_FAILED,
          'Upload each proof document first; a document can be used for one request only',
        );
      }
    },

    async listFor(ownerId: string): Promise<StoredDocument[]> {
      const rows = await db<DocumentRow>('documents').where({ attached_to: ownerId }).orderBy('created_at');
      return rows.map(toDocument);
    },

    /** The file of a document; `workerId` limits it to the owner (admins pass none). */
    async read(id: string, workerId?: string): Promise<{ document: StoredDocument; bytes: Buffer }> {
      const row = await db<DocumentRow>('documents')
        .where({ id, ...(workerId ? { worker_id: workerId } : {}) })
        .first();
      if (!row || row.erased_at) throw AppError.notFound('Document');
      return { document: toDocument(row), bytes: await readFile(path.join(dir, path.basename(row.file))) };
    },

    /** Account erasure: the files go, the rows stay (loans and claims point at them) marked erased. */
    async eraseAllOf(workerId: string, trx: Knex.Transaction): Promise<number> {
      const rows = await trx<DocumentRow>('documents').where({ worker_id: workerId }).whereNull('erased_at');
      for (const row of rows) await rm(path.join(dir, path.basename(row.file)), { force: true });
      await trx('documents').where({ worker_id: workerId }).whereNull('erased_at').update({ erased_at: trx.fn.now() });
      return rows.length;
    },
  };
}

export type DocumentService = ReturnType<typeof createDocumentService>;
