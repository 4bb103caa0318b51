import type { Ports } from '../modules/ports.ts';

/** The ports the engine module requires and provides (module.ts): what its routes and jobs may use. */
export type EnginePorts = Pick<
  Ports,
  'config' | 'db' | 'clock' | 'log' | 'permissions' | 'plugins' | 'audit' | 'calendar' | 'jobs' | 'events' | 'engine'
>;
