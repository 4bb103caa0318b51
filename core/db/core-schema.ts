import { User, Session, ApiToken } from '../auth/entities.ts';
import { Unit, UnitNameHistory, RoleAssignment } from '../org/entities.ts';
import { AuditRecord } from '../audit/entities.ts';
import { foundation } from './migrations/0001-foundation.ts';
import { engine } from './migrations/0002-engine.ts';
import { jobs } from './migrations/0003-jobs.ts';
import { incidents } from './migrations/0004-incidents.ts';
import { messages } from './migrations/0005-messages.ts';
import { callActivities } from './migrations/0006-call-activities.ts';
import { calendar } from './migrations/0007-calendar.ts';
import { catalogue } from './migrations/0008-catalogue.ts';
import { packs } from './migrations/0009-packs.ts';
import { messageOrigin } from './migrations/0010-message-origin.ts';
import { loginThrottle } from './migrations/0011-login-throttle.ts';
import { outbox } from './migrations/0012-outbox.ts';
import type { NamedMigration } from './migration.ts';

export const coreEntities = [User, Session, ApiToken, Unit, UnitNameHistory, RoleAssignment, AuditRecord];

/** Core migrations in order. Append only: never edit or reorder a released one. */
export const coreMigrations: NamedMigration[] = [foundation, engine, jobs, incidents, messages, callActivities, calendar, catalogue, packs, messageOrigin, loginThrottle, outbox];
