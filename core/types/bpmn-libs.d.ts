/// <reference types="moddle-context-serializer" />
// Minimal declarations for the BPMN libraries that ship no TypeScript types.
declare module 'bpmn-moddle' {
  export class BpmnModdle {
    constructor(packages?: Record<string, unknown>);
    fromXML(
      xml: string,
      typeName?: string,
    ): Promise<{
      rootElement: unknown;
      warnings: { message: string; element?: unknown }[];
      references: unknown[];
      elementsById: Record<string, unknown>;
    }>;
  }
}
// moddle-context-serializer ships its own types (types/index.d.ts, an ambient module, loaded
// through bpmn-engine's types); this only names its context type as the code here knows it.
declare module 'moddle-context-serializer' {
  export type SerializedContext = SerializableContext;
}
declare module 'bpmn-elements' {
  const elements: Record<string, unknown>;
  export = elements;
}
declare module 'saxen' {
  export class Parser {
    constructor(options?: { proxy?: boolean });
    on(event: string, handler: (...args: never[]) => unknown): this;
    ns(map?: Record<string, string>): this;
    parse(xml: string): Error | undefined;
    stop(): void;
  }
}
