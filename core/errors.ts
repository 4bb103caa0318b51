/**
 * Domain errors with stable codes. Every code is catalogued in docs/errors.md;
 * tests/errors-catalogue.test.ts fails when a code is missing there.
 */
export interface ErrorDefinition {
  status: number;
  /** English title. */
  title: string;
  /** Vietnamese title (the default UI language). */
  vi?: string;
}

export const errorCatalogue = {
  'request.invalid': { status: 400, title: 'The request is not valid', vi: 'Yêu cầu không hợp lệ' },
  'request.malformed_json': { status: 400, title: 'The request body is not valid JSON', vi: 'Nội dung yêu cầu không phải JSON hợp lệ' },
  'request.too_large': { status: 413, title: 'The request body is too large', vi: 'Nội dung yêu cầu quá lớn' },
  'request.too_deep': { status: 400, title: 'The JSON body is nested too deeply', vi: 'Nội dung JSON lồng nhau quá nhiều cấp' },
  'request.variables_too_large': {
    status: 413,
    title: 'The process variables of the request are too large',
    vi: 'Dữ liệu biến quy trình trong yêu cầu quá lớn',
  },
  'request.unsupported_media_type': {
    status: 415,
    title: 'This route does not accept a body of that media type',
    vi: 'Kiểu nội dung (Content-Type) của yêu cầu không được hỗ trợ',
  },
  'request.header_too_large': {
    status: 431,
    title: 'The request line or headers are too large',
    vi: 'Dòng yêu cầu hoặc phần tiêu đề (header) quá lớn',
  },
  'request.not_found': { status: 404, title: 'No such resource', vi: 'Không tìm thấy' },
  'request.method_not_allowed': { status: 405, title: 'Method not allowed', vi: 'Phương thức không được phép' },
  'auth.required': { status: 401, title: 'Authentication required', vi: 'Cần đăng nhập' },
  'auth.invalid_credentials': { status: 401, title: 'Wrong username or password', vi: 'Sai tên đăng nhập hoặc mật khẩu' },
  'auth.throttled': {
    status: 429,
    title: 'Too many failed logins: wait before trying again',
    vi: 'Đăng nhập sai quá nhiều lần: vui lòng chờ rồi thử lại',
  },
  'auth.locked': { status: 423, title: 'Account locked after repeated failed logins', vi: 'Tài khoản bị khóa do đăng nhập sai nhiều lần' },
  'auth.disabled': { status: 403, title: 'Account disabled', vi: 'Tài khoản đã bị vô hiệu hóa' },
  'auth.session_expired': { status: 401, title: 'Session expired', vi: 'Phiên làm việc đã hết hạn' },
  'auth.csrf': { status: 403, title: 'Cross-site request refused', vi: 'Yêu cầu từ trang khác bị từ chối' },
  'auth.forbidden': { status: 403, title: 'Permission denied', vi: 'Không có quyền' },
  'auth.forbidden_scope': { status: 403, title: 'Outside your units', vi: 'Ngoài phạm vi đơn vị của bạn' },
  'auth.weak_password': { status: 422, title: 'Password does not meet the policy', vi: 'Mật khẩu không đạt yêu cầu' },
  'auth.token_invalid': {
    status: 401,
    title: 'API token invalid, expired or revoked',
    vi: 'Mã truy cập API không hợp lệ, đã hết hạn hoặc bị thu hồi',
  },
  'user.not_found': { status: 404, title: 'No such user', vi: 'Không tìm thấy người dùng' },
  'user.exists': { status: 409, title: 'Username already taken', vi: 'Tên đăng nhập đã tồn tại' },
  'unit.not_found': { status: 404, title: 'No such unit', vi: 'Không tìm thấy đơn vị' },
  'unit.exists': { status: 409, title: 'Unit code already taken', vi: 'Mã đơn vị đã tồn tại' },
  'unit.invalid_parent': { status: 422, title: 'Invalid parent unit', vi: 'Đơn vị cấp trên không hợp lệ' },
  'role.unknown': { status: 422, title: 'Unknown role', vi: 'Vai trò không tồn tại' },
  'role.assignment_not_found': { status: 404, title: 'No such role assignment', vi: 'Không tìm thấy phân quyền' },
  'bpmn.malformed': {
    status: 400,
    title: 'The BPMN file is not well-formed XML or not BPMN',
    vi: 'Tệp BPMN không phải XML hợp lệ hoặc không phải BPMN',
  },
  'bpmn.unsafe_xml': {
    status: 400,
    title: 'The BPMN file declares a DOCTYPE or entities',
    vi: 'Tệp BPMN chứa khai báo DOCTYPE hoặc thực thể (ENTITY)',
  },
  'bpmn.script_refused': {
    status: 422,
    title: 'The diagram contains code the server does not run',
    vi: 'Sơ đồ chứa mã lệnh mà máy chủ không thực thi',
  },
  'bpmn.invalid_expression': {
    status: 422,
    title: 'An expression is not a plain variable path or allowed FEEL',
    vi: 'Biểu thức không phải đường dẫn biến đơn giản hoặc FEEL hợp lệ',
  },
  'bpmn.unknown_topic': {
    status: 422,
    title: 'A service task names a topic no plugin handles',
    vi: 'Tác vụ dịch vụ dùng chủ đề (topic) không có mô-đun nào xử lý',
  },
  'bpmn.missing_topic': {
    status: 422,
    title: 'A service task has no external topic',
    vi: 'Tác vụ dịch vụ chưa khai báo chủ đề (topic) xử lý',
  },
  'bpmn.unsupported': {
    status: 422,
    title: 'The diagram uses an element the engine does not support',
    vi: 'Sơ đồ dùng phần tử mà bộ máy quy trình không hỗ trợ',
  },
  'bpmn.invalid_attribute': {
    status: 422,
    title: 'An element has an invalid attribute value',
    vi: 'Phần tử có giá trị thuộc tính không hợp lệ',
  },
  'bpmn.unbounded_loop': {
    status: 422,
    title: 'Sequence flows form a loop with no wait state',
    vi: 'Các luồng tạo thành vòng lặp không có bước chờ',
  },
  'bpmn.too_deep': {
    status: 422,
    title: 'The diagram nests sub-processes or XML elements too deeply',
    vi: 'Sơ đồ lồng tiến trình con hoặc phần tử XML quá nhiều cấp',
  },
  'bpmn.no_executable_process': { status: 422, title: 'The file has no process to deploy', vi: 'Tệp không có quy trình nào để triển khai' },
  'process.definition_not_found': { status: 404, title: 'No such process definition', vi: 'Không tìm thấy định nghĩa quy trình' },
  'process.instance_not_found': { status: 404, title: 'No such process instance', vi: 'Không tìm thấy phiên bản quy trình đang chạy' },
  'process.not_running': { status: 409, title: 'The process instance is no longer running', vi: 'Quy trình không còn đang chạy' },
  'process.migration_refused': {
    status: 422,
    title: 'The instance cannot move to that version',
    vi: 'Không thể chuyển quy trình đang chạy sang phiên bản này',
  },
  'process.engine_version_unsupported': {
    status: 501,
    title: 'Instance migration does not support the installed version of the BPMN engine',
    vi: 'Chức năng chuyển phiên bản quy trình chưa hỗ trợ phiên bản bộ máy BPMN đang cài đặt',
  },
  'process.service_task_failed': {
    status: 502,
    title: "A service task's handler failed: nothing was changed",
    vi: 'Tác vụ dịch vụ xử lý không thành công: chưa có thay đổi nào được lưu',
  },
  'process.bpmn_error_uncaught': {
    status: 422,
    title: 'A service task reported a business error that no error event of the diagram catches',
    vi: 'Tác vụ dịch vụ báo lỗi nghiệp vụ mà sơ đồ không có sự kiện bắt lỗi tương ứng',
  },
  'process.call_too_deep': {
    status: 422,
    title: 'Call activities (and messages) between process instances went too many levels deep in one command',
    vi: 'Các quy trình gọi nhau (hoạt động gọi) lồng quá nhiều cấp trong một thao tác',
  },
  'message.not_receivable': {
    status: 403,
    title: 'No process accepts this message from outside the engine',
    vi: 'Không có quy trình nào nhận thông điệp này từ bên ngoài',
  },
  'message.too_deep': {
    status: 422,
    title: 'Messages between process instances went too many levels deep in one command',
    vi: 'Thông điệp giữa các quy trình chuyển tiếp quá nhiều cấp trong một thao tác',
  },
  'incident.not_found': { status: 404, title: 'No such incident', vi: 'Không tìm thấy sự cố' },
  'incident.not_open': { status: 409, title: 'The incident is already resolved', vi: 'Sự cố đã được giải quyết' },
  'incident.retry_pending': { status: 409, title: 'The incident is already queued for a retry', vi: 'Sự cố đang chờ thử lại' },
  'process.engine_error': {
    status: 422,
    title: 'The process cannot go on: its diagram or its data does not allow this step',
    vi: 'Quy trình không thể tiếp tục: sơ đồ hoặc dữ liệu của hồ sơ không cho phép bước này',
  },
  'task.not_found': { status: 404, title: 'No such task', vi: 'Không tìm thấy công việc' },
  'task.not_open': { status: 409, title: 'The task is no longer open', vi: 'Công việc không còn mở' },
  'task.claimed': { status: 409, title: 'The task is claimed by someone else', vi: 'Công việc đã được người khác nhận' },
  'task.claimed_by_other': {
    status: 403,
    title: 'Only the user who claimed the task can give it back',
    vi: 'Chỉ người đã nhận công việc mới được trả lại công việc này',
  },
  'task.not_claimed': { status: 409, title: 'Nobody has claimed the task', vi: 'Công việc chưa được ai nhận' },
  'task.not_entitled': { status: 403, title: 'You may not act on this task', vi: 'Bạn không được xử lý công việc này' },
  'task.send_back_not_allowed': {
    status: 422,
    title: 'This step may not send the dossier back',
    vi: 'Bước này không được trả lại hồ sơ cho bước trước',
  },
  'task.no_previous_step': {
    status: 422,
    title: 'There is no previous step to send the dossier back to',
    vi: 'Không có bước trước để trả lại hồ sơ',
  },
  'calendar.year_mismatch': { status: 422, title: 'The calendar document is for another year', vi: 'Lịch làm việc gửi lên thuộc năm khác' },
  'calendar.year_confirmed': {
    status: 409,
    title: 'The calendar year is already confirmed',
    vi: 'Lịch làm việc của năm này đã được xác nhận',
  },
  'calendar.out_of_range': {
    status: 422,
    title: 'The date is outside the years the working-time calendar covers',
    vi: 'Ngày nằm ngoài khoảng năm mà lịch làm việc hỗ trợ',
  },
  'calendar.invalid_file': { status: 422, title: 'The calendar file is not a valid calendar year', vi: 'Tệp lịch làm việc không hợp lệ' },
  'catalogue.not_found': {
    status: 404,
    title: 'No such procedure or version in the catalogue',
    vi: 'Không tìm thấy thủ tục hành chính hoặc phiên bản này',
  },
  'catalogue.exists': { status: 409, title: 'A procedure with this code already exists', vi: 'Mã thủ tục hành chính đã tồn tại' },
  'catalogue.no_draft': { status: 409, title: 'The procedure has no draft to publish', vi: 'Thủ tục không có bản dự thảo để công bố' },
  'catalogue.not_published': { status: 409, title: 'The procedure has no published version', vi: 'Thủ tục chưa có phiên bản đang công bố' },
  'catalogue.code_mismatch': {
    status: 422,
    title: 'The document code differs from the procedure code',
    vi: 'Mã thủ tục trong nội dung khác với mã thủ tục đang sửa',
  },
  'catalogue.definition_not_deployed': {
    status: 422,
    title: 'A case names a process definition that is not deployed',
    vi: 'Trường hợp giải quyết gắn với quy trình nội bộ chưa được triển khai',
  },
  'catalogue.unknown_agency': {
    status: 422,
    title: 'An agency code is not an active unit of this province',
    vi: 'Mã cơ quan không phải đơn vị đang hoạt động của tỉnh',
  },
  'catalogue.unresolved_placeholder': {
    status: 422,
    title: 'The document still contains placeholders to map',
    vi: 'Nội dung thủ tục còn trường giữ chỗ chưa được thay thế',
  },
  'catalogue.invalid_dates': { status: 422, title: 'Invalid effective dates', vi: 'Ngày hiệu lực không hợp lệ' },
  'dossier.not_found': { status: 404, title: 'No such dossier', vi: 'Không tìm thấy hồ sơ' },
  'dossier.not_a_desk': {
    status: 422,
    title: 'Dossiers are received at a one-stop desk unit you hold the receptionist role in',
    vi: 'Hồ sơ phải được tiếp nhận tại Bộ phận một cửa mà bạn được giao tiếp nhận',
  },
  'dossier.procedure_unavailable': {
    status: 422,
    title: 'The procedure or case is not in force in the catalogue, or its process is not pinned',
    vi: 'Thủ tục hoặc trường hợp không có hiệu lực trong danh mục, hoặc chưa gắn quy trình',
  },
  'dossier.channel_unavailable': {
    status: 422,
    title: 'The case cannot be submitted through this channel',
    vi: 'Trường hợp này không nhận hồ sơ qua kênh đã chọn',
  },
  'dossier.not_competent': {
    status: 422,
    title: 'This desk is not competent for the procedure: guide the applicant to a receiving agency',
    vi: 'Bộ phận một cửa này không có thẩm quyền tiếp nhận thủ tục: hướng dẫn người nộp đến cơ quan tiếp nhận',
  },
  'dossier.competent_unit_required': {
    status: 422,
    title: 'Several agencies are competent for the procedure: name the one deciding this dossier',
    vi: 'Thủ tục có nhiều cơ quan có thẩm quyền giải quyết: chọn cơ quan giải quyết hồ sơ này',
  },
  'dossier.not_competent_unit': {
    status: 422,
    title: 'The unit named is not a competent agency of the procedure in this province',
    vi: 'Đơn vị được chọn không phải cơ quan có thẩm quyền giải quyết thủ tục trong tỉnh',
  },
  'dossier.incomplete': {
    status: 422,
    title: 'Required documents are missing: request a supplement instead of receiving',
    vi: 'Hồ sơ còn thiếu thành phần bắt buộc: lập phiếu yêu cầu bổ sung thay vì tiếp nhận',
  },
  'dossier.invalid_components': {
    status: 422,
    title: 'The components do not match the required documents of the case',
    vi: 'Thành phần hồ sơ không khớp với danh mục giấy tờ của trường hợp',
  },
  'dossier.invalid_transition': {
    status: 409,
    title: 'The dossier is not in a status that allows this',
    vi: 'Trạng thái hiện tại của hồ sơ không cho phép thao tác này',
  },
  'dossier.illegal_transition': {
    status: 409,
    title: "This branch is not allowed from the dossier's status",
    vi: 'Trạng thái hiện tại của hồ sơ không cho phép chuyển sang bước này',
  },
  'dossier.payment_insufficient': {
    status: 422,
    title: 'The amount paid is less than the amount due',
    vi: 'Số tiền đã nộp ít hơn số tiền phải nộp',
  },
  'dossier.supplement_already_requested': {
    status: 409,
    title: 'A supplement has already been requested of this dossier during processing (once only)',
    vi: 'Hồ sơ đã được yêu cầu bổ sung một lần trong quá trình giải quyết',
  },
  'dossier.no_open_supplement': {
    status: 409,
    title: 'No supplement requested during processing is waiting to be received',
    vi: 'Hồ sơ không có yêu cầu bổ sung nào đang chờ tiếp nhận',
  },
  'dossier.awaiting_supplement': {
    status: 409,
    title: "The dossier waits for the applicant's supplement: its steps resume once the desk records it",
    vi: 'Hồ sơ đang chờ công dân bổ sung: chỉ tiếp tục xử lý sau khi bộ phận một cửa tiếp nhận hồ sơ bổ sung',
  },
  'dossier.appointment_passed': {
    status: 409,
    title: 'The appointment has already passed: an extension must be issued before it',
    vi: 'Đã quá thời hạn hẹn trả: phiếu xin lỗi và hẹn lại phải được lập trước thời hạn',
  },
  'dossier.extension_not_later': {
    status: 422,
    title: 'The new appointment must be later than the current one',
    vi: 'Thời hạn hẹn trả mới phải sau thời hạn hẹn trả hiện tại',
  },
  'dossier.attachment_empty': { status: 400, title: 'The uploaded file is empty', vi: 'Tệp tải lên không có nội dung' },
  'dossier.attachment_type': {
    status: 415,
    title: 'The file is not a PDF, JPEG, PNG, TIFF or WebP scan (its type is read from its bytes, not its name)',
    vi: 'Tệp không phải bản quét PDF, JPEG, PNG, TIFF hoặc WebP (loại tệp được xác định từ nội dung, không theo tên)',
  },
  'dossier.attachment_not_found': { status: 404, title: 'No such attachment on this dossier', vi: 'Không tìm thấy tệp đính kèm của hồ sơ' },
  'dossier.attachment_not_uploader': {
    status: 403,
    title: 'Only the user who uploaded an attachment may remove it',
    vi: 'Chỉ người đã tải tệp đính kèm lên mới được xóa tệp đó',
  },
  'dossier.code_format': {
    status: 500,
    title: 'The configured dossier code format is not valid',
    vi: 'Định dạng mã hồ sơ được cấu hình không hợp lệ',
  },
  'dossier.form_not_available': {
    status: 404,
    title: 'The dossier has not produced this form (or its template is missing)',
    vi: 'Hồ sơ chưa phát sinh biểu mẫu này',
  },
  'dossier.form_template_unsafe': {
    status: 422,
    title: 'A form template uses what form templates may not (unescaped output, partials, unknown helpers, object internals)',
    vi: 'Mẫu biểu in dùng cú pháp không được phép (in không thoát ký tự, partial, hàm trợ giúp lạ, thuộc tính nội bộ)',
  },
  'dossier.lookup_failed': {
    status: 404,
    title: 'No dossier matches this code and these last four digits',
    vi: 'Không tìm thấy hồ sơ khớp với mã hồ sơ và 4 số cuối đã nhập',
  },
  'dossier.lookup_throttled': {
    status: 429,
    title: 'Too many dossier lookups: wait before trying again',
    vi: 'Tra cứu hồ sơ quá nhiều lần: vui lòng chờ rồi thử lại',
  },
  'dossier.evaluation_not_open': {
    status: 409,
    title: 'The dossier can be evaluated once its result has been returned',
    vi: 'Chỉ đánh giá được hồ sơ sau khi đã nhận kết quả',
  },
  'dossier.evaluation_exists': { status: 409, title: 'The dossier has already been evaluated', vi: 'Hồ sơ đã được đánh giá' },
  'pack.malformed': {
    status: 400,
    title: 'The pack is not a readable zip with a manifest',
    vi: 'Gói không phải tệp zip đọc được hoặc thiếu tệp kê khai (manifest)',
  },
  'pack.bad_signature': {
    status: 422,
    title: 'The pack signature is missing or does not match its manifest',
    vi: 'Chữ ký của gói bị thiếu hoặc không khớp với tệp kê khai',
  },
  'pack.untrusted_key': {
    status: 422,
    title: 'The pack is signed by a key no administrator trusts',
    vi: 'Gói được ký bằng khóa chưa được quản trị viên tin cậy',
  },
  'pack.rollback': {
    status: 409,
    title: 'The pack sequence is not higher than the installed one',
    vi: 'Số thứ tự của gói không lớn hơn gói đã cài đặt (không được quay lui)',
  },
  'pack.expired': { status: 422, title: 'The pack has expired', vi: 'Gói đã hết hạn' },
  'pack.file_mismatch': {
    status: 422,
    title: 'The pack files do not match its manifest',
    vi: 'Các tệp trong gói không khớp với tệp kê khai',
  },
  'pack.unsafe_path': {
    status: 422,
    title: 'A pack entry has a path outside the allowed layout',
    vi: 'Một tệp trong gói có đường dẫn không an toàn hoặc không được phép',
  },
  'pack.too_large': {
    status: 413,
    title: 'The pack has too many files or too many bytes',
    vi: 'Gói có quá nhiều tệp hoặc dung lượng quá lớn',
  },
  'pack.invalid_content': {
    status: 422,
    title: 'A file of the pack is not valid (file and field named)',
    vi: 'Một tệp trong gói không hợp lệ (nêu tên tệp và trường)',
  },
  'pack.requirement_missing': {
    status: 422,
    title: 'The pack needs a platform version, plugin or handler topic that is missing',
    vi: 'Gói cần phiên bản nền tảng, mô-đun mở rộng hoặc chủ đề xử lý chưa có',
  },
  'pack.definition_key_mismatch': {
    status: 422,
    title: "A case's definitionKey is not the id of a process in its diagram",
    vi: 'Mã quy trình (definitionKey) của trường hợp không trùng với mã quy trình (process id) trong sơ đồ BPMN',
  },
  'pack.unmapped_placeholder': {
    status: 422,
    title: 'A placeholder of the pack is not mapped to a local agency, role or fee',
    vi: 'Một trường giữ chỗ của gói chưa được ánh xạ sang cơ quan, vai trò hoặc mức phí của địa phương',
  },
  'pack.mapping_invalid': { status: 422, title: 'The placeholder mapping is not valid', vi: 'Bảng ánh xạ trường giữ chỗ không hợp lệ' },
  'pack.key_not_found': { status: 404, title: 'No such trusted key', vi: 'Không tìm thấy khóa tin cậy' },
  'pack.key_invalid': { status: 422, title: 'Not an Ed25519 key in PEM form', vi: 'Không phải khóa Ed25519 dạng PEM' },
  'conflict.duplicate': { status: 409, title: 'Already exists', vi: 'Đã tồn tại' },
  'conflict.stale': {
    status: 409,
    title: 'Changed by someone else meanwhile: reload and retry',
    vi: 'Dữ liệu đã được người khác sửa: hãy tải lại và thử lại',
  },
  'plugin.conflict': { status: 500, title: 'Two plugins claim the same name', vi: 'Hai mô-đun mở rộng trùng tên' },
  'plugin.invalid': { status: 500, title: 'Plugin definition is invalid', vi: 'Định nghĩa mô-đun mở rộng không hợp lệ' },
  'plugin.missing_dependency': {
    status: 500,
    title: 'A required plugin is missing or of the wrong version',
    vi: 'Thiếu mô-đun mở rộng cần thiết hoặc sai phiên bản',
  },
  'plugin.out_of_scope': {
    status: 500,
    title: 'A plugin reached beyond its own tables or names',
    vi: 'Mô-đun mở rộng truy cập ngoài phạm vi bảng hoặc tên của mình',
  },
  'event.invalid': {
    status: 500,
    title: 'An event name, subscription or publication is not allowed',
    vi: 'Tên sự kiện, đăng ký hoặc phát sự kiện không hợp lệ',
  },
  'event.subscriber_failed': {
    status: 500,
    title: 'A subscriber of a domain event failed: nothing was changed',
    vi: 'Một bộ xử lý sự kiện nghiệp vụ bị lỗi: chưa có thay đổi nào được lưu',
  },
  'portal.sender_unknown': {
    status: 500,
    title: 'The configured national-portal sender is not offered by core or an enabled plugin',
    vi: 'Bộ gửi dữ liệu lên Cổng dịch vụ công quốc gia đã cấu hình không tồn tại',
  },
  'portal.sync_not_found': {
    status: 404,
    title: 'No such national-portal sync row',
    vi: 'Không tìm thấy bản ghi đồng bộ lên Cổng dịch vụ công quốc gia',
  },
  'portal.sync_not_retryable': {
    status: 409,
    title: 'The national-portal sync row is sent or being sent: nothing to retry',
    vi: 'Bản ghi đồng bộ lên Cổng dịch vụ công quốc gia đã gửi hoặc đang được gửi: không cần gửi lại',
  },
  internal: { status: 500, title: 'Internal error', vi: 'Lỗi hệ thống' },
  'service.unavailable': { status: 503, title: 'Service unavailable', vi: 'Dịch vụ tạm thời không khả dụng' },
} as const satisfies Record<string, ErrorDefinition>;

export type CoreErrorCode = keyof typeof errorCatalogue;

/** Plugins add their own codes (prefixed with their id) through registerErrorCodes. */
const extraCodes = new Map<string, ErrorDefinition>();

export function registerErrorCodes(codes: Record<string, ErrorDefinition>): void {
  for (const [code, def] of Object.entries(codes)) extraCodes.set(code, def);
}

/**
 * A plugin's error catalogue, registered at once so that its routes can declare the codes
 * (`defineRoute({ errors })`) when their module loads; the host checks the prefix at boot.
 */
export function defineErrors<T extends Record<string, ErrorDefinition>>(codes: T): T {
  registerErrorCodes(codes);
  return codes;
}

export function describeError(code: string): ErrorDefinition {
  return (errorCatalogue as Record<string, ErrorDefinition>)[code] ?? extraCodes.get(code) ?? errorCatalogue.internal;
}

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly detail?: string;
  readonly extra?: Record<string, unknown>;
  readonly headers?: Record<string, string>;

  constructor(code: CoreErrorCode | (string & {}), detail?: string, extra?: Record<string, unknown>, headers?: Record<string, string>) {
    const def = describeError(code);
    super(detail ?? def.title);
    this.name = 'AppError';
    this.code = code;
    this.status = def.status;
    this.detail = detail;
    this.extra = extra;
    this.headers = headers;
  }
}
