import { escapeHtml } from '../reports/dashboard';
import { SIGN_IN_ENROL_PATH, SIGN_IN_MFA_PATH, SIGN_IN_PATH } from './browser-session';

/**
 * The browser's sign-in page: one small HTML form (e-mail and password, then the authenticator
 * code when the account has MFA, or, on the first sign-in of an account that must use MFA, the
 * new authenticator's QR code, secret and recovery codes and a code from it). No script at all;
 * its one style element carries the response's nonce, and the Content-Security-Policy lets the
 * forms post to this origin only.
 */

export type SignInPage =
  | { step: 'password'; next: string; email?: string; message?: string }
  | { step: 'code'; next: string; challenge: string; message?: string }
  /** `qrSvg`: the otpauth URI as an SVG QR code (drawn by the route with `qrcode`: trusted markup); recovery codes only when just made. */
  | { step: 'enrol'; next: string; challenge: string; secret: string; qrSvg: string; recoveryCodes?: string[]; message?: string };

export function signInCsp(nonce: string): string {
  return ["default-src 'none'", `style-src 'nonce-${nonce}'`, 'img-src data:', "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'"].join('; ');
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 0; color: #1a1a1a; background: #f4f5f7; }
main { max-width: 22rem; margin: 4rem auto; background: #fff; padding: 1.5rem 2rem 2rem; border: 1px solid #ddd; border-radius: 6px; }
label { display: block; margin-top: 1rem; font-weight: 600; }
input { display: block; width: 100%; box-sizing: border-box; margin-top: 0.25rem; padding: 0.5rem; font-size: 1rem; }
button { margin-top: 1.5rem; padding: 0.5rem 1.25rem; font-size: 1rem; }
.message { padding: 0.75rem; background: #fdecea; border: 1px solid #f5c2bd; }
.qr svg { width: 12rem; height: 12rem; display: block; margin: 0.5rem auto; }
code, .codes { font-family: ui-monospace, monospace; word-break: break-all; }
.codes { columns: 2; padding-left: 1.25rem; }
`;

export function renderSignInPage(page: SignInPage, nonce: string): string {
  const n = escapeHtml(nonce);
  const next = `<input type="hidden" name="next" value="${escapeHtml(page.next)}">`;
  const message = page.message ? `<p class="message" role="alert" id="sign-in-message">${escapeHtml(page.message)}</p>` : '';
  const form =
    page.step === 'enrol'
      ? `<p>This account must use an authenticator app. Scan the code with it (or type the key), then enter the 6-digit code it shows.</p>
<div class="qr" id="enrol-qr">${page.qrSvg}</div>
<p>Key: <code id="enrol-secret">${escapeHtml(page.secret)}</code></p>
${
  page.recoveryCodes
    ? `<p><strong>Recovery codes</strong>: each signs you in once if the authenticator is lost. Save them now; they are not shown again.</p>
<ol class="codes" id="recovery-codes">${page.recoveryCodes.map((c) => `<li>${escapeHtml(c)}</li>`).join('')}</ol>`
    : '<p>The recovery codes were shown when this enrolment started. If they were not saved, start again for new ones.</p>'
}
<form method="post" action="${SIGN_IN_ENROL_PATH}" id="sign-in-form">
${next}
<input type="hidden" name="challenge" value="${escapeHtml(page.challenge)}">
<label for="code">Code from the authenticator</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required pattern="[0-9]{6}" maxlength="6" autofocus>
<button type="submit">Turn on and sign in</button>
</form>
<p><a href="${SIGN_IN_PATH}?next=${escapeHtml(encodeURIComponent(page.next))}">Start again</a></p>`
      : page.step === 'password'
      ? `<form method="post" action="${SIGN_IN_PATH}" id="sign-in-form">
${next}
<label for="email">E-mail</label>
<input id="email" name="email" type="email" autocomplete="username" required maxlength="254" value="${escapeHtml(page.email ?? '')}"${page.email ? '' : ' autofocus'}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="256"${page.email ? ' autofocus' : ''}>
<button type="submit">Sign in</button>
</form>`
      : `<form method="post" action="${SIGN_IN_MFA_PATH}" id="sign-in-form">
${next}
<input type="hidden" name="challenge" value="${escapeHtml(page.challenge)}">
<label for="code">Authenticator code</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required maxlength="20" autofocus>
<p>Or enter one of your recovery codes.</p>
<button type="submit">Verify</button>
</form>
<p><a href="${SIGN_IN_PATH}?next=${escapeHtml(encodeURIComponent(page.next))}">Start again</a></p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Itinera</title>
<link rel="icon" href="data:,">
<style nonce="${n}">${STYLE}</style>
</head>
<body>
<main>
<h1>Sign in to Itinera</h1>
${message}
${form}
</main>
</body>
</html>`;
}
