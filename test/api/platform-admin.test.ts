import { bearer, createHarness, signInAdmin, signInWorker, type Harness } from '../helpers/harness';

// The smallest valid PNG (1×1), and bytes that only claim to be one.
const png = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4a60000000049454e44ae426082',
  'hex',
);
const fakePng = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');

describe('platform catalog administration', () => {
  let h: Harness;
  let adminToken: string;
  beforeAll(async () => {
    h = await createHarness({ env: { LOGO_MAX_BYTES: '2048' } });
    adminToken = (await signInAdmin(h.api.app, 'senior_approver')).token;
  });
  afterAll(() => h.close());

  const catalog = async () =>
    (await h.api.app.inject({ method: 'GET', url: '/v1/platforms' })).json<{
      items: Array<{ slug: string; logoUrl: string | null }>;
      activeCount: number;
    }>();
  const create = (body: Record<string, unknown>) =>
    h.api.app.inject({ method: 'POST', url: '/v1/admin/platforms', headers: bearer(adminToken), payload: body });
  const upload = (id: string, bytes: Buffer, contentType = 'image/png') =>
    h.api.app.inject({
      method: 'PUT',
      url: `/v1/admin/platforms/${id}/logo`,
      headers: { ...bearer(adminToken), 'content-type': contentType },
      payload: bytes,
    });

  it('adds a platform, refuses a taken slug, and the public catalog counts it while enabled', async () => {
    const before = await catalog();
    expect(before.activeCount).toBe(4);
    const created = await create({ slug: 'swiggy', name: 'Swiggy', brandColour: '#FC8019', sortOrder: 5 });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ slug: 'swiggy', enabled: true, logoUrl: null, sortOrder: 5 });
    expect((await create({ slug: 'swiggy', name: 'Again', brandColour: '#000000' })).json()).toMatchObject({
      error: { code: 'SLUG_TAKEN' },
    });
    expect((await catalog()).activeCount).toBe(5);

    const { id } = created.json<{ id: string }>();
    const disabled = await h.api.app.inject({
      method: 'PATCH',
      url: `/v1/admin/platforms/${id}`,
      headers: bearer(adminToken),
      payload: { enabled: false },
    });
    expect(disabled.json()).toMatchObject({ enabled: false });
    expect((await catalog()).activeCount).toBe(4);
  });

  it('stores a real image as the logo and serves it with long caching', async () => {
    const { id } = (await create({ slug: 'uber', name: 'Uber', brandColour: '#000000' })).json<{ id: string }>();
    const uploaded = await upload(id, png);
    expect(uploaded.statusCode).toBe(200);
    const logoUrl = uploaded.json<{ logoUrl: string }>().logoUrl;
    expect(logoUrl).toMatch(/^\/v1\/platforms\/uber\/logo\?v=[0-9a-f]{16}$/);
    expect((await catalog()).items.find((p) => p.slug === 'uber')?.logoUrl).toBe(logoUrl);

    const served = await h.api.app.inject({ method: 'GET', url: logoUrl });
    expect(served.statusCode).toBe(200);
    expect(served.rawPayload.equals(png)).toBe(true);
    expect(served.headers).toMatchObject({
      'content-type': 'image/png',
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
    });
    const again = await h.api.app.inject({
      method: 'GET',
      url: logoUrl,
      headers: { 'if-none-match': String(served.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
  });

  it.each([
    [
      'bytes that are not an image (an SVG with a script, declared as PNG)',
      fakePng,
      'image/png',
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    ['a file over the size limit', Buffer.concat([png, Buffer.alloc(4096)]), 'image/png', 413, 'PAYLOAD_TOO_LARGE'],
    ['a type that is not accepted at all', png, 'image/svg+xml', 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ])('refuses %s and keeps the old logo', async (_name, bytes, contentType, status, code) => {
    const { id } = (
      await create({ slug: `p-${status}-${contentType.length}-${bytes.length}`, name: 'P', brandColour: '#123456' })
    ).json<{ id: string }>();
    await upload(id, png);
    const refused = await upload(id, bytes, contentType);
    expect(refused.statusCode).toBe(status);
    expect(refused.json()).toMatchObject({ error: { code } });
    const listed = await h.api.app.inject({ method: 'GET', url: '/v1/admin/platforms', headers: bearer(adminToken) });
    expect(
      listed.json<{ items: Array<{ id: string; logoUrl: string | null }> }>().items.find((p) => p.id === id)?.logoUrl,
    ).toMatch(/\?v=/);
  });

  it('is for admins only', async () => {
    const worker = await signInWorker(h.api.app);
    const asWorker = await h.api.app.inject({
      method: 'POST',
      url: '/v1/admin/platforms',
      headers: bearer(worker.token),
      payload: { slug: 'x-x', name: 'X', brandColour: '#000000' },
    });
    expect(asWorker.statusCode).toBe(403);
  });
});
