import { z } from 'zod';

/**
 * The applicant's evaluation of a dossier (DOMAIN §8, Decision 766): nine indicators of
 * 0, 1 or 2 points each (18 in all) and one answer on a five-level satisfaction scale. The
 * Vietnamese wording of the questions and answers is the page's (lookup-pages.ts); the keys
 * are what the API and the `dossier_evaluations` columns use.
 */

export interface Indicator {
  /** Key in the API; column `<snake_case>` of `dossier_evaluations`. */
  key: string;
  question: string;
  /** What 2, 1 and 0 points mean, best first. */
  answers: readonly [string, string, string];
}

export const INDICATORS = [
  {
    key: 'totalTime',
    question: 'Tổng thời gian giải quyết hồ sơ so với thời gian quy định',
    answers: ['Sớm hơn thời gian quy định', 'Đúng thời gian quy định', 'Chậm hơn thời gian quy định'],
  },
  {
    key: 'agencyTime',
    question: 'Thời gian giải quyết tại từng cơ quan, đơn vị',
    answers: [
      'Tất cả đều sớm hoặc đúng hạn',
      'Có cơ quan chậm nhưng không làm trễ hẹn trả kết quả',
      'Có cơ quan chậm làm trễ hẹn trả kết quả',
    ],
  },
  {
    key: 'contacts',
    question: 'Số lần phải liên hệ với nơi tiếp nhận để hoàn thiện hồ sơ',
    answers: ['Không phải liên hệ thêm', 'Một lần', 'Từ hai lần trở lên'],
  },
  {
    key: 'agenciesContacted',
    question: 'Số cơ quan, đơn vị phải liên hệ để hoàn thiện hồ sơ',
    answers: ['Chỉ Bộ phận một cửa', 'Thêm một cơ quan, đơn vị', 'Thêm từ hai cơ quan, đơn vị trở lên'],
  },
  {
    key: 'oneStop',
    question: 'Tiếp nhận hồ sơ và trả kết quả theo cơ chế một cửa, một cửa liên thông',
    answers: ['Đúng quy định', 'Có lúc phải đến nơi khác ngoài Bộ phận một cửa', 'Không thực hiện qua Bộ phận một cửa'],
  },
  {
    key: 'published',
    question: 'Công khai thủ tục hành chính (thành phần hồ sơ, thời hạn, phí, lệ phí)',
    answers: ['Đầy đủ, dễ tìm', 'Có công khai nhưng chưa đầy đủ', 'Không được công khai'],
  },
  {
    key: 'attitude',
    question: 'Thái độ của cán bộ, công chức khi hướng dẫn, tiếp nhận và giải quyết hồ sơ',
    answers: ['Tận tình, chu đáo', 'Bình thường', 'Gây phiền hà, nhũng nhiễu'],
  },
  {
    key: 'feedback',
    question: 'Tiếp nhận, xử lý phản ánh, kiến nghị',
    answers: ['Không có phản ánh, hoặc được trả lời đúng hạn', 'Được trả lời nhưng chậm', 'Không được trả lời'],
  },
  {
    key: 'online',
    question: 'Chất lượng dịch vụ công trực tuyến',
    answers: ['Tốt, dễ sử dụng', 'Có vướng mắc khi sử dụng', 'Không sử dụng được'],
  },
] as const satisfies readonly Indicator[];

export type IndicatorKey = (typeof INDICATORS)[number]['key'];
export const INDICATOR_KEYS = INDICATORS.map((i) => i.key) as IndicatorKey[];

/** Points of the i-th answer of an indicator (the first answer is worth 2). */
export const pointsOfAnswer = (i: number) => 2 - i;

/** The five-level satisfaction scale, 1 (very dissatisfied) to 5 (very satisfied). */
export const SATISFACTION: Record<1 | 2 | 3 | 4 | 5, string> = {
  5: 'Rất hài lòng',
  4: 'Hài lòng',
  3: 'Bình thường',
  2: 'Không hài lòng',
  1: 'Rất không hài lòng',
};

const points = z.number().int().min(0).max(2);

export const indicatorScores = z
  .object(Object.fromEntries(INDICATOR_KEYS.map((k) => [k, points])) as Record<IndicatorKey, typeof points>)
  .strict();
export type IndicatorScores = z.infer<typeof indicatorScores>;

/** The code and secret of the public lookup: the dossier code as printed, the last four digits of the applicant's ID number or phone. */
export const lookupCredentials = {
  code: z.string().trim().min(1).max(100),
  secret: z.string().regex(/^\d{4}$/, 'the last four digits of the ID number or phone'),
};

export const lookupInput = z.object(lookupCredentials).strict();
export type LookupInput = z.infer<typeof lookupInput>;

export const evaluationInput = z
  .object({
    ...lookupCredentials,
    indicators: indicatorScores,
    satisfaction: z.number().int().min(1).max(5),
  })
  .strict();
export type EvaluationInput = z.infer<typeof evaluationInput>;
