import { registerSystemRoutes } from '../http/system-routes.ts';
import { defineModule } from './define-module.ts';

/** The platform's own pages: health, the OpenAPI document, the home page and its stylesheet. */
export const systemModule = defineModule({
  id: 'system',
  description: 'Health, OpenAPI document, home page',
  requires: ['config', 'db', 'clock', 'plugins'],
  routes: registerSystemRoutes,
});
