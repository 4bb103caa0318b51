import { registerSystemRoutes } from '../http/system-routes.ts';
import { defineModule } from './define-module.ts';

/** The platform's own pages: health, the OpenAPI document, the home page and its stylesheet, the clerk UI's files (/app/). */
export const systemModule = defineModule({
  id: 'system',
  description: 'Health, OpenAPI document, home page, the clerk UI under /app/',
  requires: ['config', 'db', 'clock', 'plugins'],
  routes: registerSystemRoutes,
});
