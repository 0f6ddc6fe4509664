import { request } from './api';

/** Uploads one proof document (the raw file as the body, its own type) and returns its id. */
export async function uploadDocument(file: File, purpose: 'loan_proof' | 'claim_proof'): Promise<string> {
  const contentType = ['image/jpeg', 'image/png', 'application/pdf'].includes(file.type) ? file.type : 'image/jpeg';
  const response = await request<{ id: string }>(`/v1/documents?purpose=${purpose}`, {
    method: 'POST',
    raw: { data: file, contentType },
  });
  return response.data.id;
}
