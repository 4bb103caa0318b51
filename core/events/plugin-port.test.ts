import { describe, expect, it } from 'vitest';
import { definePlugin } from '../plugin-host/define-plugin.ts';
import { useTestPlatform } from '../../tests/support/platform.ts';
import { AppError } from '../errors.ts';

const order: string[] = [];
const delivered: { key: string; consumer: string; plugin: string }[] = [];

// `first` requires `second`, so `second` is set up (and subscribes) first.
const second = definePlugin({
  id: 'second',
  version: '1.0.0',
  events: { 'second.thing.happened': () => void order.push('second:definition') },
  setup(ctx) {
    ctx.events.subscribe('second.thing.happened', () => void order.push('second:setup'));
  },
});
const first = definePlugin({
  id: 'first',
  version: '1.0.0',
  requires: { second: '^1.0.0' },
  events: {
    'second.thing.happened': async (event, { em, ctx }) => {
      order.push(`first:definition:${String(event.payload.n)}`);
      // A subscriber may publish its own plugin's events, in the same transaction.
      await ctx.events.publish(em, 'first.echo.sent', { of: event.id });
    },
    'first.echo.sent': {
      afterCommit: true,
      name: 'echo-sync',
      handler: (_event, d) => void delivered.push({ key: d.idempotencyKey, consumer: d.consumer, plugin: d.ctx.id }),
    },
  },
});

const ctx = useTestPlatform({ plugins: [first, second], demo: false });

describe('the plugin port of domain events', () => {
  it('Given two plugins, When one publishes, Then subscribers run in dependency order (definition before setup), and an afterCommit handler of the definition is delivered after commit', async () => {
    const { services } = ctx.t.platform;
    const secondCtx = services.plugins.context('second');
    await secondCtx.em().transactional((em) => secondCtx.events.publish(em, 'second.thing.happened', { n: 1 }));
    expect(order).toEqual(['second:definition', 'second:setup', 'first:definition:1']);
    expect(delivered).toEqual([]);
    await services.jobs.runChores();
    expect(delivered).toEqual([{ key: expect.any(String), consumer: 'first:echo-sync', plugin: 'first' }]);
  });

  it('refuses a plugin publishing under another id', async () => {
    const { services } = ctx.t.platform;
    const firstCtx = services.plugins.context('first');
    const err = await firstCtx
      .em()
      .transactional((em) => firstCtx.events.publish(em, 'second.thing.happened', {}))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toContain('may publish only its own events');
  });
});
