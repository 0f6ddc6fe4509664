/** Shapes of the API's answers the portal reads (see the OpenAPI document at /docs). */
export type RequestType = 'withdrawal' | 'loan' | 'claim' | 'deletion';

export interface RequestSummary {
  id: string;
  type: RequestType;
  workerId: string;
  workerName: string | null;
  amountPaise: number | null;
  currency: 'INR';
  status: string;
  approvalsRequired: number;
  approvalsGiven: number;
  seniorRequired: boolean;
  slaState: 'on_time' | 'overdue' | 'closed' | 'none';
  slaDueAt: string | null;
  expiresAt: string | null;
  escalatedAt: string | null;
  claimedBy: { adminId: string; username: string; since: string } | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  workflowId: string;
  workflowUrl: string;
}

export interface BulkResult {
  results: Array<{ id: string; ok: boolean; status?: string; error?: { code: string; message: string } }>;
  succeeded: number;
  failed: number;
}

export interface PlatformView {
  id: string;
  slug: string;
  name: string;
  brandColour: string;
  enabled: boolean;
  logoUrl: string | null;
  sortOrder: number;
}
