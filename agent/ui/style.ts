/**
 * The one stylesheet of the pages, served as /ui/style.css (CSP `style-src 'self'`: no inline
 * style anywhere). Plain and readable; deliberately not eHealth's own look, since these are the
 * agent's pages, not eHealth's.
 */
export const UI_STYLE = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1d2329;background:#eef1f4}
header{display:flex;align-items:center;gap:10px;background:#fff;border-bottom:3px solid #2e8b57;padding:10px 24px}
header img{width:24px;height:24px}
header .name{font-weight:600;font-size:17px}
header .where{color:#5b6670;font-size:13px;margin-left:auto}
nav{background:#fff;border-bottom:1px solid #d5dbe0;padding:0 24px}
nav a{display:inline-block;padding:9px 12px;color:#1f5f99;text-decoration:none;border-bottom:3px solid transparent}
nav a.current{border-bottom-color:#1f5f99;color:#1d2329;font-weight:600}
main{max-width:880px;margin:20px auto;background:#fff;border:1px solid #d5dbe0;padding:18px 28px 24px}
h1{font-size:21px;margin:4px 0 14px}
p.lead{font-size:16px}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:6px 18px;margin:14px 0}
dl.facts dt{color:#5b6670}
dl.facts dd{margin:0;font-weight:500;overflow-wrap:anywhere}
dl.facts ul{margin:0;padding-left:18px}
label{display:block;margin:12px 0 4px;font-weight:600}
input[type=password],input[type=text],input[type=number],input[type=datetime-local],select,textarea{font:inherit;padding:6px 8px;border:1px solid #9aa5af;border-radius:3px;width:100%;max-width:480px}
textarea{min-height:4.5em}
.actions{margin-top:18px;display:flex;gap:10px;flex-wrap:wrap}
button{font:inherit;padding:7px 18px;border-radius:3px;border:1px solid #1f5f99;background:#1f5f99;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#1f5f99}
button.danger{background:#b3261e;border-color:#b3261e}
.pairing-code{margin:14px 0;padding:10px 14px;border:2px solid #1f5f99;border-radius:4px;background:#f6f9fc}
.pairing-code .code{font-size:28px;letter-spacing:3px;font-variant-numeric:tabular-nums}
.pairing-code p{margin:4px 0 0}
fieldset.policy{border:1px solid #d5dbe0;margin:12px 0;padding:8px 14px}
fieldset.policy label{display:inline;font-weight:400;margin:0 14px 0 4px}
.notice{padding:9px 14px;margin:12px 0;border-left:4px solid #1f5f99;background:#eaf2fa}
.notice.ok{border-color:#2e8b57;background:#e8f5ee}
.notice.error{border-color:#b3261e;background:#fdecea}
.notice.warning{border-color:#d68910;background:#fff4e0}
.muted{color:#5b6670;font-size:13px}
.field-error{color:#b3261e;font-size:13px}
.hint{color:#5b6670;font-size:13px;font-weight:400}
table{border-collapse:collapse;width:100%;margin:10px 0;font-size:14px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e1e6ea;vertical-align:top}
th{color:#5b6670;font-weight:600}
form.inline{display:inline}
table.clients ul{margin:0;padding-left:16px}
table.clients .policy{margin-top:6px}
table.clients .policy select{width:auto;max-width:100%}
table.clients .websites ul{padding-left:16px}
table.clients td:nth-child(-n+2){overflow-wrap:anywhere}
table.clients button{white-space:nowrap}
form.filters{display:flex;gap:12px;flex-wrap:wrap;align-items:flex-end}
form.filters label{margin:0 0 4px}
form.filters div{min-width:150px}
form.language{display:flex;gap:6px;align-items:center;justify-content:flex-end;max-width:880px;margin:8px auto 0;font-size:13px}
form.language button{padding:2px 8px;font-size:13px;background:#fff;color:#1f5f99}
form.language button[aria-pressed=true]{background:#1f5f99;color:#fff}
footer{max-width:880px;margin:0 auto 24px;color:#5b6670;font-size:12px}
`
