/** The page's only stylesheet, served from /assets/page.css (no CDN, no web fonts: a phone on a slow link, or none). */
export const PAGE_CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#1d1d1f;background:#f2f3f5}
a{color:#0b57d0}
header{background:#1d2939;color:#fff;padding:.6rem .9rem;display:flex;flex-wrap:wrap;gap:.3rem .9rem;align-items:center}
header a{color:#fff}
header .who{margin-left:auto;font-size:.9rem}
header form{display:inline}
header button{background:none;border:1px solid #fff6;color:#fff;padding:.2rem .6rem;border-radius:4px;font-size:.85rem}
nav a{margin-right:.8rem}
main{padding:.8rem;max-width:46rem;margin:0 auto}
h1{font-size:1.25rem;margin:.2rem 0 .6rem}
h2{font-size:1.05rem;margin:1.1rem 0 .5rem}
.en{color:#667085;font-size:.82em;font-weight:normal}
.card{background:#fff;border-radius:8px;padding:.7rem .8rem;margin:.5rem 0;box-shadow:0 1px 2px #0001;border-left:6px solid #98a2b3}
.card.critical{border-left-color:#d92d20}
.card.warning{border-left-color:#f79009}
.card.info{border-left-color:#2e90fa}
.card.resolved{border-left-color:#12b76a;opacity:.85}
a.card{display:block;color:inherit;text-decoration:none}
.badge{display:inline-block;font-size:.78rem;padding:.05rem .45rem;border-radius:999px;background:#eaecf0;margin-right:.3rem;white-space:nowrap}
.badge.critical{background:#d92d20;color:#fff}
.badge.warning{background:#f79009;color:#fff}
.badge.info{background:#2e90fa;color:#fff}
.badge.ok{background:#12b76a;color:#fff}
.badge.muted{background:#eaecf0;color:#344054}
.title{font-weight:600;font-size:1.05rem}
.meta{color:#475467;font-size:.9rem}
.banner{background:#fef3f2;border:1px solid #fda29b;color:#912018;border-radius:8px;padding:.6rem .8rem;margin:.5rem 0}
.notice{background:#ecfdf3;border:1px solid #6ce9a6;color:#05603a;border-radius:8px;padding:.6rem .8rem;margin:.5rem 0}
.error{background:#fef3f2;border:1px solid #fda29b;color:#912018;border-radius:8px;padding:.6rem .8rem;margin:.5rem 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem .8rem;margin:.4rem 0}
dt{color:#475467}
dd{margin:0;overflow-wrap:anywhere}
ol.timeline{list-style:none;padding:0;margin:.3rem 0}
ol.timeline li{padding:.35rem 0 .35rem .8rem;border-left:2px solid #d0d5dd;margin-left:.3rem}
ol.timeline time{color:#475467;font-size:.85rem;display:block}
form.action{background:#fff;border-radius:8px;padding:.7rem .8rem;margin:.6rem 0}
label{display:block;margin:.3rem 0 .15rem;color:#344054}
input,select,textarea{font:inherit;width:100%;padding:.55rem .6rem;border:1px solid #d0d5dd;border-radius:6px;background:#fff}
input[type=checkbox]{width:auto}
textarea{min-height:4.5rem}
button.primary,button.secondary{display:block;width:100%;font:inherit;font-weight:600;padding:.8rem;border-radius:8px;border:0;margin-top:.6rem}
button.primary{background:#d92d20;color:#fff;font-size:1.15rem}
button.secondary{background:#1d2939;color:#fff}
table{border-collapse:collapse;width:100%;background:#fff;border-radius:8px;font-size:.92rem}
th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #eaecf0;vertical-align:top}
.row{display:flex;gap:.5rem;flex-wrap:wrap}
.row>*{flex:1 1 8rem}
.days label{display:inline-block;margin-right:.5rem}
`;
