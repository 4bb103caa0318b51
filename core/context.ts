import type { EnginePorts } from './engine/ports.ts';

/**
 * Transitional (issue 14): the engine's internals and the plugin host still take this bag while
 * they move to their own narrow ports. Modules, routes and services outside them receive only
 * the ports they declare (core/modules/ports.ts). Do not use it in new code.
 */
export type Services = EnginePorts;
