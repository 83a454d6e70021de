import { describe, expect, it } from 'vitest';
import { UserError } from '../../../core/errors.ts';
import { ClusterComponent } from './cluster.ts';

describe('ClusterComponent.claimed', () => {
  it('rejects with the start error when the start fails before the name is claimed, so nothing waits on it forever', async () => {
    const c = new ClusterComponent({ name: 'Not_A_DNS_Label' });
    const ctx = { signal: new AbortController().signal, progress: () => {} };
    await expect(c.start(ctx)).rejects.toBeInstanceOf(UserError);
    await expect(c.claimed).rejects.toBeInstanceOf(UserError);
  });
});
