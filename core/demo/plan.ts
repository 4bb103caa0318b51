/**
 * The demo desk's last working week (core/demo/dossiers.ts plays it): one line per dossier, its
 * receipt on a working day of the week (0 = the oldest of the six days before the start, 5 = the
 * last) at a local time, then what happens to it, each step some working hours after the last.
 * Together they leave dossiers in every status a dossier can have, some of them overdue.
 */

export type Desk = 'clerk' | 'quay2.tiepnhan';

export type Action =
  /** Complete the dossier's oldest open task, by the demo account whose inbox holds it; `all`: until none is left. */
  | { do: 'work'; times?: number | 'all' }
  /** Complete tasks until one is open in this unit (code). */
  | { do: 'workUntil'; unit: string }
  /** The desk receives an online submission (status 1 → 2). */
  | { do: 'receive' }
  | { do: 'requestPayment'; by: string; amount: number; reason: string }
  | { do: 'recordPayment'; mode: 'cash' | 'transfer' }
  | { do: 'withdraw'; reason: string }
  | { do: 'stop'; by: string; reasons: string[]; legalGround: string }
  /** The desk hands the result over (9 → 10) to the applicant, then closes its return step. */
  | { do: 'handOver'; method: 'desk' | 'post' }
  /** The applicant evaluates through the public lookup: every indicator at `points`, and satisfaction. */
  | { do: 'evaluate'; points: 0 | 1 | 2; satisfaction: 1 | 2 | 3 | 4 | 5 };

export interface Script {
  procedure: string;
  caseKey: string;
  desk?: Desk;
  channel?: 1 | 2 | 3;
  /** Working day of the week (0–5) and local time of the receipt (or the online submission). */
  at: [day: number, time: string];
  outcome?: 'receive' | 'submit' | 'refuse' | 'request_supplement';
  reasons?: string[];
  missing?: string[];
  organisation?: boolean;
  /** Each step and the working hours since the previous one. */
  then?: [hours: number, action: Action][];
}

const all: Action = { do: 'work', times: 'all' };
const work = (times = 1): Action => ({ do: 'work', times });
/** Each step of the process, a working hour or two apart, to the end: the result returned. */
const toTheEnd: [number, Action][] = [[0.25, all]];
const evaluate = (points: 0 | 1 | 2, satisfaction: 1 | 2 | 3 | 4 | 5): [number, Action] => [2, { do: 'evaluate', points, satisfaction }];

export const DEMO_WEEK_DAYS = 6;

export const plan: Script[] = [
  // 10: result returned, most of them evaluated.
  { procedure: '1.001193', caseKey: 'dang-ky-khai-sinh', at: [0, '08:10'], then: [...toTheEnd, evaluate(2, 5)] },
  {
    procedure: '2.000908',
    caseKey: 'cap-ban-sao-so-goc',
    at: [0, '09:05'],
    then: [[0.25, work(3)], [1, { do: 'handOver', method: 'desk' }], evaluate(2, 5)],
  },
  { procedure: '1.004194', caseKey: 'dang-ky-tam-tru', desk: 'quay2.tiepnhan', at: [0, '10:20'], then: toTheEnd },
  { procedure: '1.000656', caseKey: 'dang-ky-khai-tu', at: [0, '15:30'], then: [...toTheEnd, evaluate(1, 4)] },
  { procedure: '3.000722', caseKey: 'lien-thong-khai-sinh', at: [1, '08:30'], then: [...toTheEnd, evaluate(2, 5)] },
  { procedure: '2.000815', caseKey: 'chung-thuc-ban-sao', at: [1, '14:00'], then: toTheEnd },
  { procedure: '1.000894', caseKey: 'ket-hon-trong-nuoc', at: [2, '07:45'], then: [...toTheEnd, evaluate(2, 4)] },
  { procedure: '2.000635', caseKey: 'cap-ban-sao-trich-luc', at: [2, '09:30'], then: toTheEnd },
  {
    procedure: '1.003197',
    caseKey: 'xoa-dang-ky-thuong-tru',
    desk: 'quay2.tiepnhan',
    at: [3, '08:00'],
    then: [[0.5, work(3)], [2, { do: 'handOver', method: 'post' }], evaluate(1, 3)],
  },
  // 9: resolved, the desk's return step open.
  { procedure: '1.001193', caseKey: 'dang-ky-khai-sinh', at: [3, '13:45'], then: [[0.5, work(3)]] },
  { procedure: '2.000908', caseKey: 'cap-ban-sao-so-goc', at: [4, '08:20'], then: [[0.5, work(3)]] },
  { procedure: '1.004222', caseKey: 'dang-ky-thuong-tru', desk: 'quay2.tiepnhan', at: [4, '09:10'], then: [[1, work(3)]] },
  // 4: processing, at various steps and units (several past their appointment).
  {
    procedure: '1.013978',
    caseKey: 'dang-ky-cap-giay-chung-nhan',
    at: [1, '10:00'],
    then: [[1, { do: 'workUntil', unit: 'DEMO.VPDKDD' }]],
  },
  { procedure: '1.012753', caseKey: 'to-chuc', organisation: true, at: [2, '10:40'], then: [[1, work(1)]] },
  { procedure: '1.013225', caseKey: 'cap-moi-nha-o-rieng-le', at: [2, '14:10'], then: [[1, work(2)]] },
  { procedure: '1.001193', caseKey: 'dang-ky-khai-sinh', at: [3, '09:00'], then: [[0.5, work(2)]] },
  { procedure: '3.000722', caseKey: 'lien-thong-khai-sinh', at: [4, '14:30'], then: [[0.5, work(3)]] },
  { procedure: '2.002913', caseKey: 'lien-thong-khai-tu', desk: 'quay2.tiepnhan', at: [1, '15:20'], then: [[1, work(2)]] },
  { procedure: '1.001612', caseKey: 'thanh-lap-ho-kinh-doanh', at: [2, '08:15'], then: [[1, work(1)]] },
  { procedure: '1.004194', caseKey: 'dang-ky-tam-tru', at: [5, '08:30'], then: [[1, work(1)]] },
  { procedure: '1.004222', caseKey: 'dang-ky-thuong-tru', at: [0, '13:40'], then: [[1, work(2)]] },
  {
    procedure: '1.001193',
    caseKey: 'dang-ky-khai-sinh',
    channel: 2,
    outcome: 'submit',
    at: [3, '21:40'],
    then: [
      [0.25, { do: 'receive' }],
      [0.5, work(1)],
    ],
  },
  {
    procedure: '1.013978',
    caseKey: 'xa-vung-kho-khan',
    at: [0, '10:50'],
    then: [
      [1, { do: 'workUntil', unit: 'DEMO.THUE' }],
      [3, { do: 'requestPayment', by: 'thue.chuyenvien', amount: 1_250_000, reason: 'Lệ phí trước bạ nhà, đất' }],
      [10, { do: 'recordPayment', mode: 'transfer' }],
      // Its process asks the desk to collect the fees too (a step of status 6), then hands on.
      [2, work(2)],
    ],
  },
  // 2: received, not yet handed on.
  { procedure: '2.000635', caseKey: 'cap-ban-sao-trich-luc', at: [5, '10:15'] },
  { procedure: '1.000894', caseKey: 'ket-hon-trong-nuoc', desk: 'quay2.tiepnhan', at: [5, '14:20'] },
  { procedure: '1.013225', caseKey: 'cap-moi-nha-o-rieng-le', at: [5, '15:40'] },
  // 1: submitted online, waiting for a clerk.
  { procedure: '1.004194', caseKey: 'dang-ky-tam-tru', channel: 2, outcome: 'submit', at: [5, '21:10'] },
  { procedure: '1.001612', caseKey: 'thanh-lap-ho-kinh-doanh', channel: 2, outcome: 'submit', at: [4, '22:05'] },
  { procedure: '1.001193', caseKey: 'dang-ky-khai-sinh', channel: 2, outcome: 'submit', at: [5, '19:35'] },
  // 3: refused at reception.
  {
    procedure: '1.013978',
    caseKey: 'dang-ky-cap-giay-chung-nhan',
    at: [1, '09:40'],
    outcome: 'refuse',
    reasons: ['Thửa đất đã được cấp Giấy chứng nhận; trường hợp này làm thủ tục cấp đổi, không phải đăng ký, cấp lần đầu.'],
  },
  {
    procedure: '1.000894',
    caseKey: 'ket-hon-trong-nuoc',
    desk: 'quay2.tiepnhan',
    at: [3, '15:10'],
    outcome: 'refuse',
    reasons: ['Bên nam chưa đủ 20 tuổi (khoản 1 Điều 8 Luật Hôn nhân và gia đình năm 2014).'],
  },
  // 5: supplement requested before receipt (form 02).
  {
    procedure: '1.004222',
    caseKey: 'dang-ky-thuong-tru',
    at: [4, '10:30'],
    outcome: 'request_supplement',
    missing: ['Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp (hợp đồng thuê nhà chưa được công chứng, chứng thực).'],
  },
  {
    procedure: '1.013225',
    caseKey: 'cap-moi-nha-o-rieng-le',
    desk: 'quay2.tiepnhan',
    at: [5, '09:20'],
    outcome: 'request_supplement',
    missing: ['Bản vẽ thiết kế xây dựng chưa có chữ ký của chủ đầu tư.'],
  },
  // 6: payment requested during processing.
  {
    procedure: '1.013978',
    caseKey: 'dang-ky-cap-giay-chung-nhan',
    at: [0, '08:50'],
    then: [
      [1, { do: 'workUntil', unit: 'DEMO.THUE' }],
      [4, { do: 'requestPayment', by: 'thue.chuyenvien', amount: 3_480_000, reason: 'Tiền sử dụng đất và lệ phí trước bạ' }],
    ],
  },
  {
    procedure: '1.013225',
    caseKey: 'cap-moi-nha-o-rieng-le',
    at: [3, '10:15'],
    then: [
      [1, work(1)],
      [3, { do: 'requestPayment', by: 'xa.chuyenvien', amount: 75_000, reason: 'Lệ phí cấp giấy phép xây dựng nhà ở riêng lẻ' }],
    ],
  },
  // 7: withdrawn by the applicant.
  {
    procedure: '1.001612',
    caseKey: 'thanh-lap-ho-kinh-doanh',
    at: [1, '11:00'],
    then: [
      [1, work(1)],
      [6, { do: 'withdraw', reason: 'Người yêu cầu thay đổi địa điểm kinh doanh, xin rút hồ sơ để nộp lại.' }],
    ],
  },
  {
    procedure: '1.004194',
    caseKey: 'dang-ky-tam-tru',
    desk: 'quay2.tiepnhan',
    at: [3, '14:00'],
    then: [[4, { do: 'withdraw', reason: 'Người yêu cầu chuyển đến nơi ở khác, không còn nhu cầu đăng ký tạm trú tại đây.' }]],
  },
  // 8: stopped (form 05).
  {
    procedure: '1.013978',
    caseKey: 'dang-ky-cap-giay-chung-nhan',
    at: [0, '09:40'],
    then: [
      [1, { do: 'workUntil', unit: 'DEMO.VPDKDD' }],
      [
        6,
        {
          do: 'stop',
          by: 'vpdk.chuyenvien',
          reasons: ['Thửa đất đang có tranh chấp: hộ liền kề đã gửi đơn đề nghị giải quyết tranh chấp đến UBND xã An Bình.'],
          legalGround: 'Luật Đất đai số 31/2024/QH15',
        },
      ],
    ],
  },
  {
    procedure: '1.013225',
    caseKey: 'cap-moi-nha-o-rieng-le',
    at: [2, '13:50'],
    then: [
      [1, work(1)],
      [
        5,
        {
          do: 'stop',
          by: 'xa.chuyenvien',
          reasons: ['Vị trí xây dựng nằm trong hành lang bảo vệ công trình thủy lợi.'],
          legalGround: 'Luật Xây dựng số 50/2014/QH13, sửa đổi, bổ sung năm 2020',
        },
      ],
    ],
  },
];
