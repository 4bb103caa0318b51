import type { PermissionDefinition } from '../../core/plugin-api.ts';

/** Who may do what with the queue. `admin` holds every permission implicitly. */
export const queuePermissions: PermissionDefinition[] = [
  { name: 'queue.issue', description: 'Issue queue tickets at the reception of a unit', roles: ['receptionist'] },
  { name: 'queue.call', description: 'Call the next ticket to a desk and close called tickets', roles: ['receptionist'] },
  { name: 'queue.read', description: 'See the queue and the display board of a unit', roles: ['receptionist', 'leader', 'viewer'] },
];
