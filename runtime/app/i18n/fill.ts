/** Puts values into a translated sentence: fill('Chờ {seconds} giây', { seconds: 8 }) → 'Chờ 8 giây'. */
export function fill(sentence: string, values: Record<string, string | number>): string {
  return sentence.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
