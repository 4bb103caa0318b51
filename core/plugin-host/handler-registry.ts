import { AppError } from '../errors.ts';
import type { ServiceTaskHandler } from './define-plugin.ts';

/** Service-task handlers by topic; the engine looks topics up here at deploy and at run time. */
export class HandlerRegistry {
  private readonly handlers = new Map<string, { owner: string; handler: ServiceTaskHandler }>();

  register(topic: string, handler: ServiceTaskHandler, owner: string): void {
    if (!/^[a-z][a-z0-9]*(\.[a-z][a-z0-9-]*)+$/.test(topic)) {
      throw new AppError('plugin.invalid', `Plugin "${owner}": handler topic "${topic}" must look like "<namespace>.<verb-noun>"`);
    }
    const existing = this.handlers.get(topic);
    if (existing) {
      throw new AppError(
        'plugin.conflict',
        `Handler topic "${topic}" is registered by both plugin "${existing.owner}" and plugin "${owner}"`,
      );
    }
    this.handlers.set(topic, { owner, handler });
  }

  get(topic: string): ServiceTaskHandler | undefined {
    return this.handlers.get(topic)?.handler;
  }

  /** The plugin that registered the topic: its context is the one the handler receives. */
  ownerOf(topic: string): string | undefined {
    return this.handlers.get(topic)?.owner;
  }

  has(topic: string): boolean {
    return this.handlers.has(topic);
  }

  topics(): { topic: string; owner: string }[] {
    return [...this.handlers.entries()].map(([topic, { owner }]) => ({ topic, owner }));
  }
}
