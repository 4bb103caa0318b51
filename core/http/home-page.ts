import { html } from 'hono/html';

/** The home page's stylesheet, served (not inline) so its CSP can refuse inline styles. */
export const HOME_STYLESHEET = '/assets/home.css';
export const HOME_CSS = `body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }
h1 { font-size: 1.6rem; margin-bottom: .25rem; }
code { background: #f2f2f2; padding: .1rem .3rem; border-radius: 3px; }
a { color: #0645ad; }
a:focus { outline: 3px solid #ffbf47; }
.note { border-left: 4px solid #b58105; padding: .5rem 1rem; background: #fff8e1; }
`;

/**
 * What a person sees at `/` until the clerk UI arrives: that the platform runs, where the
 * API and its description are, and how to sign in. Vietnamese first, English second.
 */
export function homePage(version: string, demo: boolean) {
  return html`<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>motcua — Hệ thống một cửa</title>
<link rel="stylesheet" href="${HOME_STYLESHEET}">
</head>
<body>
<main>
<h1>motcua</h1>
<p>Nền tảng giải quyết thủ tục hành chính theo cơ chế một cửa, một cửa liên thông — phiên bản ${version}.</p>
<p lang="en"><em>One-stop administrative procedures platform.</em></p>
<p><a href="/thu-tuc">Tra cứu thủ tục hành chính</a>: tìm thủ tục, xem thành phần hồ sơ, thời hạn, phí, lệ phí và căn cứ pháp lý — không cần đăng nhập.</p>
<h2>Đang chạy</h2>
<ul>
  <li>Tình trạng hệ thống: <a href="/api/health"><code>/api/health</code></a></li>
  <li>Mô tả API (OpenAPI 3.1): <a href="/api/openapi.json"><code>/api/openapi.json</code></a></li>
  <li>Đăng nhập: <code>POST /api/auth/login</code> với <code>{"username", "password"}</code></li>
</ul>
${
  demo
    ? html`<p class="note" role="note">Dữ liệu mẫu: các tài khoản <code>admin</code>, <code>analyst</code>, <code>clerk</code>, <code>specialist</code>, <code>leader</code>, <code>auditor</code> với mật khẩu <code>demo</code> — chỉ để dùng thử, không dùng cho dữ liệu thật.</p>`
    : ''
}
<p><a href="/app/">Giao diện cán bộ một cửa</a>: đăng nhập để tiếp nhận và xử lý hồ sơ. Trình thiết kế quy trình sẽ có trong các phiên bản tiếp theo.</p>
</main>
</body>
</html>`;
}
