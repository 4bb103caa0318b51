import { defineModule } from '../modules/define-module.ts';
import { jobs } from './migrations/0003-jobs.ts';
import { JobRunner } from './job-runner.ts';
import { Job } from './entities.ts';

/** Durable jobs (timers, async service tasks, called children) and recurring chores, run by every node. */
declare module '../modules/ports.ts' {
  interface Ports {
    /** Fires due jobs (timers, async service tasks) and chores; `serve` starts its polling, tests call `runDue()`. */
    jobs: JobRunner;
  }
}

export const jobsModule = defineModule({
  id: 'jobs',
  description: 'The job runner: claims due jobs, retries, runs chores',
  requires: ['db', 'clock', 'log', 'config'],
  migrations: [jobs],
  entities: [Job],
  provides: ['jobs'],
  create: (s) => ({ jobs: new JobRunner({ db: s.db, clock: s.clock, log: s.log }, { pollMs: s.config.jobPollMs }) }),
  stop: (s) => s.jobs.stop(),
});
