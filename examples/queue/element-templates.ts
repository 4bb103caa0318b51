import type { ElementTemplate } from '../../core/plugin-api.ts';

/**
 * What the designer offers for the `queue.issue-ticket` topic: a Camunda 7 element template
 * that turns a service task into an external task bound to the topic, with its inputs and outputs.
 */
export const issueTicketTemplate: ElementTemplate = {
  $schema: 'https://unpkg.com/@camunda/element-templates-json-schema/resources/schema.json',
  id: 'queue.issue-ticket',
  name: 'Cấp số thứ tự (hàng đợi một cửa)',
  description: 'Cấp một số thứ tự tại đơn vị tiếp nhận cho hồ sơ, để công dân được gọi vào quầy',
  version: 1,
  appliesTo: ['bpmn:ServiceTask'],
  elementType: { value: 'bpmn:ServiceTask' },
  groups: [
    { id: 'input', label: 'Đầu vào' },
    { id: 'output', label: 'Kết quả' },
  ],
  properties: [
    { type: 'Hidden', value: 'external', binding: { type: 'property', name: 'camunda:type' } },
    { type: 'Hidden', value: 'queue.issue-ticket', binding: { type: 'property', name: 'camunda:topic' } },
    {
      label: 'Đơn vị tiếp nhận (mã định danh)',
      type: 'String',
      group: 'input',
      value: '${receivingUnitId}',
      binding: { type: 'camunda:inputParameter', name: 'unitId' },
      constraints: { notEmpty: true },
    },
    {
      label: 'Mã dịch vụ / lĩnh vực',
      type: 'String',
      group: 'input',
      binding: { type: 'camunda:inputParameter', name: 'serviceCode' },
      constraints: { notEmpty: true, pattern: { value: '^[A-Za-z0-9._-]{1,64}$', message: 'Chữ, số, dấu chấm, gạch' } },
    },
    {
      label: 'Mã hồ sơ',
      type: 'String',
      group: 'input',
      value: '${dossierId}',
      binding: { type: 'camunda:inputParameter', name: 'dossierId' },
    },
    {
      label: 'Biến nhận số thứ tự',
      type: 'String',
      group: 'output',
      value: 'queueTicketCode',
      binding: { type: 'camunda:outputParameter', source: '${queueTicketCode}' },
    },
  ],
};
