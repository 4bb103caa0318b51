import { defineModule } from '../modules/define-module.ts';
import { engineEntities } from './entities.ts';
import { everyone } from '../org/roles.ts';
import { registerCallJobs } from './call-activities.ts';
import { registerDefinitionRoutes } from './definition-routes.ts';
import { registerIncidentRoutes } from './incident-routes.ts';
import { registerInstanceRoutes } from './instance-routes.ts';
import { registerMessagePurge } from './message-purge.ts';
import { registerMessageRoutes } from './message-routes.ts';
import { registerMigrationRoutes } from './migrate-routes.ts';
import { engine } from './migrations/0002-engine.ts';
import { incidents } from './migrations/0004-incidents.ts';
import { messages } from './migrations/0005-messages.ts';
import { callActivities } from './migrations/0006-call-activities.ts';
import { messageOrigin } from './migrations/0010-message-origin.ts';
import { instanceRouting } from './migrations/0015-instance-routing.ts';
import { taskBusinessKey } from './migrations/0019-task-business-key.ts';
import { inboxIndexes } from './migrations/0026-inbox-indexes.ts';
import { ProcessRuntime } from './runtime.ts';
import { registerServiceJobs } from './service-tasks.ts';
import { registerTaskRoutes } from './task-routes.ts';
import { registerTimerJobs } from './timer-jobs.ts';

/** The durable BPMN engine (ADR 0006): definitions, instances, tasks, timers, messages, call activities, incidents. */
declare module '../modules/ports.ts' {
  interface Ports {
    /** The durable process runtime: start, complete, message, cancel; definitions (ADR 0006). */
    engine: ProcessRuntime;
  }
}

export const engineModule = defineModule({
  id: 'engine',
  description: 'Durable BPMN engine',
  requires: ['config', 'db', 'clock', 'log', 'permissions', 'plugins', 'audit', 'calendar', 'jobs', 'events'],
  migrations: [engine, incidents, messages, callActivities, messageOrigin, instanceRouting, taskBusinessKey, inboxIndexes],
  entities: engineEntities,
  permissions: [
    { name: 'process.deploy', description: 'Deploy BPMN process definitions', roles: ['analyst'] },
    { name: 'process.read', description: 'See process definitions and the instances of your units', roles: everyone },
    {
      name: 'process.start',
      description:
        'Start process instances directly, without a dossier, in your units (raw starts: analysts testing a draft); a dossier starts the process its case pins when it is received',
      roles: ['analyst'],
      refusal:
        "a dossier's process starts when the dossier is received at the desk (POST /api/dossiers), on the version its catalogue case pins; starting an instance directly is for analysts testing a draft",
    },
    { name: 'process.cancel', description: 'Cancel running process instances of your units', roles: ['leader'] },
    {
      name: 'process.migrate',
      description: 'Move running process instances of your units to another version of their definition',
      roles: ['analyst'],
    },
    {
      name: 'process.operate',
      description: 'Retry the incidents of process instances of your units (re-queue their failed jobs)',
      roles: ['leader'],
    },
    {
      name: 'process.message',
      description: 'Send messages to the process instances of your units (POST /api/messages)',
      roles: ['receptionist', 'specialist', 'leader', 'clerical', 'analyst'],
    },
    {
      name: 'task.work',
      description: 'Work on user tasks you are entitled to (assignee, candidate role in scope)',
      roles: ['receptionist', 'specialist', 'leader', 'clerical', 'analyst'],
    },
  ],
  provides: ['engine'],
  create: (s) => ({ engine: new ProcessRuntime(s) }),
  jobs(runner, s) {
    registerTimerJobs(runner, s);
    registerServiceJobs(runner, s);
    registerMessagePurge(runner, s);
    registerCallJobs(runner, s);
  },
  routes(app, ports) {
    registerDefinitionRoutes(app, ports);
    registerInstanceRoutes(app, ports);
    registerTaskRoutes(app, ports);
    registerIncidentRoutes(app, ports);
    registerMigrationRoutes(app, ports);
    registerMessageRoutes(app, ports);
  },
});
