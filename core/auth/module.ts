import { defineModule } from '../modules/define-module.ts';
import { loginThrottle } from './migrations/0011-login-throttle.ts';
import { ApiToken, LoginThrottle, Session, User } from './entities.ts';
import { registerLoginThrottlePurge } from './login-throttle.ts';
import { registerAuthRoutes } from './routes.ts';

/** Sign-in: users' passwords, sessions, API tokens, throttling and lock-out (ADR 0005). */
export const authModule = defineModule({
  id: 'auth',
  description: 'Sign-in, sessions, API tokens, login throttling',
  requires: ['config', 'db', 'clock', 'permissions', 'audit'],
  migrations: [loginThrottle],
  entities: [User, Session, ApiToken, LoginThrottle],
  jobs: (runner, ports) => registerLoginThrottlePurge(runner, ports),
  routes: registerAuthRoutes,
});
