import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TagValueView } from '../../node-core/dto.ts';
import { ANY_PORT, NodeProcess, tempDir } from './harness.ts';

let node: NodeProcess;

beforeAll(async () => {
  node = new NodeProcess(tempDir('tags-api'), ANY_PORT, ['--name', 'tags-api-test']);
  await node.start();
});
afterAll(async () => {
  await node.kill('SIGTERM');
});

const memoryTag = (dataType: string): object => ({ dataType, source: { kind: 'memory' } });

describe('GET /api/tags: every configured tag with its current value in one answer', () => {
  it('lists all tags by name; a tag without a value yet is null, uncertain, with no time', async () => {
    const names = Array.from({ length: 300 }, (_, i) => `area.${String(i).padStart(3, '0')}`);
    for (let i = 0; i < names.length; i += 50) {
      const puts = names
        .slice(i, i + 50)
        .map((name) => node.api('PUT', `/api/config/tags/${name}`, memoryTag('float')));
      for (const put of await Promise.all(puts)) expect(put.status).toBe(200);
    }
    await node.api('PUT', '/api/config/tags/pump.running', memoryTag('bool'));
    const before = Date.now();
    expect((await node.api('POST', '/api/tags/area.007/write', { value: 12.5, uid: 'w-1' })).status).toBe(
      200,
    );
    expect((await node.api('POST', '/api/tags/pump.running/write', { value: true })).status).toBe(200);

    const { status, body } = await node.api<TagValueView[]>('GET', '/api/tags');
    expect(status).toBe(200);
    expect(body.map((t) => t.name)).toEqual([...names, 'pump.running']);
    expect(body.find((t) => t.name === 'area.007')).toMatchObject({ value: 12.5, quality: 'good' });
    expect(body.find((t) => t.name === 'pump.running')).toMatchObject({ value: true, quality: 'good' });
    const written = body.find((t) => t.name === 'area.007')!;
    expect(Date.parse(written.ts!)).toBeGreaterThanOrEqual(before - 1000);
    expect(body.find((t) => t.name === 'area.008')).toEqual({
      name: 'area.008',
      value: null,
      quality: 'uncertain',
      ts: null,
    });

    // The same answer, tag by tag, as GET /api/tags/{name}.
    expect((await node.api<TagValueView>('GET', '/api/tags/area.007')).body).toEqual(written);
  });

  it('drops a deleted tag and needs the token', async () => {
    await node.api('PUT', '/api/config/tags/short.lived', memoryTag('int'));
    await node.api('POST', '/api/tags/short.lived/write', { value: 3 });
    expect((await node.api<TagValueView[]>('GET', '/api/tags')).body.map((t) => t.name)).toContain(
      'short.lived',
    );
    expect((await node.api('DELETE', '/api/config/tags/short.lived')).status).toBe(200);
    expect((await node.api<TagValueView[]>('GET', '/api/tags')).body.map((t) => t.name)).not.toContain(
      'short.lived',
    );
    expect((await fetch(`${node.url}/api/tags`)).status).toBe(401);
  });
});
