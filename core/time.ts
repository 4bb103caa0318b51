/** Vietnam has one time zone (UTC+7, no daylight saving); dates people read are local dates. */
export const PROVINCE_TIME_ZONE = 'Asia/Ho_Chi_Minh';

const localDateFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: PROVINCE_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar date (YYYY-MM-DD) of an instant in the province's time zone. */
export function localDate(at: Date): string {
  return localDateFormat.format(at);
}
