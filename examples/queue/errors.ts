import { defineErrors } from '../../core/plugin-api.ts';

/** The queue's error codes (registered at once, so routes can declare them); the host refuses codes outside `queue.`. */
export const queueErrors = defineErrors({
  'queue.empty': { status: 404, title: 'No ticket is waiting at this unit', vi: 'Không còn số thứ tự nào đang chờ' },
  'queue.ticket_not_found': { status: 404, title: 'No such queue ticket', vi: 'Không tìm thấy số thứ tự' },
  'queue.invalid_state': {
    status: 409,
    title: 'The ticket is not in a state that allows this',
    vi: 'Số thứ tự không ở trạng thái cho phép thao tác này',
  },
  'queue.full': {
    status: 409,
    title: 'The unit has issued its maximum number of tickets for today',
    vi: 'Đơn vị đã cấp hết số thứ tự trong ngày',
  },
});

export type QueueErrorCode = keyof typeof queueErrors;
