import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { col, reference } from '../db/columns.ts';

// The engine's tables (migrations core_0002, 0004, 0005, 0006, 0010), one entity each, matching
// the migrations column for column (tests/orm-schema.test.ts). JSON columns are text, as the
// engine reads and writes them. Registered by engine/module.ts through `engineEntities`.

export const BpmnDeployment = defineEntity({
  name: 'BpmnDeployment',
  tableName: 'bpmn_deployments',
  properties: {
    id: col.id().primary(),
    name: col.string(255).nullable(),
    hash: col.string(64).index(),
    xml: col.text(),
    createdAt: col.timestamp(),
    createdBy: col.id().nullable(),
  },
});
export type BpmnDeployment = InferEntity<typeof BpmnDeployment>;

export const ProcessDefinition = defineEntity({
  name: 'ProcessDefinition',
  tableName: 'process_definitions',
  uniques: [{ properties: ['key', 'version'] }, { properties: ['key', 'hash'] }],
  properties: {
    id: col.id().primary(),
    key: col.string(255),
    version: p.integer(),
    name: col.string(255).nullable(),
    hash: col.string(64),
    deploymentId: reference('BpmnDeployment', 'deployment_id'),
    context: col.text(),
    activities: col.text(),
    createdAt: col.timestamp(),
    createdBy: col.id().nullable(),
  },
});
export type ProcessDefinition = InferEntity<typeof ProcessDefinition>;

export const ProcessInstance = defineEntity({
  name: 'ProcessInstance',
  tableName: 'process_instances',
  indexes: [{ properties: ['parentId', 'parentExecutionId'] }],
  properties: {
    id: col.id().primary(),
    definitionId: reference('ProcessDefinition', 'definition_id').index(),
    definitionKey: col.string(255),
    definitionVersion: p.integer(),
    businessKey: col.string(255).nullable().index(),
    status: col.string(16).index(),
    unitId: reference('Unit', 'unit_id').nullable(),
    unitPath: col.string(1024).nullable(),
    state: col.text().nullable(),
    variables: col.text(),
    parentId: col.id().nullable().index(),
    rootId: col.id().nullable(),
    startedBy: col.id().nullable(),
    startedAt: col.timestamp(),
    endedAt: col.timestamp().nullable(),
    updatedAt: col.timestamp(),
    lockVersion: p.integer().default(1),
    parentActivityId: col.string(255).nullable(),
    parentExecutionId: col.string(255).nullable(),
    routing: col.text().nullable(),
  },
});
export type ProcessInstance = InferEntity<typeof ProcessInstance>;

export const Task = defineEntity({
  name: 'Task',
  tableName: 'tasks',
  uniques: [{ properties: ['instanceId', 'executionId'] }],
  indexes: [{ properties: ['status', 'unitPath'] }, { properties: ['status', 'candidateUsers'] }],
  properties: {
    id: col.id().primary(),
    instanceId: reference('ProcessInstance', 'instance_id').index(),
    definitionKey: col.string(255).index(),
    activityId: col.string(255),
    executionId: col.string(255),
    name: col.string(255).nullable(),
    formKey: col.string(255).nullable(),
    assignee: col.string(64).nullable().index(),
    candidateGroups: col.string(512).default(''),
    candidateUsers: col.string(1024).default(''),
    unitId: col.id().nullable(),
    unitPath: col.string(1024).nullable().index(),
    dueAt: col.timestamp().nullable(),
    status: col.string(16),
    claimedBy: col.id().nullable(),
    createdAt: col.timestamp(),
    completedAt: col.timestamp().nullable(),
    completedBy: col.id().nullable(),
    variables: col.text().nullable(),
    businessKey: col.string(255).nullable().index(),
  },
});
export type Task = InferEntity<typeof Task>;

export const ActivityHistory = defineEntity({
  name: 'ActivityHistory',
  tableName: 'activity_history',
  uniques: [{ properties: ['instanceId', 'executionId'] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    instanceId: reference('ProcessInstance', 'instance_id').index(),
    activityId: col.string(255),
    executionId: col.string(255),
    name: col.string(255).nullable(),
    type: col.string(64),
    startedAt: col.timestamp(),
    endedAt: col.timestamp().nullable(),
    actorId: col.id().nullable(),
  },
});
export type ActivityHistory = InferEntity<typeof ActivityHistory>;

export const Incident = defineEntity({
  name: 'Incident',
  tableName: 'incidents',
  indexes: [{ properties: ['resolvedAt', 'createdAt'] }],
  properties: {
    id: col.id().primary(),
    instanceId: reference('ProcessInstance', 'instance_id').index(),
    jobId: col.id().nullable().index(),
    activityId: col.string(255).nullable(),
    executionId: col.string(255).nullable(),
    topic: col.string(255).nullable(),
    message: col.text(),
    createdAt: col.timestamp(),
    resolvedAt: col.timestamp().nullable(),
    resolvedBy: col.id().nullable(),
  },
});
export type Incident = InferEntity<typeof Incident>;

export const MessageSubscription = defineEntity({
  name: 'MessageSubscription',
  tableName: 'message_subscriptions',
  uniques: [{ properties: ['instanceId', 'executionId'] }],
  indexes: [{ properties: ['messageName', 'correlationKey'] }],
  properties: {
    id: col.id().primary(),
    instanceId: reference('ProcessInstance', 'instance_id'),
    executionId: col.string(255),
    activityId: col.string(255),
    messageName: col.string(255),
    correlationKey: col.string(255).nullable(),
    unitPath: col.string(1024).nullable(),
    createdAt: col.timestamp(),
    external: p.boolean().default(false),
  },
});
export type MessageSubscription = InferEntity<typeof MessageSubscription>;

export const Message = defineEntity({
  name: 'Message',
  tableName: 'messages',
  indexes: [{ properties: ['name', 'correlationKey', 'status'] }, { properties: ['status', 'expiresAt'] }],
  properties: {
    id: col.id().primary(),
    messageId: col.string(255).unique(),
    name: col.string(255),
    correlationKey: col.string(255).nullable(),
    variables: col.text(),
    /** JSON array of unit paths the message may reach; NULL: any (published by a process). */
    scope: col.text().nullable(),
    /** pending (being handled), buffered, correlated, expired */
    status: col.string(16),
    instanceId: col.id().nullable(),
    sentBy: col.id().nullable(),
    createdAt: col.timestamp(),
    expiresAt: col.timestamp(),
    correlatedAt: col.timestamp().nullable(),
    origin: col.string(16).default('process'),
    activityId: col.string(255).nullable(),
  },
});
export type Message = InferEntity<typeof Message>;

/** Every table of the engine, for engine/module.ts's `entities`. */
export const engineEntities = [
  BpmnDeployment,
  ProcessDefinition,
  ProcessInstance,
  Task,
  ActivityHistory,
  Incident,
  MessageSubscription,
  Message,
];
