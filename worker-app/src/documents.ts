import { useCallback, useRef } from 'react';
import { request } from './api';

type Purpose = 'loan_proof' | 'claim_proof';

/** Uploads one proof document (the raw file as the body, its own type) and returns its id. */
export async function uploadDocument(file: File, purpose: Purpose): Promise<string> {
  const contentType = ['image/jpeg', 'image/png', 'application/pdf'].includes(file.type) ? file.type : 'image/jpeg';
  const response = await request<{ id: string }>(`/v1/documents?purpose=${purpose}`, {
    method: 'POST',
    raw: { data: file, contentType },
  });
  return response.data.id;
}

/**
 * Uploads each chosen file once for the life of a form. The application's idempotency fingerprint includes the
 * document ids, so a retry after a lost response must send the same ids: a fresh upload would make the server
 * refuse the retry as a different request under the same key instead of answering with the first result.
 */
export function useDocumentUploads(purpose: Purpose): (files: File[]) => Promise<string[]> {
  const uploaded = useRef(new WeakMap<File, string>());
  return useCallback(
    async (files: File[]) => {
      const ids: string[] = [];
      for (const file of files) {
        let id = uploaded.current.get(file);
        if (id === undefined) {
          id = await uploadDocument(file, purpose);
          uploaded.current.set(file, id);
        }
        ids.push(id);
      }
      return ids;
    },
    [purpose],
  );
}
