/** Wraps a command's action so that its result becomes the process exit code (main.ts builds it). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Act = <A extends any[]>(fn: (...args: A) => Promise<number | void>) => (...args: A) => Promise<void>;
