import type { EntityManager } from '@mikro-orm/knex';
import { AppError } from '../errors.ts';
import type { TaskRow } from './rows.ts';

/**
 * What other modules add to the tasks `GET /api/tasks` answers, without the engine knowing
 * them: the dossiers module adds each task's dossier (code, applicant, procedure, appointment,
 * remaining working time). A loader gets the page of tasks at once (one query for all of them,
 * never one per task) and answers, per task id, the value to show under its name.
 */
export type TaskDetailLoader = (em: EntityManager, tasks: readonly TaskRow[]) => Promise<Map<string, unknown>>;

export class TaskDetails {
  private readonly loaders = new Map<string, TaskDetailLoader>();

  /** Adds `name` to every listed task (null where the loader says nothing). A name is registered once. */
  register(name: string, loader: TaskDetailLoader): void {
    if (this.loaders.has(name)) throw new AppError('internal', `Task detail "${name}" is registered twice`);
    this.loaders.set(name, loader);
  }

  /** The details of each task: `{ [name]: value | null }` per task id. */
  async load(em: EntityManager, tasks: readonly TaskRow[]): Promise<Map<string, Record<string, unknown>>> {
    const out = new Map<string, Record<string, unknown>>(tasks.map((t) => [t.id, {}]));
    for (const [name, loader] of this.loaders) {
      const values = tasks.length ? await loader(em, tasks) : new Map<string, unknown>();
      for (const t of tasks) out.get(t.id)![name] = values.get(t.id) ?? null;
    }
    return out;
  }
}
