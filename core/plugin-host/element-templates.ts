import { z } from 'zod';
import type { ElementTemplate, ServiceTaskDefinition } from './define-plugin.ts';

const SCHEMA = 'https://unpkg.com/@camunda/element-templates-json-schema/resources/schema.json';

/** The field's own schema, under optional / nullable / default wrappers. */
function unwrap(schema: z.ZodType): { inner: z.ZodType; required: boolean } {
  let inner = schema;
  let required = true;
  for (;;) {
    if (inner instanceof z.ZodOptional || inner instanceof z.ZodNullable || inner instanceof z.ZodDefault) {
      required = false;
      inner = (inner as unknown as { unwrap(): z.ZodType }).unwrap();
    } else return { inner, required };
  }
}

/**
 * A Camunda 7 element template for a handler declared with zod schemas: a service task that is
 * an external task of `topic`, one input parameter per field of `input` (label from `.describe()`,
 * a dropdown for an enum, a checkbox for a boolean, "not empty" when required), one output
 * parameter per field of `output` mapping the returned variable to a process variable of the same name.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function elementTemplateOf(topic: string, def: ServiceTaskDefinition<any, any>): ElementTemplate {
  const properties: Record<string, unknown>[] = [
    { type: 'Hidden', value: 'external', binding: { type: 'property', name: 'camunda:type' } },
    { type: 'Hidden', value: topic, binding: { type: 'property', name: 'camunda:topic' } },
  ];
  for (const [name, field] of Object.entries((def.input as z.ZodObject).shape) as [string, z.ZodType][]) {
    const { inner, required } = unwrap(field);
    const label = field.description ?? inner.description ?? name;
    const binding = { type: 'camunda:inputParameter', name };
    if (inner instanceof z.ZodEnum) {
      const choices = (inner.options as (string | number)[]).map((v) => ({ name: String(v), value: String(v) }));
      properties.push({ label, type: 'Dropdown', group: 'input', choices, binding });
    } else if (inner instanceof z.ZodBoolean) {
      properties.push({ label, type: 'Boolean', group: 'input', binding });
    } else {
      properties.push({ label, type: 'String', group: 'input', binding, ...(required ? { constraints: { notEmpty: true } } : {}) });
    }
  }
  for (const [name, field] of Object.entries((def.output as z.ZodObject | undefined)?.shape ?? {}) as [string, z.ZodType][]) {
    const label = field.description ?? unwrap(field).inner.description ?? name;
    properties.push({
      label,
      type: 'String',
      group: 'output',
      value: name,
      binding: { type: 'camunda:outputParameter', source: `\${${name}}` },
    });
  }
  return {
    $schema: SCHEMA,
    id: topic,
    name: def.name,
    ...(def.description ? { description: def.description } : {}),
    version: 1,
    appliesTo: ['bpmn:ServiceTask'],
    elementType: { value: 'bpmn:ServiceTask' },
    groups: [
      { id: 'input', label: 'Đầu vào' },
      { id: 'output', label: 'Kết quả' },
    ],
    properties,
  };
}
